import pytest

from tests.appraisals.helpers import Cast, cast_of


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def c(w) -> Cast:
    return cast_of(w)
