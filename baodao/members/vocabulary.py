"""Parsing of the controlled vocabularies (skills, weekdays) from codes or Chinese labels."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from baodao.lib.errors import Invalid

from .models import DayPart, Skill, Weekday

MAX_TAGS = 10
MAX_TAG_LENGTH = 20


def parse_skills(values: Iterable[str], *, field: str = "skills") -> list[str]:
    """Codes (`legal`) or labels (`法律咨询`), in order, without repeats. Unknown values are an error."""
    by_label = {str(label): code for code, label in Skill.choices}
    result: list[str] = []
    unknown: list[str] = []
    for raw in values:
        value = str(raw).strip()
        if not value:
            continue
        code = value if value in Skill.values else by_label.get(value)
        if code is None:
            unknown.append(value)
        elif code not in result:
            result.append(code)
    if unknown:
        separator = _("、")
        raise Invalid(
            _("无法识别的特长：%(unknown)s。可选：%(choices)s。")
            % {"unknown": separator.join(unknown), "choices": separator.join(by_label)},
            fields={field: [_("无法识别：%(unknown)s") % {"unknown": separator.join(unknown)}]},
        )
    return result


def parse_tags(values: Iterable[str]) -> list[str]:
    tags: list[str] = []
    for raw in values:
        tag = str(raw).strip()
        if tag and tag not in tags:
            if len(tag) > MAX_TAG_LENGTH:
                raise Invalid(
                    ngettext(
                        "标签“%(tag)s…”过长，最多 %(max)d 个字。",
                        "标签“%(tag)s…”过长，最多 %(max)d 个字。",
                        MAX_TAG_LENGTH,
                    )
                    % {"tag": tag[:10], "max": MAX_TAG_LENGTH},
                    fields={"tags": [_("标签过长。")]},
                )
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise Invalid(
            ngettext("标签最多 %(max)d 个。", "标签最多 %(max)d 个。", MAX_TAGS) % {"max": MAX_TAGS},
            fields={
                "tags": [ngettext("最多 %(max)d 个。", "最多 %(max)d 个。", MAX_TAGS) % {"max": MAX_TAGS}]
            },
        )
    return tags


def parse_availability(values: Iterable[str]) -> list[str]:
    """Slots like `sat-morning` (weekday code, dash, part of day)."""
    slots: list[str] = []
    for raw in values:
        slot = str(raw).strip()
        day, _dash, part = slot.partition("-")
        if day not in Weekday.values or part not in DayPart.values:
            raise Invalid(
                _("可服务时间“%(slot)s”格式不对，应为如 sat-morning。") % {"slot": slot},
                fields={"availability": [_("格式应为 周几-时段，如 sat-morning。")]},
            )
        if slot not in slots:
            slots.append(slot)
    return slots


def availability_labels(slots: Iterable[str]) -> list[str]:
    days = dict(Weekday.choices)
    parts = dict(DayPart.choices)
    out = []
    for slot in slots:
        day, _dash, part = slot.partition("-")
        out.append(f"{days.get(day, day)}{parts.get(part, part)}")
    return out
