"""Parsing of the controlled vocabularies (skills, weekdays) from codes or Chinese labels."""

from __future__ import annotations

from collections.abc import Iterable

from baodao.lib.errors import Invalid

from .models import DayPart, Skill, Weekday

_SKILL_BY_LABEL = {label: code for code, label in Skill.choices}
MAX_TAGS = 10
MAX_TAG_LENGTH = 20


def parse_skills(values: Iterable[str], *, field: str = "skills") -> list[str]:
    """Codes (`legal`) or labels (`法律咨询`), in order, without repeats. Unknown values are an error."""
    result: list[str] = []
    unknown: list[str] = []
    for raw in values:
        value = str(raw).strip()
        if not value:
            continue
        code = value if value in Skill.values else _SKILL_BY_LABEL.get(value)
        if code is None:
            unknown.append(value)
        elif code not in result:
            result.append(code)
    if unknown:
        choices = "、".join(Skill.labels)
        raise Invalid(
            f"无法识别的特长：{'、'.join(unknown)}。可选：{choices}。",
            fields={field: [f"无法识别：{'、'.join(unknown)}"]},
        )
    return result


def parse_tags(values: Iterable[str]) -> list[str]:
    tags: list[str] = []
    for raw in values:
        tag = str(raw).strip()
        if tag and tag not in tags:
            if len(tag) > MAX_TAG_LENGTH:
                raise Invalid(
                    f"标签“{tag[:10]}…”过长，最多 {MAX_TAG_LENGTH} 个字。", fields={"tags": ["标签过长。"]}
                )
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise Invalid(f"标签最多 {MAX_TAGS} 个。", fields={"tags": [f"最多 {MAX_TAGS} 个。"]})
    return tags


def parse_availability(values: Iterable[str]) -> list[str]:
    """Slots like `sat-morning` (weekday code, dash, part of day)."""
    slots: list[str] = []
    for raw in values:
        slot = str(raw).strip()
        day, _, part = slot.partition("-")
        if day not in Weekday.values or part not in DayPart.values:
            raise Invalid(
                f"可服务时间“{slot}”格式不对，应为如 sat-morning。",
                fields={"availability": ["格式应为 周几-时段，如 sat-morning。"]},
            )
        if slot not in slots:
            slots.append(slot)
    return slots


def availability_labels(slots: Iterable[str]) -> list[str]:
    days = dict(Weekday.choices)
    parts = dict(DayPart.choices)
    out = []
    for slot in slots:
        day, _, part = slot.partition("-")
        out.append(f"{days.get(day, day)}{parts.get(part, part)}")
    return out
