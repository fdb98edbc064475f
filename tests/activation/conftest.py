import re

import pytest
from django.contrib.auth.hashers import make_password

from baodao.accounts.models import User
from baodao.notify.models import Outbox
from tests import factories

NEW_PASSWORD = "Xingfu#2026"
BAD_CODE = "手机号或激活码不正确，或激活码已失效。"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # world() creates a dozen accounts; the production hasher would make each test take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def without_password(member, *, blank: bool = False):
    """The member's account as a roster import leaves it: no usable password (or, `blank`, none at all, as a
    bulk insert that never set one would)."""
    User.objects.filter(pk=member.user_id).update(password="" if blank else make_password(None))
    member.user.refresh_from_db()
    return member


@pytest.fixture
def newcomer(w):
    """A member of U1 living in C1 (grid C1G1), imported with the roster: no password yet."""
    m = factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G1"), name="陈新")
    return without_password(m)


@pytest.fixture
def stranger(w):
    """A member of U3 living in C3 (street S2): imported, no password, outside most of the world's scopes."""
    m = factories.member(w.units["U3"], community=w.r("C3"), grid=w.r("C3G1"), name="钱远")
    return without_password(m)


def texted_code(phone: str) -> str:
    """The code in the newest text message kept for `phone`."""
    text = Outbox.objects.filter(phone=phone).values_list("text", flat=True).first()
    assert text, f"no text message to {phone}"
    return re.search(r"\b(\d{8})\b", text).group(1)


@pytest.fixture
def anon():
    """An API client without credentials (a separate one: `api_as` adds credentials to `api`)."""
    from rest_framework.test import APIClient

    return APIClient()
