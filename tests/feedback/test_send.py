"""Sending a region's letters: once per unit and period, a notice to each unit admin linking to the letter,
audited; again only to units not sent yet; never before the period ends; only by a district or street admin
over the region."""

import pytest

from baodao.accounts.models import Role
from baodao.audit.models import Action, AuditEvent
from baodao.feedback.models import FeedbackLetter
from baodao.feedback.services import feedback_send
from baodao.lib.errors import Conflict, Forbidden
from baodao.lib.periods import current_quarter, previous_quarter
from baodao.notify.models import Notice
from tests import factories

from .helpers import history

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    return previous_quarter()


def test_a_street_admin_sends_its_units_letters(w, period):
    history(w, period)
    result = feedback_send(actor=w.users["street_admin"], region=w.r("S1"), period=period)
    assert (result.sent, result.no_admin) == (2, 0)
    letters = {fl.unit.code: fl for fl in FeedbackLetter.objects.select_related("unit")}
    assert sorted(letters) == ["U1", "U2"]
    u1 = letters["U1"]
    assert (u1.members, u1.registered, u1.served, u1.period) == (3, 2, 1, period.code)
    assert u1.sent_by == w.users["street_admin"]
    notice = Notice.objects.get(user=w.users["unit_admin"])
    assert notice.url == f"/unit/U1/feedback/?period={period.code}"
    assert "在册 3 人" in notice.body
    assert Notice.objects.filter(user=w.users["other_unit_admin"]).count() == 1
    event = AuditEvent.objects.get(action=Action.FEEDBACK_SENT)
    assert event.detail == {"region": "S1", "period": period.code, "units": 2, "no_admin": 0}


def test_sending_again_reaches_only_units_not_sent_yet(w, period):
    feedback_send(actor=w.users["street_admin"], region=w.r("S1"), period=period)
    with pytest.raises(Conflict) as exc:
        feedback_send(actor=w.users["street_admin"], region=w.r("S1"), period=period)
    assert exc.value.code == "already_sent"
    # the district's send covers the street's units too: only U3 (street S2) and U5 are left
    u5 = factories.unit("U5", w.r("S1"), "新单位")
    factories.user(Role.UNIT_ADMIN, unit_=u5, name="新单位党办")
    factories.user(Role.UNIT_ADMIN, unit_=w.units["U3"], name="中学党办")
    result = feedback_send(actor=w.users["district_admin"], region=w.r("D1"), period=period)
    assert (result.sent, result.no_admin) == (2, 0)
    assert FeedbackLetter.objects.count() == 4
    assert Notice.objects.filter(user=w.users["unit_admin"]).count() == 1


def test_a_unit_without_an_admin_is_left_for_later(w, period):
    result = feedback_send(actor=w.users["district_admin"], region=w.r("D1"), period=period)
    assert (result.sent, result.no_admin) == (2, 1)  # U3 has nobody to receive it
    assert sorted(FeedbackLetter.objects.values_list("unit__code", flat=True)) == ["U1", "U2"]
    assert AuditEvent.objects.get(action=Action.FEEDBACK_SENT).detail["no_admin"] == 1
    with pytest.raises(Conflict) as exc:  # still nobody
        feedback_send(actor=w.users["district_admin"], region=w.r("D1"), period=period)
    assert exc.value.code == "no_admin"
    admin = factories.user(Role.UNIT_ADMIN, unit_=w.units["U3"], name="中学党办")
    result = feedback_send(actor=w.users["district_admin"], region=w.r("D1"), period=period)
    assert (result.sent, result.no_admin) == (1, 0)
    assert Notice.objects.filter(user=admin).count() == 1
    with pytest.raises(Conflict) as exc:
        feedback_send(actor=w.users["district_admin"], region=w.r("D1"), period=period)
    assert exc.value.code == "already_sent"


def test_a_period_not_ended_cannot_be_sent(w):
    with pytest.raises(Conflict) as exc:
        feedback_send(actor=w.users["street_admin"], region=w.r("S1"), period=current_quarter())
    assert exc.value.code == "period_not_ended"
    assert not FeedbackLetter.objects.exists()


@pytest.mark.parametrize(
    ("who", "region"),
    [
        ("community_admin", "S1"),
        ("unit_admin", "S1"),
        ("street_admin", "S2"),
        ("street_admin", "D1"),
        ("district_admin", "C1"),
    ],
)
def test_only_admins_over_the_region_send(w, period, who, region):
    with pytest.raises(Forbidden):
        feedback_send(actor=w.users[who], region=w.r(region), period=period)
    assert not FeedbackLetter.objects.exists()
