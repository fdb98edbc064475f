"""Settings, all read from the environment (see README, 「生产部署」).

Defaults are safe for production (DEBUG off, secure cookies when not in DEBUG); `make run` turns DEBUG on
for the local demo. SQLite is the embedded default; set DATABASE_URL for PostgreSQL.
"""

import contextlib
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
_DEV_SECRET = "django-insecure-development-key-baodao-change-me-0123456789abcdef"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    # Only the local demo and the tests run without a key; production must set one.
    SECRET_KEY = _DEV_SECRET
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The address people reach the site by, e.g. "https://baodao.example.gov.cn" (scheme and host, no path):
# what certificates, check-in QR codes and printed sheets carry. Empty: the host of the request at hand.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="").rstrip("/")
CSRF_FAILURE_VIEW = "baodao.web.views.errors.csrf_failure"

# Keys for sensitive fields. Both default to keys derived from SECRET_KEY; production sets its own and
# keeps them apart from the database backups.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
LOOKUP_HASH_KEY = env.str("LOOKUP_HASH_KEY", default="")
# Keys the audit log's hash chain, so that someone who can write to the database alone cannot rebuild it.
AUDIT_CHAIN_KEY = env.str("AUDIT_CHAIN_KEY", default="")
# Seals service certificates and signs their numbers: keep it when SECRET_KEY is rotated, or every certificate
# issued so far stops verifying.
CERTIFICATE_KEY = env.str("CERTIFICATE_KEY", default="")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "baodao.audit",
    "baodao.accounts",
    "baodao.org",
    "baodao.policy",
    "baodao.members",
    "baodao.registration",
    "baodao.needs",
    "baodao.ledger",
    "baodao.activities",
    "baodao.certificates",
    "baodao.posts",
    "baodao.mobilizations",
    "baodao.notify",
    "baodao.activation",
    "baodao.jobs",
    "baodao.roster",
    "baodao.exports",
    "baodao.circulars",
    "baodao.appraisals",
    "baodao.feedback",
    "baodao.preappointment",
    "baodao.stats",
    "baodao.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "baodao.urls"
WSGI_APPLICATION = "baodao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "baodao.web.context.workspaces",
                "baodao.web.context.inbox",
                "baodao.web.context.emergencies",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'baodao.sqlite3'}"),
}
if TEST_DATABASE_NAME := env.str("TEST_DATABASE_NAME", default=""):
    # Lets several test runs share one PostgreSQL server without clobbering each other's test database.
    DATABASES["default"]["TEST"] = {"NAME": TEST_DATABASE_NAME}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Writers queue up instead of failing with "database is locked" half-way through a transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA busy_timeout=20000;"
            ),
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# The task queue (django-tasks): tasks are rows in the database, run by `manage.py db_worker` — started
# next to the web server by `make run`, as separate processes (any number, on any host) in production.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Roster imports: the largest upload accepted, the most rows in one file, and the size above which an
# import runs on the task queue instead of inside the request.
ROSTER_MAX_BYTES = env.int("ROSTER_MAX_BYTES", default=20 * 1024 * 1024)
ROSTER_MAX_ROWS = env.int("ROSTER_MAX_ROWS", default=200_000)
ROSTER_SYNC_MAX_ROWS = env.int("ROSTER_SYNC_MAX_ROWS", default=2_000)
# Exports: the largest Excel export written inside the request; a larger one runs on the task queue.
EXPORT_SYNC_MAX_ROWS = env.int("EXPORT_SYNC_MAX_ROWS", default=20_000)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "baodao.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

# Sign-in lockout (django-axes): by phone number, whatever the address the attempts come from.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Not by address as well: offices behind one NAT address would lock each other out (axes.W006 silenced).
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "phone"
AXES_RESET_ON_SUCCESS = True
# A lockout ends a fixed time after it began; retries while locked do not push the end further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "baodao.accounts.lockout.lockout_response"
AXES_VERBOSE = False
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "baodao" / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# WhiteNoise warns on every start while the folder is missing (before the first collectstatic).
with contextlib.suppress(OSError):
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
# Serve assets straight from the apps' static folders too, so a missed collectstatic cannot break pages.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Assets are served by the application itself (WhiteNoise): no CDN, no separate web server needed.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "baodao.accounts.api_auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "baodao.lib.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "baodao.lib.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": _("报到 API"),
    "DESCRIPTION": _("在职党员进社区（双报到）平台接口 /api/v1。错误统一为 {error, detail, fields}。"),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models name their states `status` and `kind`: give each set of choices its own clear name.
    "ENUM_NAME_OVERRIDES": {
        "NeedKindEnum": "baodao.needs.models.Kind",
        "AppraisalStatusEnum": "baodao.appraisals.models.Status",
        "AppraisalRunStatusEnum": "baodao.appraisals.models.RunStatus",
        "PreappointmentStatusEnum": "baodao.preappointment.models.Status",
        "NeedStatusEnum": "baodao.needs.models.Status",
        "ClaimStatusEnum": "baodao.needs.models.ClaimStatus",
        "NeedEventKindEnum": "baodao.needs.models.NeedEvent.Kind",
        "PhotoStageEnum": "baodao.needs.models.Photo.Stage",
        "RegistrationStatusEnum": "baodao.registration.models.Status",
        "ActivityStatusEnum": "baodao.activities.models.Status",
        "SignupStatusEnum": "baodao.activities.models.SignupStatus",
        "PostKindEnum": "baodao.posts.models.Kind",
        "HolderStatusEnum": "baodao.posts.models.HolderStatus",
        "TeamKindEnum": "baodao.posts.models.TeamKind",
        "MobilizationTypeEnum": "baodao.mobilizations.models.Type",
        "MobilizationStatusEnum": "baodao.mobilizations.models.Status",
        "CallAnswerEnum": "baodao.mobilizations.models.Answer",
        "CallReasonEnum": "baodao.mobilizations.models.Reason",
    },
}
API_TOKEN_TTL = timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=30))
# First sign-in: how long an activation code stays valid, and the class that sends text messages (see
# baodao/notify/sms.py; the default keeps them in an outbox table instead of delivering them).
ACTIVATION_CODE_TTL = timedelta(hours=env.int("ACTIVATION_CODE_TTL_HOURS", default=72))
SMS_BACKEND = env.str("SMS_BACKEND", default="baodao.notify.sms.OutboxBackend")
# Channels that deliver a copy of each in-app notice (e.g. "baodao.notify.services.SmsChannel"); the inbox
# always has it. Comma-separated dotted paths; none by default.
NOTIFY_CHANNELS = env.list("NOTIFY_CHANNELS", default=[])

# Content Security Policy: everything is served by the application itself (no CDN).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", False) else None
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
