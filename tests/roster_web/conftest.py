"""Roster pages: files built in code (see tests/roster/conftest.py) and a shortcut to upload one."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.roster.conftest import row, xlsx

__all__ = ["imported_page", "row", "upload", "xlsx"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def upload(client, content, *, unit="U1", mode="all_or_nothing", name="名册.xlsx"):
    """Post the upload form of the unit's import page."""
    return client.post(f"/unit/{unit}/roster/", {"file": SimpleUploadedFile(name, content), "mode": mode})


def imported_page(client, response):
    """Follow an upload's or a commit's redirect to the import's page."""
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"])
