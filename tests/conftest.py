import pytest

from tests import factories


@pytest.fixture
def w(db):
    """The standard cast (see tests/factories.py)."""
    return factories.world()


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def as_user(client):
    """`as_user(user)` signs the Django test client in as that person and returns it."""

    def sign_in(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return sign_in


@pytest.fixture
def api_as(api):
    """`api_as(user)` returns an API client carrying a real bearer token of that person."""
    from baodao.accounts.services import token_issue

    def sign_in(user):
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user)}")
        return api

    return sign_in
