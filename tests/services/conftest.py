import pytest
from django.test import RequestFactory


@pytest.fixture
def rf_request():
    """`rf_request(ip="…")`: a bare POST request from that address, as a sign-in view would pass on."""
    factory = RequestFactory()

    def make(ip: str = "10.0.0.1", path: str = "/login/"):
        return factory.post(path, REMOTE_ADDR=ip, HTTP_USER_AGENT="pytest")

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # world() creates a dozen accounts; the production hasher would make each test take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
