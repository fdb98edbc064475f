"""The activation rules: issuing, expiry, single use, revocation, lockout, SMS limits, no takeover."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from baodao.accounts.models import Grant, Role, User
from baodao.activation.models import ActivationAttempt, ActivationCode, Channel
from baodao.activation.selectors import members_activatable_by, members_awaiting_activation
from baodao.activation.services import (
    SHEET_MAX,
    ActivationLocked,
    Throttled,
    account_activate,
    activation_code_request,
    activation_codes_issue,
)
from baodao.audit.models import Action, AuditEvent
from baodao.lib.errors import Conflict, Invalid
from baodao.notify.models import Outbox
from tests import factories

from .conftest import BAD_CODE, NEW_PASSWORD, texted_code, without_password


def issue(actor, member):
    [issued] = activation_codes_issue(actor=actor, members=[member])
    return issued


def activate(member, code, password=NEW_PASSWORD):
    return account_activate(phone=member.user.phone, code=code, password=password)


def refused(member, code, password=NEW_PASSWORD):
    with pytest.raises(Invalid) as exc:
        activate(member, code, password)
    return exc.value


def signs_in(member, password=NEW_PASSWORD) -> bool:
    return User.objects.get(pk=member.user_id).check_password(password)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**8:08d}"


# ---- issuing --------------------------------------------------------------------------------------------


def test_it_issues_an_eight_digit_code_kept_only_as_a_keyed_hash(w, newcomer, settings):
    before = timezone.now()
    issued = issue(w.users["unit_admin"], newcomer)
    assert len(issued.code) == 8 and issued.code.isdigit()
    ttl = settings.ACTIVATION_CODE_TTL
    assert ttl == timedelta(hours=72)
    assert before + ttl <= issued.expires_at <= timezone.now() + ttl
    row = ActivationCode.objects.get()
    assert (row.user_id, row.channel, row.issued_by_id) == (
        newcomer.user_id,
        Channel.ADMIN,
        w.users["unit_admin"].pk,
    )
    assert issued.code not in row.code_hash and len(row.code_hash) == 64


def test_it_lets_each_admin_issue_to_the_members_it_administers(w, newcomer, stranger):
    for role in ("unit_admin", "community_admin", "grid_worker", "street_admin", "district_admin"):
        assert newcomer in members_activatable_by(w.users[role]), role
        issue(w.users[role], newcomer)
    assert stranger in members_activatable_by(w.users["district_admin"])
    assert ActivationCode.objects.filter(user=newcomer.user).count() == 5


@pytest.mark.parametrize(
    "role", ["other_unit_admin", "other_community_admin", "far_community_admin", "street_admin", "resident"]
)
def test_it_does_not_find_members_out_of_scope(w, stranger, role):
    with pytest.raises(Http404):
        issue(w.users[role], stranger)
    assert not ActivationCode.objects.exists()


def test_members_do_not_issue_codes_not_even_to_themselves(w, newcomer):
    with pytest.raises(Http404):
        issue(w.users["member"], newcomer)
    admin_member = factories.user("unit_admin", unit_=w.units["U1"])
    assert not members_activatable_by(w.users["member"]).exists()
    assert w.members["member"] in members_activatable_by(admin_member)


def test_it_does_not_issue_codes_to_an_account_that_holds_an_admin_grant(w, newcomer):
    # A member not yet activated who is also the grid worker of a grid its unit admin does not cover:
    # a code from the unit admin would hand that admin the grid worker's account.
    Grant.objects.create(user=newcomer.user, role=Role.GRID_WORKER, region=w.r("C3G1"))
    assert newcomer not in members_activatable_by(w.users["unit_admin"])
    with pytest.raises(Http404):
        issue(w.users["unit_admin"], newcomer)
    assert not ActivationCode.objects.exists()


def test_it_refuses_an_account_that_has_a_password(w, newcomer):
    with pytest.raises(Conflict) as exc:
        issue(w.users["unit_admin"], w.members["member"])
    assert exc.value.code == "has_password"
    assert not ActivationCode.objects.exists()
    assert list(members_awaiting_activation(w.users["unit_admin"])) == [newcomer]


def test_it_issues_in_bulk_all_or_nothing_and_audits_who_not_the_codes(w, newcomer):
    second = without_password(factories.member(w.units["U1"], community=w.r("C1"), name="林二"))
    issued = activation_codes_issue(actor=w.users["unit_admin"], members=[newcomer, second])
    assert {i.user.pk for i in issued} == {newcomer.user_id, second.user_id}
    event = AuditEvent.objects.get(action=Action.ACTIVATION_ISSUED)
    assert event.actor == w.users["unit_admin"]
    assert event.detail == {"channel": "admin", "count": 2, "users": [i.user.pk for i in issued]}
    assert not any(i.code in str(event.detail) for i in issued)
    with pytest.raises(Conflict):
        activation_codes_issue(actor=w.users["unit_admin"], members=[newcomer, w.members["member"]])
    assert ActivationCode.objects.filter(revoked_at__isnull=True).count() == 2


def test_it_caps_one_sheet(w, newcomer):
    with pytest.raises(Invalid):
        activation_codes_issue(actor=w.users["unit_admin"], members=[])
    many = [type(newcomer)(pk=n) for n in range(1, SHEET_MAX + 2)]
    with pytest.raises(Invalid) as exc:
        activation_codes_issue(actor=w.users["unit_admin"], members=many)
    assert exc.value.code == "too_many"


# ---- redeeming ------------------------------------------------------------------------------------------


def test_it_sets_the_first_password_once(w, newcomer):
    code = issue(w.users["unit_admin"], newcomer).code
    assert not signs_in(newcomer)
    user = activate(newcomer, code)
    assert user == newcomer.user and signs_in(newcomer)
    event = AuditEvent.objects.get(action=Action.ACTIVATED)
    assert (event.actor, event.target_id) == (newcomer.user, str(newcomer.user_id))
    assert event.detail == {"channel": "admin", "issued_by": w.users["unit_admin"].pk}
    assert refused(newcomer, code, "Another#2026").detail == BAD_CODE  # used up
    assert signs_in(newcomer)


def test_it_accepts_a_code_typed_with_spaces_and_a_phone_with_dashes(w, newcomer):
    code = issue(w.users["unit_admin"], newcomer).code
    phone = newcomer.user.phone
    account_activate(
        phone=f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", code=f"{code[:4]} {code[4:]}", password=NEW_PASSWORD
    )
    assert signs_in(newcomer)


def test_it_activates_an_account_that_never_had_a_password_field_set(w):
    blank = without_password(factories.member(w.units["U1"], community=w.r("C1"), name="白板"), blank=True)
    assert not signs_in(blank, "")
    activate(blank, issue(w.users["unit_admin"], blank).code)
    assert signs_in(blank)


def test_it_refuses_an_expired_code_with_the_same_message(w, newcomer):
    code = issue(w.users["unit_admin"], newcomer).code
    ActivationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert refused(newcomer, code).detail == BAD_CODE
    assert not signs_in(newcomer)


def test_a_newer_code_revokes_the_older_one(w, newcomer):
    old = issue(w.users["unit_admin"], newcomer).code
    new = issue(w.users["community_admin"], newcomer).code
    assert refused(newcomer, old).detail == BAD_CODE
    activate(newcomer, new)
    assert signs_in(newcomer)
    assert not ActivationCode.objects.filter(used_at__isnull=True, revoked_at__isnull=True).exists()


def test_every_refusal_reads_the_same(w, newcomer, stranger):
    code = issue(w.users["unit_admin"], newcomer).code
    answers = [
        refused(newcomer, wrong(code)),
        account_activate_refused("13999999999", code),  # unknown number
        refused(w.members["member"], code),  # an account with a password
        refused(stranger, code),  # someone else's code
    ]
    assert {(a.code, a.detail) for a in answers} == {("bad_code", BAD_CODE)}


def account_activate_refused(phone, code):
    with pytest.raises(Invalid) as exc:
        account_activate(phone=phone, code=code, password=NEW_PASSWORD)
    return exc.value


def test_it_never_takes_over_an_account_that_has_a_password(w, newcomer):
    code = issue(w.users["unit_admin"], newcomer).code
    newcomer.user.set_password("Chosen#Elsewhere1")  # e.g. an admin set one after the code was printed
    newcomer.user.save()
    assert refused(newcomer, code).detail == BAD_CODE
    assert signs_in(newcomer, "Chosen#Elsewhere1") and not signs_in(newcomer)


def test_a_weak_password_is_explained_and_costs_neither_the_code_nor_a_try(w, newcomer):
    code = issue(w.users["unit_admin"], newcomer).code
    for weak in ("12345678", "short"):
        exc = refused(newcomer, code, weak)
        assert exc.code == "invalid" and exc.fields["password"]
    assert "密码长度太短" in refused(newcomer, code, "short").detail
    assert not ActivationAttempt.objects.exists()
    activate(newcomer, code)
    assert signs_in(newcomer)


def test_five_wrong_codes_lock_the_number_even_for_the_right_code(w, newcomer, settings):
    code = issue(w.users["unit_admin"], newcomer).code
    for _ in range(4):
        assert refused(newcomer, wrong(code)).detail == BAD_CODE
    with pytest.raises(ActivationLocked) as fifth:
        activate(newcomer, wrong(code))
    assert "15 分钟后再试" in str(fifth.value)
    with pytest.raises(ActivationLocked):
        activate(newcomer, code)
    assert not signs_in(newcomer)
    # A minute before the lock ends, a try is still refused; it does not prolong the lock.
    ActivationAttempt.objects.update(at=F("at") - settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
    with pytest.raises(ActivationLocked):
        activate(newcomer, code)
    ActivationAttempt.objects.update(at=F("at") - timedelta(minutes=2))
    activate(newcomer, code)
    assert signs_in(newcomer)


def test_an_unknown_number_locks_alike(db):
    for _ in range(4):
        account_activate_refused("13999999999", "12345678")
    with pytest.raises(ActivationLocked):
        account_activate(phone="13999999999", code="12345678", password=NEW_PASSWORD)


def test_a_locked_number_does_not_lock_another(w, newcomer):
    for _ in range(5):
        with pytest.raises((Invalid, ActivationLocked)):
            account_activate(phone="13999999999", code="00000000", password=NEW_PASSWORD)
    activate(newcomer, issue(w.users["unit_admin"], newcomer).code)
    assert signs_in(newcomer)


# ---- by SMS ---------------------------------------------------------------------------------------------


def test_it_texts_a_code_to_an_account_without_a_password(w, newcomer):
    activation_code_request(phone=newcomer.user.phone)
    message = Outbox.objects.get()
    assert message.phone == newcomer.user.phone
    assert "72 小时内有效" in message.text
    code = texted_code(newcomer.user.phone)
    assert ActivationCode.objects.get().channel == Channel.SMS
    event = AuditEvent.objects.get(action=Action.ACTIVATION_ISSUED)
    assert (event.actor, event.actor_label, event.detail["count"]) == (None, "sms", 1)
    assert code not in str(event.detail)
    activate(newcomer, code)
    assert signs_in(newcomer)


def test_it_sends_nothing_to_an_unknown_number_or_an_account_with_a_password(w):
    activation_code_request(phone="13999999999")
    activation_code_request(phone=w.users["member"].phone)
    assert not Outbox.objects.exists() and not ActivationCode.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.ACTIVATION_ISSUED).exists()


def test_an_sms_code_revokes_a_printed_one(w, newcomer):
    printed = issue(w.users["unit_admin"], newcomer).code
    activation_code_request(phone=newcomer.user.phone)
    assert refused(newcomer, printed).detail == BAD_CODE


@pytest.mark.parametrize("phone", ["13999999999", None])
def test_it_allows_one_request_a_minute_and_five_a_day_for_every_number(w, newcomer, phone):
    phone = phone or newcomer.user.phone
    activation_code_request(phone=phone)
    with pytest.raises(Throttled) as exc:
        activation_code_request(phone=phone)
    assert "每分钟最多申请 1 次" in str(exc.value)
    for _ in range(4):
        ActivationAttempt.objects.update(at=F("at") - timedelta(minutes=2))
        activation_code_request(phone=phone)
    ActivationAttempt.objects.update(at=F("at") - timedelta(minutes=2))
    with pytest.raises(Throttled):
        activation_code_request(phone=phone)
    assert Outbox.objects.count() == (5 if phone == newcomer.user.phone else 0)
    ActivationAttempt.objects.update(at=F("at") - timedelta(days=1))
    activation_code_request(phone=phone)


def test_refused_requests_do_not_prolong_the_wait(w, newcomer):
    phone = newcomer.user.phone
    activation_code_request(phone=phone)
    for _ in range(3):
        with pytest.raises(Throttled):
            activation_code_request(phone=phone)
    ActivationAttempt.objects.update(at=F("at") - timedelta(seconds=61))
    activation_code_request(phone=phone)
    assert Outbox.objects.count() == 2


def test_it_refuses_a_malformed_number(db):
    with pytest.raises(Invalid):
        activation_code_request(phone="12345")
    assert not ActivationAttempt.objects.exists()


def test_it_forgets_tries_after_a_day(w, newcomer):
    activation_code_request(phone=newcomer.user.phone)
    ActivationAttempt.objects.update(at=F("at") - timedelta(days=2))
    account_activate_refused("13999999999", "12345678")
    assert list(ActivationAttempt.objects.values_list("phone", flat=True)) == ["13999999999"]
