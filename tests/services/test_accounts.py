from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from baodao.accounts.models import ApiToken, Grant, Role, User
from baodao.accounts.scope import scope_for
from baodao.accounts.services import (
    grant_add,
    grant_check,
    password_set,
    token_issue,
    token_user,
    user_create,
)
from baodao.audit.models import Action, AuditEvent
from baodao.lib.errors import Conflict, Invalid
from baodao.members.models import Member
from tests import factories
from tests.factories import ID_NUMBERS, PASSWORD

OK, NOT_FOUND, FORBIDDEN_ROLE = "ok", "404", "forbidden_role"

# (actor, role, target region or unit code) → outcome
GRANT_MATRIX = [
    ("district_admin", Role.DISTRICT_ADMIN, "D1", OK),
    ("district_admin", Role.STREET_ADMIN, "S2", OK),
    ("district_admin", Role.COMMUNITY_ADMIN, "C3", OK),
    ("district_admin", Role.GRID_WORKER, "C1G1", OK),
    ("district_admin", Role.RESIDENT, "C1", OK),
    ("district_admin", Role.UNIT_ADMIN, "U3", OK),
    ("district_admin", Role.MEMBER, "U1", OK),
    ("district_admin", Role.AUDITOR, "D1", OK),
    ("district_admin", Role.SECURITY_ADMIN, "D1", OK),
    ("district_admin", Role.STREET_ADMIN, "S3", NOT_FOUND),
    ("district_admin", Role.UNIT_ADMIN, "U4", NOT_FOUND),
    ("street_admin", Role.STREET_ADMIN, "S1", OK),
    ("street_admin", Role.COMMUNITY_ADMIN, "C2", OK),
    ("street_admin", Role.GRID_WORKER, "C1G2", OK),
    ("street_admin", Role.RESIDENT, "C1", OK),
    ("street_admin", Role.UNIT_ADMIN, "U2", OK),
    ("street_admin", Role.MEMBER, "U1", OK),
    ("street_admin", Role.DISTRICT_ADMIN, "D1", NOT_FOUND),
    ("street_admin", Role.AUDITOR, "D1", NOT_FOUND),
    ("street_admin", Role.STREET_ADMIN, "S2", NOT_FOUND),
    ("street_admin", Role.COMMUNITY_ADMIN, "C3", NOT_FOUND),
    ("street_admin", Role.UNIT_ADMIN, "U3", NOT_FOUND),
    ("community_admin", Role.COMMUNITY_ADMIN, "C1", OK),
    ("community_admin", Role.GRID_WORKER, "C1G2", OK),
    ("community_admin", Role.RESIDENT, "C1", OK),
    ("community_admin", Role.GRID_WORKER, "C2G1", NOT_FOUND),
    ("community_admin", Role.RESIDENT, "C2", NOT_FOUND),
    ("community_admin", Role.STREET_ADMIN, "S1", NOT_FOUND),
    ("community_admin", Role.UNIT_ADMIN, "U1", NOT_FOUND),  # units belong to streets, not communities
    ("community_admin", Role.MEMBER, "U1", NOT_FOUND),
    ("grid_worker", Role.GRID_WORKER, "C1G1", FORBIDDEN_ROLE),
    # A grid worker may hand out only `resident`, but residents are granted on a community, which no grid
    # covers: in effect a grid worker grants nothing. Open question: should it add residents of its grid?
    ("grid_worker", Role.RESIDENT, "C1", NOT_FOUND),
    ("unit_admin", Role.UNIT_ADMIN, "U1", OK),
    ("unit_admin", Role.MEMBER, "U1", OK),
    ("unit_admin", Role.MEMBER, "U2", NOT_FOUND),
    ("unit_admin", Role.RESIDENT, "C1", NOT_FOUND),
    ("unit_admin", Role.COMMUNITY_ADMIN, "C1", NOT_FOUND),
    ("member", Role.MEMBER, "U1", NOT_FOUND),
    ("member", Role.RESIDENT, "C1", NOT_FOUND),
    ("resident", Role.RESIDENT, "C1", NOT_FOUND),
]


def _target(w, code):
    if code in w.units:
        return {"region": None, "unit": w.units[code]}
    return {"region": w.r(code), "unit": None}


@pytest.mark.parametrize(("actor", "role", "code", "outcome"), GRANT_MATRIX)
def test_it_checks_who_may_grant_which_role_where(w, actor, role, code, outcome):
    def check():
        grant_check(w.users[actor], role=role, **_target(w, code))

    if outcome == OK:
        check()
    elif outcome == NOT_FOUND:
        with pytest.raises(Http404):
            check()
    else:
        with pytest.raises(Invalid) as exc:
            check()
        assert exc.value.code == "forbidden_role"
        assert exc.value.detail == "您不能授予该角色。"


def test_an_inactive_admin_grants_nothing(w):
    admin = w.users["district_admin"]
    admin.is_active = False
    with pytest.raises(Http404):
        grant_check(admin, role=Role.RESIDENT, region=w.r("C1"), unit=None)


@pytest.mark.parametrize(
    ("role", "code", "field"),
    [
        ("king", "C1", "role"),
        (Role.UNIT_ADMIN, "C1", "unit"),  # a unit role needs a unit
        (Role.COMMUNITY_ADMIN, "U1", "region"),  # a region role needs a region
        (Role.COMMUNITY_ADMIN, "S1", "region"),  # at the community level
        (Role.GRID_WORKER, "C1", "region"),
        (Role.DISTRICT_ADMIN, "S1", "region"),
    ],
)
def test_it_refuses_malformed_grants(w, role, code, field):
    with pytest.raises(Invalid) as exc:
        grant_check(w.users["district_admin"], role=role, **_target(w, code))
    assert field in exc.value.fields
    # The same for the bootstrap, which has no actor.
    with pytest.raises(Invalid):
        grant_check(None, role=role, **_target(w, code))


def test_it_adds_a_grant_and_audits_it(w):
    target = factories.user(name="新网格员")
    grant = grant_add(
        actor=w.users["community_admin"], user=target, role=Role.GRID_WORKER, region=w.r("C1G2")
    )
    assert (grant.role, grant.region, grant.unit) == (Role.GRID_WORKER, w.r("C1G2"), None)
    event = AuditEvent.objects.get(action=Action.GRANT_ADDED, target_id=str(target.pk))
    assert event.actor == w.users["community_admin"]
    assert event.detail == {"role": "grid_worker", "region": "C1G2", "unit": None}
    with pytest.raises(Conflict):
        grant_add(actor=w.users["community_admin"], user=target, role=Role.GRID_WORKER, region=w.r("C1G2"))
    assert Grant.objects.filter(user=target).count() == 1


def test_it_passes_on_unmasking_only_to_admins_that_already_hold_it(w):
    target = factories.user(name="新管理员")
    # The community admin of C1 may unmask in C1, so it may let a grid worker of C1 do so.
    grant_add(
        actor=w.users["community_admin"],
        user=target,
        role=Role.GRID_WORKER,
        region=w.r("C1G1"),
        can_unmask=True,
    )
    # The street admin may not unmask itself, so it cannot hand the permission out (not even to itself).
    with pytest.raises(Invalid) as exc:
        grant_add(
            actor=w.users["street_admin"],
            user=w.users["street_admin"],
            role=Role.COMMUNITY_ADMIN,
            region=w.r("C2"),
            can_unmask=True,
        )
    assert "can_unmask" in exc.value.fields
    with pytest.raises(Invalid):
        grant_add(
            actor=w.users["other_community_admin"],
            user=target,
            role=Role.GRID_WORKER,
            region=w.r("C2G1"),
            can_unmask=True,
        )
    assert not Grant.objects.filter(user=w.users["street_admin"], role=Role.COMMUNITY_ADMIN).exists()


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MEMBER, Role.AUDITOR])
def test_it_gives_unmasking_to_admin_roles_only(w, role):
    target = factories.user(name="某人")
    region = {Role.RESIDENT: w.r("C1"), Role.AUDITOR: w.r("D1")}.get(role)
    unit = w.units["U1"] if role == Role.MEMBER else None
    with pytest.raises(Invalid):
        grant_add(
            actor=w.users["district_admin"], user=target, role=role, region=region, unit=unit, can_unmask=True
        )


def test_a_resident_grant_with_unmasking_unmasks_nothing(w):
    # Rows written without the service (an old import, the admin site) must not widen the scope either.
    resident = factories.user(Role.RESIDENT, region_=w.r("C1"), can_unmask=True)
    assert scope_for(resident).unmask_paths == ()


# ---- user_create ----------------------------------------------------------------------------------------


def _create_member(w, **overrides):
    kwargs = {
        "actor": w.users["unit_admin"],
        "phone": "13912345678",
        "name": "新党员",
        "password": PASSWORD,
        "role": Role.MEMBER,
        "unit": w.units["U1"],
        "region": w.r("C1"),
        "id_number": ID_NUMBERS[2],
        "skills": ["法律咨询", "it"],
    }
    kwargs.update(overrides)
    return user_create(**kwargs)


def test_it_creates_a_member_with_its_grant_and_profile(w):
    user = _create_member(w, phone=" 139-1234-5678 ")
    assert user.phone == "13912345678"
    assert user.check_password(PASSWORD)
    assert list(user.grants.values_list("role", "unit__code")) == [("member", "U1")]
    member = Member.objects.get(user=user)
    assert (member.unit, member.community, member.skills) == (w.units["U1"], w.r("C1"), ["legal", "it"])
    assert member.id_number_masked == "440***********1231"
    actions = set(AuditEvent.objects.filter(target_id=str(user.pk)).values_list("action", flat=True))
    assert actions == {Action.USER_CREATED, Action.GRANT_ADDED}


def test_it_creates_an_admin_without_a_password(w):
    user = user_create(
        actor=w.users["community_admin"],
        phone="13912345679",
        name="网格员乙",
        password=None,
        role=Role.GRID_WORKER,
        region=w.r("C1G2"),
    )
    assert not user.has_usable_password()
    assert not Member.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"id_number": "440106199003071232"}, Invalid),  # wrong check digit
        ({"id_number": ID_NUMBERS[0]}, Conflict),  # another member's number
        ({"skills": ["唱歌"]}, Invalid),
        ({"region": "S1"}, Invalid),  # a member lives in a community or a grid, not a street
    ],
)
def test_it_creates_nothing_when_the_profile_is_refused(w, overrides, error):
    if "region" in overrides:
        overrides = {"region": w.r(overrides["region"])}
    users, grants, events = User.objects.count(), Grant.objects.count(), AuditEvent.objects.count()
    with pytest.raises(error):
        _create_member(w, **overrides)
    assert not User.objects.filter(phone="13912345678").exists()
    assert (User.objects.count(), Grant.objects.count(), AuditEvent.objects.count()) == (
        users,
        grants,
        events,
    )


def test_it_places_a_member_created_with_a_grid_in_its_community(w):
    user = _create_member(w, region=w.r("C1G2"))
    member = Member.objects.get(user=user)
    assert (member.community, member.grid, member.residence_path) == (
        w.r("C1"),
        w.r("C1G2"),
        "D1/S1/C1/C1G2/",
    )


def test_it_refuses_a_duplicate_phone(w):
    existing = w.users["member"].phone
    with pytest.raises(Conflict) as exc:
        _create_member(w, phone=existing, id_number=None)
    assert exc.value.code == "duplicate"
    assert "phone" in exc.value.fields
    with pytest.raises(Conflict):
        _create_member(w, phone=f"{existing[:3]} {existing[3:7]} {existing[7:]}", id_number=None)


@pytest.mark.parametrize(
    "phone", ["", "1380000000", "138000000011", "23800000000", "12800000000", "1380000000a"]
)
def test_it_refuses_a_malformed_phone(w, phone):
    with pytest.raises(Invalid) as exc:
        _create_member(w, phone=phone)
    assert exc.value.fields == {"phone": ["手机号格式不正确。"]}


def test_it_refuses_an_empty_name(w):
    with pytest.raises(Invalid) as exc:
        _create_member(w, name="  ")
    assert "name" in exc.value.fields


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Ab#1", "密码长度太短。密码必须包含至少 8 个字符。"),
        ("12345678", "这个密码太常见了。"),
        ("73519824", "密码只包含数字。"),
        ("password", "这个密码太常见了。"),
    ],
)
def test_it_explains_a_weak_password_in_chinese(w, password, expected):
    with pytest.raises(Invalid) as exc:
        _create_member(w, password=password)
    assert exc.value.detail.startswith("密码不符合要求：")
    assert expected in exc.value.fields["password"]
    # Every message is Chinese: no ASCII sentence slipped through untranslated.
    for message in exc.value.fields["password"]:
        assert not any("a" <= ch.lower() <= "z" for ch in message), message


def test_it_refuses_an_account_out_of_scope_before_anything_else(w):
    with pytest.raises(Http404):
        _create_member(w, actor=w.users["other_unit_admin"])
    assert not User.objects.filter(phone="13912345678").exists()


def test_it_sets_a_password_through_the_validators(w):
    user = w.users["member"]
    with pytest.raises(Invalid):
        password_set(user=user, password="12345678")
    password_set(user=user, password="Xin#Mima2026")
    user.refresh_from_db()
    assert user.check_password("Xin#Mima2026")


# ---- tokens ---------------------------------------------------------------------------------------------


def test_it_issues_a_token_stored_only_as_a_hash(w):
    user = w.users["member"]
    key = token_issue(user=user)
    token = ApiToken.objects.get(user=user)
    assert key not in token.key_hash
    assert len(token.key_hash) == 64
    assert token.expires_at > timezone.now() + timedelta(days=29)
    assert token_user(key) == user
    assert AuditEvent.objects.filter(action=Action.TOKEN_ISSUED, actor=user).count() == 1


def test_it_issues_a_different_token_each_time(w):
    user = w.users["member"]
    assert token_issue(user=user) != token_issue(user=user)
    assert ApiToken.objects.filter(user=user).count() == 2


def test_it_refuses_unknown_and_expired_tokens(w):
    user = w.users["member"]
    key = token_issue(user=user)
    assert token_user(key + "x") is None
    assert token_user("") is None
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert token_user(key) is None


def test_it_refuses_the_token_of_a_deactivated_user(w):
    user = w.users["member"]
    key = token_issue(user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert token_user(key) is None


def test_it_notes_when_a_token_was_last_used(w):
    user = w.users["member"]
    key = token_issue(user=user)
    token_user(key)
    first = ApiToken.objects.get(user=user).last_used_at
    assert first is not None
    token_user(key)  # within five minutes: no write
    assert ApiToken.objects.get(user=user).last_used_at == first
