"""Reporting periods: a calendar quarter ("2026Q3") or a calendar year ("2026"), as circulars and appraisals
name them. Bounds are days (both included); the datetimes that bound a period are local midnights, as the
ledger's summaries cut them (`baodao.ledger.summary`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from baodao.lib.errors import Invalid

QUARTER = "quarter"
YEAR = "year"

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:[Qq](?P<quarter>[1-4]))?$")
#: years a period may name: the platform's records start well after the first and end before the last
MIN_YEAR, MAX_YEAR = 2000, 2100


def local_midnight(day: date) -> datetime:
    """The start of `day` in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Period:
    year: int
    #: 1–4 for a quarter, None for a whole year
    quarter: int | None = None

    @property
    def kind(self) -> str:
        return YEAR if self.quarter is None else QUARTER

    @property
    def code(self) -> str:
        """The canonical name: "2026Q3" or "2026"."""
        return f"{self.year}" if self.quarter is None else f"{self.year}Q{self.quarter}"

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.quarter is None else (self.quarter - 1) * 3 + 1, 1)

    @property
    def end(self) -> date:
        """The last day of the period (included)."""
        if self.quarter is None or self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, self.quarter * 3 + 1, 1) - timedelta(days=1)

    @property
    def starts_at(self) -> datetime:
        return local_midnight(self.start)

    @property
    def ends_at(self) -> datetime:
        """The first instant after the period: midnight after its last day (excluded)."""
        return local_midnight(self.end + timedelta(days=1))

    @property
    def label(self) -> str:
        """ "2026 年第三季度" or "2026 年度"."""
        if self.quarter is None:
            return _("%(year)d 年度") % {"year": self.year}
        names = {1: _("第一季度"), 2: _("第二季度"), 3: _("第三季度"), 4: _("第四季度")}
        return _("%(year)d 年%(quarter)s") % {"year": self.year, "quarter": names[self.quarter]}

    def quarters(self) -> list[Period]:
        """The quarters of the period: itself for a quarter, the four of a year."""
        if self.quarter is not None:
            return [self]
        return [Period(self.year, q) for q in (1, 2, 3, 4)]

    def __str__(self) -> str:
        return self.code


def period_parse(text: str | None, *, field: str = "period") -> Period:
    """ "2026Q3" (also "2026q3") → the third quarter of 2026; "2026" → the year. Anything else: Invalid on
    `field`, in Chinese."""
    match = _PATTERN.match((text or "").strip())
    year = int(match["year"]) if match else 0
    if match is None or not MIN_YEAR <= year <= MAX_YEAR:
        message = _("统计期格式不正确：季度写作 2026Q3，年度写作 2026。")
        raise Invalid(message, fields={field: [message]})
    return Period(year, int(match["quarter"]) if match["quarter"] else None)


def current_quarter(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(today.year, (today.month - 1) // 3 + 1)


def current_year(today: date | None = None) -> Period:
    return Period((today or timezone.localdate()).year)


def previous_quarter(today: date | None = None) -> Period:
    """The last quarter that has ended: what a circular or an appraisal usually covers."""
    today = today or timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    return Period(today.year - 1, 4) if quarter == 1 else Period(today.year, quarter - 1)


def period_choices(today: date | None = None, *, years: int = 2) -> list[Period]:
    """Recent periods, newest first: the quarters of this year up to the current one and of the `years - 1`
    before, each year listed after its first quarter."""
    today = today or timezone.localdate()
    current = (today.month - 1) // 3 + 1
    result: list[Period] = []
    for year in range(today.year, today.year - years, -1):
        last = current if year == today.year else 4
        result.extend(Period(year, q) for q in range(last, 0, -1))
        result.append(Period(year))
    return result
