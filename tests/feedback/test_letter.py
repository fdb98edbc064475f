"""The letter's content for crafted histories: exactly the unit's members on its record, registered or not,
their standing services and hours, the minimum, the grade only once finalised, the two lists — and a fixed
number of queries whatever the unit's size."""

from decimal import Decimal

import pytest

from baodao.appraisals.models import Status
from baodao.feedback.selectors import feedback_letter, unit_counts
from baodao.lib.periods import period_parse
from baodao.members.models import Member
from baodao.org.models import Unit
from tests.circulars.helpers import local, member_of, registered, reversed_, served

from .helpers import appraised

pytestmark = pytest.mark.django_db

Q3 = period_parse("2026Q3")


def rows_by_name(letter):
    return {r.name: r for r in letter.rows}


def test_the_letter_lists_exactly_the_units_members_on_its_record(w):
    member_of(w, "U1", name="新来的", on_roster_since=local(2026, 10, 1, 0, 0))  # joined after the end
    gone = member_of(w, "U1", name="调走的")
    Member.objects.filter(pk=gone.pk).update(on_roster=False)
    member_of(w, "U2", name="医院的")
    registered(w, member_of(w, "U1", name="赵强"), at=local(2026, 8, 15))
    letter = feedback_letter(w.units["U1"], Q3)
    assert sorted(rows_by_name(letter)) == sorted(["李明", "赵强"])
    assert (letter.members, letter.registered, letter.served) == (2, 1, 0)


def test_registration_is_as_it_stood_at_the_periods_end(w):
    mid = member_of(w, "U1", name="季中报到")
    registered(w, mid, at=local(2026, 8, 15))
    late = member_of(w, "U1", name="期后报到")
    registered(w, late, at=local(2026, 10, 2))
    left = member_of(w, "U1", name="期内离开")
    registered(w, left, at=local(2026, 1, 5), ended=local(2026, 9, 1))
    rows = rows_by_name(feedback_letter(w.units["U1"], Q3))
    assert (rows["季中报到"].registered, rows["季中报到"].community) == (True, "幸福社区")
    assert (rows["期后报到"].registered, rows["期后报到"].community) == (False, "")
    assert rows["期内离开"].registered is False
    assert [r.name for r in feedback_letter(w.units["U1"], Q3).unregistered_rows] == sorted(
        ["李明", "期后报到", "期内离开"]
    )


def test_services_are_standing_rows_and_hours_include_reversals(w):
    m = member_of(w, "U1", name="赵强")
    registered(w, m, at=local(2026, 7, 1))
    served(w, m, local(2026, 7, 10), hours="2")
    served(w, m, local(2026, 9, 30, 23, 59), hours="1.5")
    reversed_(w, served(w, m, local(2026, 8, 1), hours="3"))
    served(w, m, local(2026, 10, 1, 0, 0), hours="4")  # next quarter
    only_reversed = member_of(w, "U1", name="只有冲销")
    registered(w, only_reversed, at=local(2026, 7, 1))
    reversed_(w, served(w, only_reversed, local(2026, 8, 1)))
    letter = feedback_letter(w.units["U1"], Q3)
    rows = rows_by_name(letter)
    assert (rows["赵强"].services, rows["赵强"].hours) == (2, Decimal("3.50"))
    assert rows["赵强"].minimum_met is True
    assert (rows["只有冲销"].services, rows["只有冲销"].hours, rows["只有冲销"].minimum_met) == (
        0,
        Decimal("0.00"),
        False,
    )
    assert [r.name for r in letter.unserved_rows] == ["只有冲销"]
    assert letter.served == 1


def test_the_grade_and_the_comment_show_once_the_appraisal_is_no_longer_open(w):
    final = member_of(w, "U1", name="已确定")
    open_ = member_of(w, "U1", name="评价中")
    appraised(w, final, Q3, status=Status.FINALISED, level=1, comment="服务积极")
    appraised(w, open_, Q3, status=Status.OPEN, level=None, comment="还在评")
    appealed = member_of(w, "U1", name="申诉中")
    appraised(w, appealed, Q3, status=Status.APPEALED, level=3, comment="有待改进")
    other_period = member_of(w, "U1", name="别的季度")
    appraised(w, other_period, period_parse("2026Q2"), status=Status.FINALISED, level=2)
    rows = rows_by_name(feedback_letter(w.units["U1"], Q3))
    assert (rows["已确定"].grade, rows["已确定"].comment) == ("优秀", "服务积极")
    assert (rows["评价中"].grade, rows["评价中"].comment) == ("", "")
    assert (rows["申诉中"].grade, rows["申诉中"].comment) == ("基本合格", "有待改进")
    assert (rows["别的季度"].grade, rows["别的季度"].comment) == ("", "")


def test_a_fixed_number_of_queries_whatever_the_size(w, django_assert_max_num_queries):
    for i in range(12):
        m = member_of(w, "U1", name=f"党员{i:02d}")
        registered(w, m, at=local(2026, 7, 1))
        served(w, m, local(2026, 8, 1))
        appraised(w, m, Q3, status=Status.FINALISED, level=2)
    unit = Unit.objects.select_related("region").get(code="U1")
    with django_assert_max_num_queries(7):
        letter = feedback_letter(unit, Q3)
        assert len(letter.rows) == 13
        assert all(r.grade == "合格" for r in letter.rows if r.name != "李明")


def test_unit_counts_match_the_letters(w):
    history = member_of(w, "U1", name="赵强")
    registered(w, history, at=local(2026, 7, 1))
    served(w, history, local(2026, 8, 1))
    registered(w, member_of(w, "U1", name="钱芳"), at=local(2026, 7, 1))
    counts = unit_counts(Unit.objects.filter(code__in=["U1", "U2", "U3"]), Q3)
    u1 = counts[w.units["U1"].pk]
    letter = feedback_letter(w.units["U1"], Q3)
    assert (u1.members, u1.registered, u1.served) == (letter.members, letter.registered, letter.served)
    assert (u1.members, u1.registered, u1.served) == (3, 2, 1)
    assert counts[w.units["U3"].pk] == type(u1)(0, 0, 0)


def test_only_registered_members_can_meet_the_minimum(w):
    left = member_of(w, "U1", name="期内离开")
    registered(w, left, at=local(2026, 7, 1), ended=local(2026, 9, 1))
    served(w, left, local(2026, 8, 1), hours="10")
    served(w, left, local(2026, 8, 2), hours="10")
    stayed = member_of(w, "U1", name="一直报到")
    registered(w, stayed, at=local(2026, 7, 1))
    served(w, stayed, local(2026, 8, 1), hours="10")
    served(w, stayed, local(2026, 8, 2), hours="10")
    rows = rows_by_name(feedback_letter(w.units["U1"], Q3))
    assert (rows["期内离开"].registered, rows["期内离开"].services) == (False, 2)
    assert rows["期内离开"].minimum_met is False
    assert rows["一直报到"].minimum_met is True
    assert rows["李明"].minimum_met is False
