from datetime import date

import pytest

from baodao.lib.errors import Invalid
from baodao.lib.periods import (
    Period,
    current_quarter,
    current_year,
    period_choices,
    period_parse,
    previous_quarter,
)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026Q2", date(2026, 4, 1), date(2026, 6, 30)),
        ("2026q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026Q4", date(2026, 10, 1), date(2026, 12, 31)),
        (" 2026 ", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_it_parses_quarters_and_years(text, start, end):
    period = period_parse(text)
    assert (period.start, period.end) == (start, end)


def test_it_names_periods_canonically_and_in_chinese():
    assert period_parse("2026q3").code == "2026Q3"
    assert period_parse("2026Q3").label == "2026 年第三季度"
    assert period_parse("2026").label == "2026 年度"
    assert period_parse("2026").kind == "year" and period_parse("2026Q3").kind == "quarter"
    assert [p.code for p in period_parse("2026").quarters()] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]


@pytest.mark.parametrize("text", ["", None, "2026Q5", "2026Q0", "26Q3", "2026-Q3", "Q3", "1999", "2026Q3x"])
def test_it_refuses_anything_else_on_the_period_field(text):
    with pytest.raises(Invalid) as exc:
        period_parse(text)
    assert "2026Q3" in exc.value.fields["period"][0]


def test_period_bounds_are_local_midnights():
    period = period_parse("2026Q3")
    assert period.starts_at.isoformat() == "2026-07-01T00:00:00+08:00"
    assert period.ends_at.isoformat() == "2026-10-01T00:00:00+08:00"


def test_current_and_previous_periods():
    assert current_quarter(date(2026, 5, 15)) == Period(2026, 2)
    assert current_year(date(2026, 5, 15)) == Period(2026)
    assert previous_quarter(date(2026, 5, 15)) == Period(2026, 1)
    assert previous_quarter(date(2026, 2, 1)) == Period(2025, 4)
    codes = [p.code for p in period_choices(date(2026, 5, 15))]
    assert codes == ["2026Q2", "2026Q1", "2026", "2025Q4", "2025Q3", "2025Q2", "2025Q1", "2025"]
