"""The cast for pre-appointment checks: the world's member (U1) registered in C1, and a member of U1 who
never registered."""

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reg(w):
    """The world's member, registered in C1 (grid C1G1)."""
    return factories.registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])


@pytest.fixture
def newcomer(w):
    """A member of U1 living in C1 who never registered."""
    return factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G2"), name="陈新")
