import pytest

from baodao.accounts.models import Role
from tests import factories


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # world() creates a dozen accounts; the production hasher would make each test take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def d2_admin(w):
    """The district admin of D2: an admin, but of another district."""
    return factories.user(Role.DISTRICT_ADMIN, region_=w.r("D2"), name="西山区组织部")
