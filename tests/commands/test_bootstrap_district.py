from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from baodao.accounts.models import Grant, Role, User
from baodao.audit.models import AuditEvent
from baodao.org.models import Region
from tests import factories

ARGS = {"code": "DH", "name": "东湖区", "admin_phone": "13912345678", "admin_password": "Dh#Admin2026"}


def bootstrap(**overrides):
    out = StringIO()
    call_command("bootstrap_district", stdout=out, **{**ARGS, **overrides})
    return out.getvalue()


def test_it_creates_the_district_and_its_first_admin(db):
    output = bootstrap()

    district = Region.objects.get(code="DH")
    assert (district.name, district.level, district.parent, district.path) == (
        "东湖区",
        "district",
        None,
        "DH/",
    )
    admin = User.objects.get(phone="13912345678")
    assert admin.check_password("Dh#Admin2026")
    grant = Grant.objects.get(user=admin)
    assert (grant.role, grant.region, grant.can_unmask) == (Role.DISTRICT_ADMIN, district, True)
    assert "已新建区：东湖区（DH）" in output
    assert "13912345678" in output


def test_it_changes_nothing_when_run_again(db):
    bootstrap()
    counts = (Region.objects.count(), User.objects.count(), Grant.objects.count(), AuditEvent.objects.count())

    output = bootstrap(admin_password="Another#Pass99")

    assert "已存在，未做任何修改" in output
    assert (
        Region.objects.count(),
        User.objects.count(),
        Grant.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
    assert User.objects.get(phone="13912345678").check_password("Dh#Admin2026")


def test_it_adds_a_second_admin_to_an_existing_district(db):
    bootstrap()

    output = bootstrap(admin_phone="13912345679")

    assert "已存在，未修改" in output
    assert Grant.objects.filter(role=Role.DISTRICT_ADMIN, region__code="DH").count() == 2


def test_it_refuses_a_phone_held_by_someone_else(db):
    factories.user(phone="13912345678", name="张三")

    with pytest.raises(CommandError, match="手机号 13912345678 已被其他用户使用"):
        bootstrap()

    assert not Region.objects.filter(code="DH").exists()


def test_it_refuses_a_code_held_by_a_region_that_is_not_a_district(db):
    d = factories.region("D9", "西山区")
    factories.region("DH", "大塘街道", d)

    with pytest.raises(CommandError, match="编码 DH 已被街道“大塘街道”使用"):
        bootstrap()

    assert not User.objects.filter(phone="13912345678").exists()


def test_it_refuses_an_existing_district_code_under_another_name(db):
    factories.region("DH", "西湖区")

    with pytest.raises(CommandError, match="名称为“西湖区”"):
        bootstrap()


def test_it_refuses_a_weak_password_and_leaves_nothing_behind(db):
    with pytest.raises(CommandError, match="密码不符合要求"):
        bootstrap(admin_password="12345678")

    assert not Region.objects.exists()
    assert not User.objects.exists()


def test_it_refuses_a_malformed_phone_number(db):
    with pytest.raises(CommandError, match="手机号格式不正确"):
        bootstrap(admin_phone="12345")

    assert not Region.objects.exists()
