"""`seed_demo`: a realistic demo street, built once; every run prints one login per role."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baodao.demo.seed import DEMO_MEMBERS, MAX_COMMUNITIES, demo_logins, seed_demo
from baodao.lib.errors import DomainError

COUNT_LABELS = (
    ("communities", gettext_lazy("社区")),
    ("grids", gettext_lazy("网格")),
    ("units", gettext_lazy("单位")),
    ("members", gettext_lazy("在职党员")),
    ("registered", gettext_lazy("已报到")),
    ("pending", gettext_lazy("待确认")),
    ("rejected", gettext_lazy("已驳回")),
    ("ended", gettext_lazy("已结束（历史）")),
    ("unit_registrations", gettext_lazy("单位共建报到")),
    ("needs", gettext_lazy("需求")),
)


class Command(BaseCommand):
    # Translated now, not lazily: argparse needs a real string (commands are imported after set-up).
    help = _(
        "载入演示数据（一个街道、39 个社区、约一万名在职党员），并列出各角色的演示账号；已载入时只列出账号。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=10_000, help=_("党员人数（默认 10000）"))
        parser.add_argument(
            "--communities",
            type=int,
            default=MAX_COMMUNITIES,
            help=_("社区数（1–%(max)d）") % {"max": MAX_COMMUNITIES},
        )
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help=_("打印页面地址时使用的网址"))

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["communities"] <= MAX_COMMUNITIES:
            raise CommandError(_("--communities 应在 1 到 %(max)d 之间。") % {"max": MAX_COMMUNITIES})
        if options["members"] < DEMO_MEMBERS:
            raise CommandError(_("--members 至少为 %(min)d（含演示党员）。") % {"min": DEMO_MEMBERS})
        try:
            summary = seed_demo(
                members=options["members"],
                communities=options["communities"],
                progress=lambda message: self.stdout.write(f"  · {message}"),
            )
        except (DomainError, IntegrityError) as exc:
            raise CommandError(
                _("无法载入演示数据，与数据库中已有数据冲突：%(error)s") % {"error": exc}
            ) from None

        counts = _("，").join(f"{label} {summary.counts[key]:,}" for key, label in COUNT_LABELS)
        if summary.created:
            self.stdout.write(
                self.style.SUCCESS(
                    _("演示数据已载入，用时 %(seconds).1f 秒。") % {"seconds": summary.seconds}
                )
            )
        else:
            self.stdout.write(
                _("演示数据已存在，未做修改（%(seconds).1f 秒）。") % {"seconds": summary.seconds}
            )
        self.stdout.write(counts)
        self.stdout.write("")
        self.stdout.write(_("演示账号（登录页 %(url)s）：") % {"url": f"{options['base_url']}/login/"})
        rows = [(_("角色"), _("代码"), _("姓名"), _("手机号"), _("密码"), _("打开页面"))]
        rows += [
            (
                login.label,
                login.role,
                login.name,
                login.phone,
                login.password,
                options["base_url"] + login.page,
            )
            for login in demo_logins()
        ]
        self.stdout.write(_table(rows))
        self.stdout.write(
            _("试一试报到：用“在职党员（待报到）”账号提交报到申请，再用“社区党委书记”账号在报到审核页确认。")
        )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: Sequence[Sequence[str]]) -> str:
    """Columns aligned for a terminal, counting a Chinese character as two columns."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
