import pytest

from tests.mobilizations.helpers import Cast, cast_of


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # the crowds below create many accounts; the production hasher is slow on purpose
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def c(w) -> Cast:
    """The standard world with `member` (C1G1) and a second member `helper` (C1G2) registered in C1."""
    return cast_of(w)
