"""`seed_demo`: a realistic demo street, built once; every run prints one login per role."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from baodao.demo.seed import DEMO_MEMBERS, MAX_COMMUNITIES, demo_logins, seed_demo
from baodao.lib.errors import DomainError

COUNT_LABELS = (
    ("communities", "社区"),
    ("grids", "网格"),
    ("units", "单位"),
    ("members", "在职党员"),
    ("registered", "已报到"),
    ("pending", "待确认"),
    ("rejected", "已驳回"),
    ("ended", "已结束（历史）"),
    ("unit_registrations", "单位共建报到"),
)


class Command(BaseCommand):
    help = (
        "载入演示数据（一个街道、39 个社区、约一万名在职党员），并列出各角色的演示账号；已载入时只列出账号。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=10_000, help="党员人数（默认 10000）")
        parser.add_argument(
            "--communities", type=int, default=MAX_COMMUNITIES, help=f"社区数（1–{MAX_COMMUNITIES}）"
        )
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="打印页面地址时使用的网址")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["communities"] <= MAX_COMMUNITIES:
            raise CommandError(f"--communities 应在 1 到 {MAX_COMMUNITIES} 之间。")
        if options["members"] < DEMO_MEMBERS:
            raise CommandError(f"--members 至少为 {DEMO_MEMBERS}（含演示党员）。")
        try:
            summary = seed_demo(
                members=options["members"],
                communities=options["communities"],
                progress=lambda message: self.stdout.write(f"  · {message}"),
            )
        except (DomainError, IntegrityError) as exc:
            raise CommandError(f"无法载入演示数据，与数据库中已有数据冲突：{exc}") from None

        counts = "，".join(f"{label} {summary.counts[key]:,}" for key, label in COUNT_LABELS)
        if summary.created:
            self.stdout.write(self.style.SUCCESS(f"演示数据已载入，用时 {summary.seconds:.1f} 秒。"))
        else:
            self.stdout.write(f"演示数据已存在，未做修改（{summary.seconds:.1f} 秒）。")
        self.stdout.write(counts)
        self.stdout.write("")
        self.stdout.write(f"演示账号（登录页 {options['base_url']}/login/）：")
        rows = [("角色", "代码", "姓名", "手机号", "密码", "打开页面")]
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
            "试一试报到：用“在职党员（待报到）”账号提交报到申请，再用“社区党委书记”账号在报到审核页确认。"
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
