import pytest

from tests import factories


def pytest_configure(config):
    """Passwords in tests are hashed with a fast hasher: the default (PBKDF2, a million rounds, a third of a
    second each) would spend seconds building every test's cast. The site itself keeps Django's default."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(items):
    """With pytest-xdist (`--dist loadgroup`), every test that opens connections of its own — threads racing,
    a live server, a worker run for real (`transaction=True`) — goes to one process, so that two crowds of
    connections never meet and PostgreSQL's connection limit is never reached."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction"):
            item.add_marker(pytest.mark.xdist_group("own_connections"))


@pytest.fixture(autouse=True)
def _empty_cache():
    """Counters kept in the cache (wrong codes of a walk-in, …) start from nothing in every test: ids repeat
    from one test's database to the next."""
    from django.core.cache import cache

    cache.clear()


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


#: append-only tables and the migrations that hold their triggers
APPEND_ONLY = {
    "audit_auditevent": "baodao.audit.migrations.0002_append_only",
    "ledger_servicerecord": "baodao.ledger.migrations.0002_append_only",
    "ledger_pointentry": "baodao.ledger.migrations.0003_points_append_only",
}


def _audit_triggers(connection, *, enable: bool) -> None:
    import importlib

    tables = connection.introspection.table_names()
    for table, module in APPEND_ONLY.items():
        if table not in tables:
            continue
        migration = importlib.import_module(module)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} {'ENABLE' if enable else 'DISABLE'} TRIGGER USER")
            elif connection.vendor == "sqlite":
                for sql in migration.SQLITE if enable else migration.SQLITE_REVERSE:
                    cursor.execute(sql)


@pytest.fixture(autouse=True, scope="session")
def _flush_lifts_the_audit_triggers():
    """Tests with transaction=True (threads, a live server) end with a flush of every table, which the
    append-only audit log and service ledger refuse. Lift their triggers for the flush only: they are back
    for the next test."""
    from django.core.management.commands import flush
    from django.db import connections

    original = flush.Command.handle

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        _audit_triggers(connection, enable=False)
        try:
            return original(self, *args, **options)
        finally:
            _audit_triggers(connection, enable=True)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, test in a database file like the one the product runs on, not in Django's shared in-memory
    database: there, a second writer fails at once ("database table is locked") instead of waiting its turn,
    so tests with several threads would not show how the product behaves."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")
