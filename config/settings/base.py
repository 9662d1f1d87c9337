"""Settings shared by every environment.

Every value that differs between machines comes from the environment (or a `.env` file) and is
typed; a malformed value stops the process at start-up instead of surfacing later.
"""

import datetime as dt
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# "production" only in config.settings.production; commands that must never run there check it.
DEPLOYMENT = "development"
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY 未设置：生产环境必须提供密钥。")
    SECRET_KEY = DEV_SECRET_KEY
# The keys used before a planned rotation. What they signed still verifies: sessions (nobody is
# logged out), password-reset and activation links, the Excel templates handed out (their marker)
# and import previews. Remove a key once those have lapsed; never list a key that has leaked.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

DEV_AUDIT_HMAC_KEY = "dev-only-audit-hmac-key-do-not-use-in-production"
# HMAC-SHA256 key of the audit chain (audit.services). Whoever holds it can rewrite the trail
# undetected, so it is kept apart from the database and from DJANGO_SECRET_KEY.
AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default="")
if not AUDIT_HMAC_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "AUDIT_HMAC_KEY 未设置：生产环境必须提供审计日志签名密钥（至少 32 个字符）。"
        )
    AUDIT_HMAC_KEY = DEV_AUDIT_HMAC_KEY
elif len(AUDIT_HMAC_KEY) < 32:
    raise ImproperlyConfigured("AUDIT_HMAC_KEY 太短：至少 32 个字符。")
DEV_FIELD_ENCRYPTION_KEY = "dev-only-field-encryption-key-do-not-use-in-production"
# Phones and e-mails (the user table and a submission's contact cells) are stored encrypted
# (security/crypto.py) with keys derived from this one. Losing it loses those values; keep it with
# the backups' secrets, apart from the database dumps.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
if not FIELD_ENCRYPTION_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY 未设置：生产环境必须提供数据加密密钥（至少 32 个字符）。"
        )
    FIELD_ENCRYPTION_KEY = DEV_FIELD_ENCRYPTION_KEY
elif len(FIELD_ENCRYPTION_KEY) < 32:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY 太短：至少 32 个字符。")
# Keys used before a rotation: values they encrypted still decrypt (`manage.py encrypt_contacts`
# re-encrypts them under the current key).
FIELD_ENCRYPTION_OLD_KEYS = env.list("FIELD_ENCRYPTION_OLD_KEYS", default=[])
# aes-gcm (AES-256-GCM, default) or sm4-gcm (国密 SM4). Values written before a switch still decrypt.
FIELD_ENCRYPTION_ALGORITHM = env.str("FIELD_ENCRYPTION_ALGORITHM", default="aes-gcm")
if FIELD_ENCRYPTION_ALGORITHM not in ("aes-gcm", "sm4-gcm"):
    raise ImproperlyConfigured("FIELD_ENCRYPTION_ALGORITHM 只能是 aes-gcm 或 sm4-gcm。")
# Where `audit_anchor` writes the daily copy of the chain head: a directory outside the database,
# ideally on another machine or write-once storage.
AUDIT_ANCHOR_DIR = env.path("AUDIT_ANCHOR_DIR", default=BASE_DIR / "var" / "audit-anchors")
# Addresses (the 审计管理员's) that receive each daily anchor by e-mail; empty: the file only.
AUDIT_ANCHOR_EMAILS = env.list("AUDIT_ANCHOR_EMAILS", default=[])
# 等保 2.0 requires audit records kept at least 180 days; a smaller value is raised to 180.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)

# Behind a reverse proxy that sets these headers (and strips clients' own), say so; otherwise a
# client could claim HTTPS or any address.
TRUST_X_FORWARDED_PROTO = env.bool("DJANGO_TRUST_X_FORWARDED_PROTO", default=False)
TRUST_X_FORWARDED_FOR = env.bool("DJANGO_TRUST_X_FORWARDED_FOR", default=False)

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "accounts",
    "registry",
    "definitions",
    "submissions",
    "reports",
    "review",
    "exchange",
    "audit",
    "demo",
    "jobs",
    "huey.contrib.djhuey",
    "security",
    # Above the domain apps: imports them, wires their services' questions (lib.authz) in ready().
    "permissions",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "evaluation",
    # The REST API (/api/v1/, django-ninja); "ninja" serves the docs page's Swagger UI from static files.
    "ninja",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "security.middleware.RequestSizeLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "audit.context.AuditContextMiddleware",
    "api.middleware.ApiCallAuditMiddleware",
    "security.middleware.NoStoreMiddleware",
    "security.middleware.OverloadMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.AccountGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it turns a lock raised anywhere in the login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): scripts, styles, images and frames from this site only; no inline
# script, `on*=` handler or `style=` attribute anywhere (templates declare behaviour with data-*
# attributes, static/js/app.js wires it). Uploaded files are served under their own `sandbox` policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "permissions.context.can",
                "review.context_processors.unread_notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# SQLite is the embedded default; production sets DATABASE_URL=postgres://...
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        # PostgreSQL spent more time planning than running the queries of every request: the access
        # check's eight-table join took 2.2 ms to plan and 0.07 ms to run, so a section page cost
        # 6.4 ms of the server's CPU and an autosave 8.2 ms. Prepared after its fifth run on a
        # connection, a query is planned once: 1.7 ms and 3.1 ms. psycopg prepares only queries
        # bound on the server. A pooler in transaction mode (PgBouncer before 1.21) cannot keep
        # prepared statements: set DATABASE_PREPARED_STATEMENTS=false behind one.
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 5}
        )
elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Deadline day on the embedded default: many autosaves at once. WAL lets readers go on while one
    # writer writes; IMMEDIATE takes the write lock at BEGIN, so a waiting writer queues on the busy
    # timeout instead of failing with "database is locked" when it upgrades a read lock mid-transaction.
    # config.sqlite3 serves the waiting writers in turn (a lock file the kernel hands on at COMMIT)
    # rather than by SQLite's polling, which let a save lose the race for hundreds of milliseconds.
    DATABASES["default"]["ENGINE"] = "config.sqlite3"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# 等保 2.0 第三级 身份鉴别 (docs/security.md): length, three of four character classes, not the
# username, not a common password, not one of the last five, changed every 90 days.
PASSWORD_HISTORY_COUNT = env.int("PASSWORD_HISTORY_COUNT", default=5)
PASSWORD_MAX_AGE_DAYS = env.int("PASSWORD_MAX_AGE_DAYS", default=90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.CompositionValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "accounts.passwords.NotUsernameValidator"},
    {"NAME": "accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"count": PASSWORD_HISTORY_COUNT}},
]
if PASSWORD_HISTORY_COUNT < 5 or not 1 <= PASSWORD_MAX_AGE_DAYS <= 90:
    raise ImproperlyConfigured("PASSWORD_HISTORY_COUNT 须不少于 5，PASSWORD_MAX_AGE_DAYS 须在 1 到 90 之间。")

# Login failures (django-axes): 5 for one account lock it for 30 minutes; 20 from one address lock
# the address (a provincial office shares one). accounts.lockout weighs the two and audits each lock.
AUTHENTICATION_BACKENDS = [
    "accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "accounts.lockout.AccountAndAddressHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=5)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=20)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_LOCK_MINUTES", default=30))
AXES_RESET_ON_SUCCESS = True
# A retry while locked neither counts nor extends the lock: it lasts 30 minutes from the last failure.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# The same address the audit trail records: forwarded headers only behind our own proxy.
AXES_CLIENT_IP_CALLABLE = "audit.context.client_ip"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
if not 1 <= AXES_FAILURE_LIMIT <= 5 or not AXES_FAILURE_LIMIT <= LOGIN_FAILURES_PER_ADDRESS <= 100:
    raise ImproperlyConfigured(
        "LOGIN_FAILURES_PER_ACCOUNT 须在 1 到 5 之间，LOGIN_FAILURES_PER_ADDRESS 不得超过 100。"
    )

# Second factor (TOTP, django-otp) for every role that reads beyond one base or runs the system;
# optional for bases (a filler who enrols must then use it). Not configurable from the environment:
# production always requires it. Only the test settings empty it, for tests that log in with
# force_login (the OTP tests switch it back on).
OTP_REQUIRED_ROLES = frozenset(
    {"ministry_admin", "authority_reviewer", "expert", "system_admin", "security_admin", "audit_admin"}
)
OTP_TOTP_ISSUER = "示范基地信息管理系统"

# New accounts get a one-time link to set their own password, valid this long; links in e-mails
# start with SITE_URL (not the request's Host header, which a client chooses).
PASSWORD_RESET_TIMEOUT = env.int("ACTIVATION_LINK_HOURS", default=72) * 3600
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Where `manage.py backup_create` writes (scripts/backup.sh); keep it on another disk or machine.
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "backups")
MEDIA_URL = "media/"

# Sessions live in the database so several application servers share them. A session ends after
# 30 minutes without a request (the cookie and the stored session expire; accounts.middleware also
# checks the last request's time) and 12 hours after login whatever the activity.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
if (
    not 60 <= SESSION_IDLE_SECONDS <= 30 * 60
    or not SESSION_IDLE_SECONDS <= SESSION_ABSOLUTE_SECONDS <= 12 * 3600
):
    raise ImproperlyConfigured(
        "SESSION_IDLE_SECONDS 须在 60 到 1800 之间，SESSION_ABSOLUTE_SECONDS 不得超过 43200。"
    )
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="示范基地信息管理系统 <noreply@example.invalid>")
REMINDER_MIN_INTERVAL_HOURS = env.int("REMINDER_MIN_INTERVAL_HOURS", default=24)
REMINDER_DAYS_BEFORE = env.list("REMINDER_DAYS_BEFORE", cast=int, default=[7, 3, 1])

# The task queue (huey). Bulk imports, national exports, document zips and the daily 催报 run as
# tasks, never inside a web request. SQLite storage by default so `make run` needs no other server
# (it starts a consumer beside runserver); production points HUEY_URL at Redis and runs
# `manage.py run_huey` on as many machines as wanted.
HUEY_URL = env.str("HUEY_URL", default=f"sqlite:///{BASE_DIR / 'huey.sqlite3'}")
HUEY_WORKERS = env.int("HUEY_WORKERS", default=2)


def _huey_settings(url: str, workers: int) -> dict:
    consumer = {"workers": workers, "worker_type": "thread"}
    # `immediate` must be explicit: djhuey otherwise follows DEBUG and would run tasks in the request.
    common = {"name": "sfjd", "immediate": False, "results": False, "utc": True, "consumer": consumer}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {**common, "huey_class": "huey.RedisHuey", "url": url}
    if url.startswith("sqlite:///"):
        return {**common, "huey_class": "huey.SqliteHuey", "filename": url.removeprefix("sqlite:///")}
    raise ImproperlyConfigured(f"HUEY_URL 无效：“{url}”（应为 redis://… 或 sqlite:///路径）。")


if HUEY_WORKERS < 1:
    raise ImproperlyConfigured("HUEY_WORKERS 必须至少为 1。")
HUEY = _huey_settings(HUEY_URL, HUEY_WORKERS)

# Upload bounds. Every uploaded file goes through security.uploads.upload_check, which refuses a file
# over UPLOAD_MAX_BYTES; REQUEST_MAX_BYTES refuses a whole request body before Django parses it (the
# web server in front should use the same figure, e.g. nginx `client_max_body_size`).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=2 * UPLOAD_MAX_BYTES + 1024 * 1024)
# The entry page posts one field per cell of a section; the largest section has a few hundred.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=5000)
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# The non-file part of a request body: autosave JSON of a whole section stays well below this.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
# Larger uploads are streamed to a temporary file instead of held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)

# The REST API: calls per token and minute before 429 (Retry-After).
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=120)
if API_RATE_LIMIT_PER_MINUTE < 1:
    raise ImproperlyConfigured("API_RATE_LIMIT_PER_MINUTE 必须至少为 1。")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
