import pytest

from tests.needs.helpers import Cast, cast_of


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # world() and the crowds of members below create many accounts; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def c(w) -> Cast:
    """The standard world plus what the needs tests share: `member` and a second member `helper` registered
    in C1, and the usual people by name."""
    return cast_of(w)
