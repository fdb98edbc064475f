"""`bootstrap_district`: the first district and its first administrator, on an empty database.

Safe to run again: with the same arguments it changes nothing and says so. Input that contradicts what is
already there (a phone number held by someone else, a code held by a region that is not a district, a
district code under another name) is refused with a Chinese message, never "fixed" silently.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from baodao.accounts.models import Grant, Role, User
from baodao.accounts.services import phone_normalise, user_create
from baodao.lib.errors import DomainError
from baodao.org.models import Level, Region
from baodao.org.services import region_create


class Command(BaseCommand):
    # Translated now, not lazily: argparse needs a real string (commands are imported after set-up).
    help = _("新建一个区及其第一位区级管理员（区委组织部）；重复运行不做任何修改。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help=_("区编码，如 DH"))
        parser.add_argument("--name", required=True, help=_("区名称，如 东湖区"))
        parser.add_argument("--admin-phone", required=True, help=_("管理员手机号（登录用）"))
        parser.add_argument("--admin-password", required=True, help=_("管理员初始密码"))
        parser.add_argument("--admin-name", default=_("区委组织部管理员"), help=_("管理员姓名"))

    def handle(self, *args: Any, **options: Any) -> None:
        code, name = options["code"].strip(), options["name"].strip()
        phone = phone_normalise(options["admin_phone"])
        try:
            with transaction.atomic():
                district, district_created = _district(code, name)
                admin_created = _admin(
                    district, phone, options["admin_password"], options["admin_name"].strip()
                )
        except DomainError as exc:
            raise CommandError(exc.detail) from None

        if not district_created and not admin_created:
            self.stdout.write(
                _("%(district)s（%(code)s）及其管理员 %(phone)s 已存在，未做任何修改。")
                % {"district": district.name, "code": district.code, "phone": phone}
            )
            return
        if district_created:
            self.stdout.write(
                self.style.SUCCESS(
                    _("已新建区：%(district)s（%(code)s）")
                    % {"district": district.name, "code": district.code}
                )
            )
        else:
            self.stdout.write(
                _("区 %(district)s（%(code)s）已存在，未修改。")
                % {"district": district.name, "code": district.code}
            )
        self.stdout.write(
            self.style.SUCCESS(_("已新建区级管理员：%(phone)s，请用该手机号和密码登录。") % {"phone": phone})
        )


def _district(code: str, name: str) -> tuple[Region, bool]:
    existing = Region.objects.filter(code=code).first()
    if existing is None:
        return region_create(actor=None, code=code, name=name, level=Level.DISTRICT, parent=None), True
    if existing.level != Level.DISTRICT:
        raise CommandError(
            _("编码 %(code)s 已被%(level)s“%(name)s”使用，不能再用作区编码。")
            % {"code": code, "level": existing.get_level_display(), "name": existing.name}
        )
    if existing.name != name:
        raise CommandError(
            _("区编码 %(code)s 已存在，名称为“%(existing)s”，与输入的“%(name)s”不一致。")
            % {"code": code, "existing": existing.name, "name": name}
        )
    return existing, False


def _admin(district: Region, phone: str, password: str, name: str) -> bool:
    """Create the district admin unless this phone already administers this district."""
    user = User.objects.filter(phone=phone).first()
    if user is None:
        user_create(
            actor=None,
            phone=phone,
            name=name or _("区委组织部管理员"),
            password=password,
            role=Role.DISTRICT_ADMIN,
            region=district,
            can_unmask=True,
        )
        return True
    if Grant.objects.filter(user=user, role=Role.DISTRICT_ADMIN, region=district).exists():
        return False
    raise CommandError(
        _("手机号 %(phone)s 已被其他用户使用，且不是%(district)s的区级管理员，未做任何修改。")
        % {"phone": phone, "district": district.name}
    )
