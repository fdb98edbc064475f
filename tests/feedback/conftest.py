import pytest

from tests.circulars.helpers import _roster_long_ago  # noqa: F401  (autouse)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
