"""GovPlan settings, all from the environment (see docs/configuration.md).

Long because: every setting is here, read once from the environment by the strict helpers of
govplan/env.py, beside the comment that says why its default is what it is; one file is
what an operator reads to know what can be set."""

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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "govplan.audit",
    "govplan.orgunits",
    "govplan.accounts",
    "govplan.usersessions",
    "govplan.frameworks",
    "govplan.facts",
    "govplan.documents",
    "govplan.workflow",
    "govplan.official",
    "govplan.national",
    "govplan.programmes",
    "govplan.pilots",
    "govplan.allocations",
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
    # Authenticated pages and downloads are never stored by a browser or a proxy.
    "govplan.webutils.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before the views, the CSRF check and django-axes: nothing they read or store can hold a
    # NUL, a control character or an unpaired surrogate (govplan.core.inputs).
    "govplan.webutils.middleware.InputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "govplan.audit.middleware.RequestOriginMiddleware",
    # Ends a session idle too long (audited, so after the request's origin is set) and answers
    # a JSON endpoint reached without a session 401 in JSON, before the access check redirects.
    "govplan.usersessions.middleware.IdleTimeoutMiddleware",
    "govplan.access.middleware.DefaultDenyMiddleware",
    # After the access check (which sends anonymous users to the login page): a signed-in
    # user who owes a second factor, a forced password change or a 2FA enrolment reaches
    # nothing but the pages that settle it (govplan/accounts/middleware.py).
    "django_otp.middleware.OTPMiddleware",
    "govplan.accounts.middleware.AccountGateMiddleware",
    # Saves, imports and exports over their rate: 429 before the view (after the access check).
    "govplan.webutils.ratelimits.RateLimitMiddleware",
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
# Django's backends with the audit chain appended just before each commit (govplan/dbbackend).
_db["ENGINE"] = {
    "django.db.backends.sqlite3": "govplan.dbbackend.sqlite3",
    "django.db.backends.postgresql": "govplan.dbbackend.postgresql",
}[_db["ENGINE"]]
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Passwords (docs/configuration.md, "Passwords and two-factor authentication"): at least
# PASSWORD_MIN_LENGTH characters, not like the user's name, not common, not a place, unit or
# common word dressed with digits and symbols, not in the breached list, not one of the last
# PASSWORD_HISTORY_COUNT passwords of the account.
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", 12, minimum=8)
PASSWORD_HISTORY_COUNT = env.int("PASSWORD_HISTORY_COUNT", 5, minimum=0)
# Sorted SHA-1 hashes (upper-case hex, optionally ":count"), one a line: the bundled list, or
# a larger one (e.g. built from the Pwned Passwords download) read by binary search.
BREACHED_PASSWORDS_FILE = Path(
    env.str(
        "BREACHED_PASSWORDS_FILE",
        str(BASE_DIR / "govplan" / "accounts" / "data" / "breached-sha1.txt"),
    )
)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email", "first_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "govplan.accounts.passwords.GuessablePasswordValidator"},
    {"NAME": "govplan.accounts.passwords.BreachedPasswordValidator"},
    {"NAME": "govplan.accounts.passwords.PasswordHistoryValidator"},
]
# A password reset link works once (Django's token covers the password hash) and for this
# many seconds.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", 3600, minimum=300)
# Reset requests answered with an e-mail, per address and per client address, per hour.
PASSWORD_RESET_PER_HOUR = env.int("PASSWORD_RESET_PER_HOUR", 5, minimum=1)
# Two-factor authentication (django-otp): TOTP apps, with single-use recovery codes. Required
# for the roles below (govplan/accounts/second_factor.py), optional for everyone else.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", "GovPlan")
# A wrong code makes the next attempt wait 2^(n-1) seconds (django-otp's throttling).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_RECOVERY_CODES = 10
if TESTING:
    # Hashing cost is not what the suite tests; the production hasher stays PBKDF2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Client address and brute-force protection (issue 16, item 3) ---
# Behind TRUSTED_PROXY_COUNT reverse proxies the client's address is the Nth entry from the
# right of X-Forwarded-For (govplan.webutils.client_ip); 0 ignores the header. The deprecated
# TRUST_X_FORWARDED_FOR=1 means one proxy.
_trust_forwarded_for = env.bool("TRUST_X_FORWARDED_FOR", False)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 1 if _trust_forwarded_for else 0, minimum=0)
# django-axes locks an account after AXES_FAILURE_LIMIT failures from any address, and an
# address after AXES_ADDRESS_FAILURE_LIMIT failures over any names (govplan.accounts.lockout).
AXES_ENABLED = env.bool("AXES_ENABLED", not TESTING)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # order: govplan.accounts.lockout
AXES_HANDLER = "govplan.accounts.lockout.AccountAndAddressHandler"
AXES_CLIENT_IP_CALLABLE = "govplan.webutils.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- Rate limits (issue 16, item 3): "<count>/<s|m|h>" per user and for everyone together, per
# kind of request (govplan.webutils.ratelimits); an empty value or 0 lifts that limit. The load
# benchmark's editors save once every 2-8 s (at most 30 a minute), a quarter of the default.
RATE_LIMITS_ENABLED = env.bool("RATE_LIMITS_ENABLED", not TESTING)
_RATE_DEFAULTS = {
    "save": ("120/m", "12000/m"),
    "import": ("20/m", "300/m"),
    "export": ("60/m", "3000/m"),
    "api": ("300/m", "30000/m"),
}


def _rate(name: str, default: str) -> str | None:
    value = env.str(name, default)
    if value == "0":
        return None
    count, _slash, period = value.partition("/")
    if not (count.isdigit() and period[:1] in ("s", "m", "h", "d") and period[1:] == ""):
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate such as 120/m (or 0)")
    return value


RATE_LIMITS = {
    kind: {
        "user": _rate(f"RATE_LIMIT_{kind.upper()}", user),
        "global": _rate(f"RATE_LIMIT_{kind.upper()}_GLOBAL", everyone),
    }
    for kind, (user, everyone) in _RATE_DEFAULTS.items()
}

# --- The shared cache (rate-limit counters): Redis through CACHE_URL (redis://…, rediss://…)
# when there are several application servers; otherwise, in production, tables of the database
# (`manage.py createcachetable`, run by each release and by serve_prod): the counters in their
# own, one atomic statement per step (govplan.webutils.counter_cache); memory of the process in
# development and the tests. CACHE_URL=locmem:// or db:// names those two.
_cache_url = env.optional_str("CACHE_URL")
if _cache_url is None:
    _cache_url = "locmem://" if (DEBUG or TESTING) else "db://"
if _cache_url.startswith(("redis://", "rediss://")):
    _cache: dict[str, object] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _cache_url,
    }
    _counters = _cache
elif _cache_url == "db://":
    _cache = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "govplan_cache"}
    _counters = {
        "BACKEND": "govplan.webutils.counter_cache.CounterCache",
        "LOCATION": "govplan_rate_counters",
    }
elif _cache_url == "locmem://":
    _cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    _counters = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rates"}
else:
    raise ImproperlyConfigured(
        f"CACHE_URL={_cache_url!r}: use redis://host:6379/0, rediss://…, db:// or locmem://"
    )
# The default cache also holds what is laid out again and again (the editor page's table
# blocks, keyed by the rows' revisions: documents/presentation.py). Without Redis, CACHE_DIR
# keeps it in files shared by every process of the machine (scripts/serve_prod.py sets it):
# faster for those blocks than the database's table.
_cache_dir = env.optional_str("CACHE_DIR")
if _cache_dir and not _cache_url.startswith(("redis://", "rediss://")):
    _cache = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": _cache_dir,
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": env.int("CACHE_MAX_ENTRIES", 20_000, minimum=100)},
    }
elif _cache_url == "locmem://":
    _cache["OPTIONS"] = {"MAX_ENTRIES": env.int("CACHE_MAX_ENTRIES", 500, minimum=100)}
CACHES = {"default": _cache, "ratelimit": _counters}
RATELIMIT_USE_CACHE = "ratelimit"
# A counter that cannot be read lets the request through (govplan.webutils.ratelimits).
RATELIMIT_FAIL_OPEN = True

# Logins beyond this many password checks at once in a server process wait up to
# LOGIN_ADMISSION_WAIT_MS for a slot, then are asked to retry (govplan/accounts/admission.py).
LOGIN_ADMISSION_SLOTS = env.int("LOGIN_ADMISSION_SLOTS", 1, minimum=1)
LOGIN_ADMISSION_WAIT_MS = env.int("LOGIN_ADMISSION_WAIT_MS", 500, minimum=0)
LOGIN_RETRY_AFTER_SECONDS = env.int("LOGIN_RETRY_AFTER_SECONDS", 5, minimum=1)

SESSION_COOKIE_HTTPONLY = True
# --- Idle timeout (issue 16, item 4): besides the absolute age below, a session ends after this
# many minutes without a request (govplan.usersessions.middleware).
IDLE_SESSION_TIMEOUT_MINUTES = env.int("IDLE_SESSION_TIMEOUT_MINUTES", 30, minimum=1)
# A working day (8 h): one login in the morning, not another during the day's work.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
# --- Production defaults (issue 16, item 5) ---
# With DEBUG off, HTTPS is assumed: redirect to it, HSTS (with subdomains), Secure cookies.
# GOVPLAN_HTTPS=0 is the explicit opt-out of a plain-HTTP deployment on localhost
# (scripts/serve_prod.py, bench/load). Preloading HSTS is a commitment to the browsers' list,
# off unless asked for (its deploy-check warning is silenced below only while it is off).
_https = env.bool("GOVPLAN_HTTPS", not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https
# The load balancer's health check may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000, minimum=0) if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if TRUSTED_PROXY_COUNT:
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
# Evidence files are checked for active content (PDF scripts, launch actions, embedded files;
# Office remote templates, DDE fields, OLE objects, macros) in a process of its own with these
# limits; a file that needs more is refused as too complex to check (docs/security.md).
UPLOAD_SCAN_MEMORY_MB = env.int("UPLOAD_SCAN_MEMORY_MB", 1024, minimum=256)
UPLOAD_SCAN_SECONDS = env.int("UPLOAD_SCAN_SECONDS", 30, minimum=1)
# Optional virus scan of every evidence file by ClamAV's daemon: a Unix socket path or
# tcp://host:port; empty: no scan. When it cannot be reached the upload is refused, unless
# CLAMD_FAIL_OPEN=1 (then it is accepted and the failure logged).
CLAMD_SOCKET = env.str("CLAMD_SOCKET", "")
CLAMD_TIMEOUT_SECONDS = env.int("CLAMD_TIMEOUT_SECONDS", 30, minimum=1)
CLAMD_FAIL_OPEN = env.bool("CLAMD_FAIL_OPEN", False)
# Days before a deadline on which assigned tasks and pilot milestones are reminded
# (docs/programme.md, "Nhắc hạn"): comma-separated whole numbers, 0 to 366.
try:
    REMINDER_DAYS_BEFORE = sorted(
        {int(d) for d in env.list("REMINDER_DAYS_BEFORE", ["14", "3"])}, reverse=True
    )
except ValueError:
    raise ImproperlyConfigured("REMINDER_DAYS_BEFORE: whole numbers of days, e.g. 14,3") from None
if not REMINDER_DAYS_BEFORE or not all(0 <= d <= 366 for d in REMINDER_DAYS_BEFORE):
    raise ImproperlyConfigured("REMINDER_DAYS_BEFORE: one or more numbers of days, 0 to 366")
# Evidence files a unit may keep (MB, over all its documents; removed files do not count);
# 0: no quota.
ATTACHMENT_QUOTA_MB = env.int("ATTACHMENT_QUOTA_MB", 500, minimum=0)
# What purge_expired_files removes (daily): import previews not applied within this many
# hours, and finished batch exports older than this many days (their ZIP and their row).
IMPORT_PREVIEW_MAX_AGE_HOURS = env.int("IMPORT_PREVIEW_MAX_AGE_HOURS", 24, minimum=1)
EXPORT_FILE_MAX_AGE_DAYS = env.int("EXPORT_FILE_MAX_AGE_DAYS", 7, minimum=1)
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

# --- E-mail: over TLS whenever an SMTP server is configured (issue 16, item 5) ---
# STARTTLS on port 587 by default, or implicit TLS (EMAIL_USE_SSL=1, port 465); EMAIL_USE_TLS=0
# is the explicit opt-out for a relay on the same machine.
_email_host = env.optional_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if _email_host
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = _email_host or "localhost"
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
if EMAIL_USE_SSL and EMAIL_USE_TLS:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive: set one")
EMAIL_PORT = env.int(
    "EMAIL_PORT", 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25, minimum=1
)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", 30, minimum=1)
EMAIL_HOST_USER = env.optional_str("EMAIL_HOST_USER") or ""
# Like every variable, EMAIL_HOST_PASSWORD, SECRET_KEY and DATABASE_URL may come from a file
# (EMAIL_HOST_PASSWORD_FILE…: govplan.env).
EMAIL_HOST_PASSWORD = env.optional_str("EMAIL_HOST_PASSWORD") or ""
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

# The audit trail's external append-only copy: every entry, once committed, appended as one
# JSON line to this file for the system's log daemon to ship (docs/operations.md, *Audit*).
AUDIT_SINK_FILE = env.str("AUDIT_SINK_FILE", "")
