"""GovPlan settings, all from the environment (see docs/configuration.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from govplan.env import Env, postgres_connections

env = Env()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("GOVPLAN_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", False)
# Under pytest the suite runs with test defaults even when started without `make test`.
TESTING = env.bool("GOVPLAN_TESTING", "pytest" in sys.modules)
# The demo app (load_demo, the throwaway CA): on for development and the tests, left out of
# production unless asked for.
DEMO = env.bool("GOVPLAN_DEMO", DEBUG or TESTING)

# mypy's django-stubs plugin imports these settings to learn the models and serves nothing,
# so a type check needs no secret from the environment.
_TYPE_CHECKING = "mypy" in sys.modules

_secret = env.optional_str("SECRET_KEY")
if _secret is None:
    if not (DEBUG or TESTING or _TYPE_CHECKING):
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")
    _secret = "govplan-development-only-key-never-use-in-production"
SECRET_KEY = _secret

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env.str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "govplan.audit",
    "govplan.orgunits",
    "govplan.accounts",
    "govplan.frameworks",
    "govplan.facts",
    "govplan.documents",
    "govplan.workflow",
    "govplan.official",
    "govplan.national",
    "govplan.web",
    "govplan.ops",
    *(["govplan.demo"] if DEMO else []),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "govplan.webutils.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before the views, the CSRF check and django-axes: nothing they read or store can hold a
    # NUL, a control character or an unpaired surrogate (govplan.core.inputs).
    "govplan.webutils.middleware.InputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "govplan.audit.middleware.RequestOriginMiddleware",
    "govplan.access.middleware.DefaultDenyMiddleware",
    "axes.middleware.AxesMiddleware",
]
# In production the application serves its own static files (collected, hashed names) with
# WhiteNoise: no separate web server needed in front of gunicorn (docs/deployment.md).
if not (DEBUG or TESTING):
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "govplan.urls"
WSGI_APPLICATION = "govplan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "govplan.web.context_processors.shell",
            ],
        },
    },
]

# Databases: embedded SQLite by default, PostgreSQL (production) through DATABASE_URL.
_default_sqlite = f"sqlite:///{VAR_DIR / 'govplan.sqlite3'}"
# Several application servers share one database: in production a missing DATABASE_URL is
# a mistake, not a cue to create an SQLite file on each node that nobody else sees. A
# single-machine installation that wants the embedded database says so.
if (
    env.optional_str("DATABASE_URL") is None
    and not (DEBUG or TESTING or _TYPE_CHECKING)
    and not env.bool("GOVPLAN_ALLOW_SQLITE", False)
):
    raise ImproperlyConfigured(
        "DATABASE_URL is required when DEBUG is off (postgres://…); to run one machine on the "
        "embedded SQLite database, set GOVPLAN_ALLOW_SQLITE=1"
    )
_database_url = env.str("DATABASE_URL", _default_sqlite)
if not _database_url.startswith(("sqlite:", "postgres:", "postgresql:")):
    raise ImproperlyConfigured(
        f"DATABASE_URL={_database_url!r}: only sqlite:/// and postgres:// URLs are supported"
    )
try:
    _db = dj_database_url.parse(_database_url)
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _database_url == _default_sqlite:
        VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database works on a fresh clone
    _db["OPTIONS"] = {
        # WAL lets readers work while one request writes; IMMEDIATE makes a
        # writing transaction take its lock up front instead of failing midway.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    _db["TEST"] = {"NAME": env.optional_str("GOVPLAN_SQLITE_TEST_NAME")}
    _db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", 0, minimum=0)
else:
    _db.setdefault("TEST", {})["NAME"] = env.optional_str("GOVPLAN_PG_TEST_NAME")
    # Kept connections, pooled in production (docs/configuration.md); OPTIONS given in the
    # URL (sslmode=…) stay.
    _connections = postgres_connections(env, development=DEBUG or TESTING)
    _db.setdefault("OPTIONS", {}).update(_connections.get("OPTIONS", {}))
    _db["CONN_MAX_AGE"] = _connections["CONN_MAX_AGE"]
    _db["CONN_HEALTH_CHECKS"] = _connections["CONN_HEALTH_CHECKS"]
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing cost is not what the suite tests; the production hasher stays PBKDF2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection: lock a username+address pair after repeated failures.
AXES_ENABLED = env.bool("AXES_ENABLED", not TESTING)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind a reverse proxy, the client address comes from this header (set by the proxy).
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", False)
if TRUST_X_FORWARDED_FOR:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Logins beyond this many password checks at once in a server process wait up to
# LOGIN_ADMISSION_WAIT_MS for a slot, then are asked to retry (govplan/accounts/admission.py).
LOGIN_ADMISSION_SLOTS = env.int("LOGIN_ADMISSION_SLOTS", 1, minimum=1)
LOGIN_ADMISSION_WAIT_MS = env.int("LOGIN_ADMISSION_WAIT_MS", 500, minimum=0)
LOGIN_RETRY_AFTER_SECONDS = env.int("LOGIN_RETRY_AFTER_SECONDS", 5, minimum=1)

SESSION_COOKIE_HTTPONLY = True
# A working day (8 h): one login in the morning, not another during the day's work.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
_https = env.bool("GOVPLAN_HTTPS", False)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https
SECURE_HSTS_SECONDS = 31536000 if _https else 0
if TRUST_X_FORWARDED_FOR:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "govplan" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Vietnamese number and date formats (1.234,5 and 22/11/2026) live in govplan/formats/vi.
FORMAT_MODULE_PATH = ["govplan.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(VAR_DIR / "static")))
# In production every static file's name carries a hash of its content (collectstatic), so
# a browser never runs last release's editor.js against this release's server: the save
# protocol changes with the server (a field left out keeps its stored value).
if not (DEBUG or TESTING):
    STORAGES: dict[str, dict[str, object]] = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Shared file storage for several application servers (docs/deployment.md): attachments,
# signed copies, made official files and batch export ZIPs in an S3-compatible bucket
# (django-storages) instead of MEDIA_ROOT on each node's disk.
STORAGE_S3_BUCKET = env.optional_str("STORAGE_S3_BUCKET")
if STORAGE_S3_BUCKET:
    _s3_options: dict[str, object] = {
        "bucket_name": STORAGE_S3_BUCKET,
        "endpoint_url": env.optional_str("STORAGE_S3_ENDPOINT_URL"),
        "region_name": env.optional_str("STORAGE_S3_REGION"),
        "access_key": env.optional_str("STORAGE_S3_ACCESS_KEY_ID"),
        "secret_key": env.optional_str("STORAGE_S3_SECRET_ACCESS_KEY"),
        "location": env.str("STORAGE_S3_PREFIX", ""),
        # Private objects served only through GovPlan's own access checks, never by URL.
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": True,
        "addressing_style": env.choice("STORAGE_S3_ADDRESSING", ("path", "virtual"), "path"),
    }
    STORAGES = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options},
        "staticfiles": (
            {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
            if DEBUG or TESTING
            else {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
        ),
    }
# pg_dump and pg_restore for `manage.py backup` / `restore` (of the server's major version);
# by default Debian's /usr/lib/postgresql/<major>/bin, else the PATH's.
PG_BIN_DIR = env.optional_str("PG_BIN_DIR")

REFERENCE_DATA_DIR = BASE_DIR / "data"

# Autosaves of one user on one entry within this many minutes of the version they started
# update that version instead of adding one: history in steps of work, not of keystrokes.
# 0 keeps every save as its own version.
AUTOSAVE_COALESCE_SECONDS = env.int("AUTOSAVE_COALESCE_MINUTES", 5, minimum=0) * 60

# Uploads: evidence files attached to sections, and XLSX tables.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_MB", 20, minimum=1) * 1024 * 1024
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_MB", 10, minimum=1) * 1024 * 1024
# An uploaded workbook is read in a process of its own with these limits (address space in
# MB; CPU and wall-clock seconds): a file that needs more is refused as too large or damaged.
IMPORT_READ_MEMORY_MB = env.int("IMPORT_READ_MEMORY_MB", 1024, minimum=256)
IMPORT_READ_SECONDS = env.int("IMPORT_READ_SECONDS", 30, minimum=1)
# Certificates (PEM or DER files) of the authorities whose signatures an issued copy may
# carry, e.g. the government's root CA. Nothing here: no signed copy is accepted.
TRUST_ROOTS_DIR = Path(env.str("GOVPLAN_TRUST_ROOTS", str(VAR_DIR / "trust-roots")))
# Revocation of the certificates of signed copies: "soft" checks the CRL or OCSP service a
# certificate names (and the .crl files in TRUST_ROOTS_DIR) and records when it could not;
# "hard" refuses the copy then; "off" checks nothing (docs/configuration.md).
SIGNATURE_REVOCATION = env.choice("SIGNATURE_REVOCATION", ("off", "soft", "hard"), "soft")
SIGNATURE_REVOCATION_TIMEOUT = env.int("SIGNATURE_REVOCATION_TIMEOUT", 10, minimum=1)
# Let an over-large upload reach the view, which answers with a clear message.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Background work runs through the Tasks API (django-tasks): in the web process by default,
# in separate `manage.py db_worker` processes sharing the database queue in production.
_tasks_backend = env.choice("TASKS_BACKEND", ("immediate", "database"), "immediate")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[_tasks_backend],
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env.optional_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.optional_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env.optional_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "GovPlan <no-reply@govplan.local>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env.choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO"),
    },
    "loggers": {
        # pyHanko logs a traceback at ERROR for every untrusted or altered signature, which
        # GovPlan reports to the user instead.
        "fontTools": {"level": "WARNING"},
        "pyhanko": {"level": "CRITICAL"},
        "pyhanko_certvalidator": {"level": "CRITICAL"},
        # One line per task state otherwise; failures are still logged.
        "django_tasks": {
            "level": env.choice("TASKS_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "WARNING")
        },
    },
}
