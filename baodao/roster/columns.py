"""The columns of a roster file: their names in the template, the other header spellings accepted, and how
the header row is found.

Headers are matched leniently: full-width characters are folded (NFKC), all whitespace and asterisks are
ignored, and so is a note in brackets ("身份证号（选填）"). The header may sit below a title row: the
first rows are searched for it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

NAME = "name"
PHONE = "phone"
ID_NUMBER = "id_number"
BRANCH = "branch"
COMMUNITY = "community"
GRID = "grid"
ADDRESS = "address"
SKILLS = "skills"
REMARK = "remark"

#: The template's columns, in its order.
ORDER = (NAME, PHONE, ID_NUMBER, BRANCH, COMMUNITY, GRID, ADDRESS, SKILLS, REMARK)
REQUIRED = (NAME, PHONE)
#: How many rows from the top may hold the header (a title row or two above it is common).
HEADER_SCAN = 20

LABELS: dict[str, Promise] = {
    NAME: pgettext_lazy("roster column", "姓名"),
    PHONE: pgettext_lazy("roster column", "手机号"),
    ID_NUMBER: pgettext_lazy("roster column", "身份证号"),
    BRANCH: pgettext_lazy("roster column", "所在支部"),
    COMMUNITY: pgettext_lazy("roster column", "居住社区"),
    GRID: pgettext_lazy("roster column", "网格"),
    ADDRESS: pgettext_lazy("roster column", "住址"),
    SKILLS: pgettext_lazy("roster column", "特长"),
    REMARK: pgettext_lazy("roster column", "备注"),
}

# Translators: other header spellings accepted for a roster column, separated by "|". Add the usual
# spellings of your language; keep the Chinese ones.
SPELLINGS: dict[str, Promise] = {
    NAME: pgettext_lazy("roster column spellings", "党员姓名"),
    PHONE: pgettext_lazy("roster column spellings", "手机|手机号码|联系电话|联系方式"),
    ID_NUMBER: pgettext_lazy("roster column spellings", "身份证|身份证号码|公民身份号码"),
    BRANCH: pgettext_lazy("roster column spellings", "支部|党支部|所在党支部"),
    COMMUNITY: pgettext_lazy("roster column spellings", "社区|居住社区名称|社区编码"),
    GRID: pgettext_lazy("roster column spellings", "所在网格|网格名称"),
    ADDRESS: pgettext_lazy("roster column spellings", "家庭住址|楼栋|楼栋住址|居住地址"),
    SKILLS: pgettext_lazy("roster column spellings", "兴趣特长|特长爱好"),
    REMARK: pgettext_lazy("roster column spellings", "说明"),
}

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_IGNORED = re.compile(r"[\s*]+")


def label(key: str) -> str:
    return str(LABELS[key])


def normalise_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value if value is not None else ""))
    return _BRACKETED.sub("", _IGNORED.sub("", text)).lower()


def _spellings() -> dict[str, tuple[str, int]]:
    """Normalised spelling -> (column, rank); rank 0 is the template's own name."""
    found: dict[str, tuple[str, int]] = {}
    for key in ORDER:
        names = [str(LABELS[key]), *str(SPELLINGS[key]).split("|")]
        for rank, name in enumerate(names):
            found.setdefault(normalise_header(name), (key, rank))
    return found


def header_columns(row: Sequence[Any]) -> dict[str, int]:
    """Column key -> index in `row` for every cell that names a roster column. When two cells name the
    same column (a sheet with both 手机号码 and 联系电话), the template's own name wins, then the
    spelling listed first, then the leftmost cell."""
    spellings = _spellings()
    best: dict[str, tuple[int, int]] = {}
    for index, cell in enumerate(row):
        match = spellings.get(normalise_header(cell))
        if match is None:
            continue
        key, rank = match
        if key not in best or rank < best[key][0]:
            best[key] = (rank, index)
    return {key: index for key, (_rank, index) in best.items()}


def missing_columns_message(found: dict[str, int]) -> str:
    missing = [label(k) for k in REQUIRED if k not in found]
    return _("缺少必填列：%(missing)s。表头应包含：%(expected)s（见名册模板）。") % {
        "missing": _("、").join(missing),
        "expected": _("、").join(label(k) for k in ORDER),
    }
