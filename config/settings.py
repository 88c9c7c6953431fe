"""Tessera settings: one file, read from the environment (OPERATIONS.md).

The defaults run with no services: SQLite, eager Celery, the MaxMind test database.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY: production refuses the development secret.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "profiles",
    "subscriptions",
    "history",
    "interactions",
    "loyalty",
    "market",
    "weblayers",
    "imports",
    "audit",
    "roles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The staff pages' own login (issue 6); the admin keeps its login page.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff-database-list"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Celery: with no broker, tasks run in-process so a laptop needs no Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "history-ensure-partitions": {"task": "history.tasks.ensure_partitions", "schedule": 86400},
    "imports-purge-expired": {"task": "imports.tasks.purge_expired_imports", "schedule": 3600},
    "interactions-launch-triggers": {"task": "interactions.tasks.launch_triggers", "schedule": 30},
    "interactions-requeue-waiting-sends": {
        "task": "interactions.tasks.requeue_waiting_sends",
        "schedule": 300,
    },
    "interactions-advance-scenarios": {
        "task": "interactions.tasks.advance_scenarios",
        "schedule": 60,
    },
}

GEOIP_DB_PATH = env.path("GEOIP_DB_PATH", default=BASE_DIR / "data/geoip/GeoLite2-City-Test.mmdb")
# Region used to read phone numbers written without a +country prefix; empty means
# such numbers are rejected rather than guessed.
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="") or None
# P13: the share of profiles (0-100, in %) held out of marketing sends, and the salt that
# makes membership unpredictable. Changing either changes who is a member.
GCG_SHARE_PERCENT = env.float("GCG_SHARE_PERCENT", default=0.0)
if not 0 <= GCG_SHARE_PERCENT <= 100:
    raise ImproperlyConfigured("GCG_SHARE_PERCENT must be between 0 and 100.")
GCG_SALT = env.str("GCG_SALT", default="tessera-gcg")
# S6: how long a double opt-in confirmation link stays valid, in seconds.
SUBSCRIPTION_CONFIRM_MAX_AGE = env.int("SUBSCRIPTION_CONFIRM_MAX_AGE", default=7 * 24 * 3600)
# X1: how long an import can be undone; its file and row log are purged after that.
IMPORT_UNDO_DAYS = env.int("IMPORT_UNDO_DAYS", default=7)
# X1: the largest file the upload page and the command accept, in bytes.
IMPORT_MAX_FILE_SIZE = env.int("IMPORT_MAX_FILE_SIZE", default=4 * 1024**3)
# X4: scheduled imports may only read files under this directory.
IMPORT_SCHEDULE_DIR = env.path("IMPORT_SCHEDULE_DIR", default=BASE_DIR / "var/imports")
# Rate limits of the public form, pixel and link endpoints (config/ratelimit.py) count in this
# Redis; empty: in a redis:// CELERY_BROKER_URL, else in Django's cache.
REDIS_URL = env.str("REDIS_URL", default="")
# How long a process may serve an API token or a user's permission set from its cache
# (roles.auth_cache); with REDIS_URL every process shares the cache, and a change counts from
# the next request.
AUTH_CACHE_SECONDS = env.int("AUTH_CACHE_SECONDS", default=60)
AUTHENTICATION_BACKENDS = ["roles.auth_cache.CachedModelBackend"]
# "default" is shared by every process when REDIS_URL is set (short socket timeouts: a cache
# that is down must not hold requests); "local" is this process's memory, the fallback when
# Redis fails (config/ratelimit.py).
LOCAL_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local"}
CACHES = {
    "default": {
        "BACKEND": "config.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "local": LOCAL_CACHE,
}
# Mixed into the md5/xxh profile identifiers so they cannot be derived from a bare id.
PROFILE_HASH_SALT = env.str("PROFILE_HASH_SALT", default="tessera")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "roles.auth_cache.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["config.permissions.ModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.KeysetPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Tessera API",
    "DESCRIPTION": "Customer data platform: profile databases, custom fields, profiles and "
    'their action history. Errors: {"field": ["reason"]}; custom field errors nest under '
    '"fields".',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation's error answers (401, 403, 404, ...), documented once: config/schema.py.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.add_error_responses",
    ],
    # One schema enum per vocabulary, named after it (API.md "Enumerations").
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "profiles.models.Status",
        "FieldTypeEnum": "profiles.models.FieldType",
        "ChannelEnum": "subscriptions.models.Channel",
        "EventTypeEnum": "history.models.EventType",
        "IngestibleEventTypeEnum": "history.api.serializers.INGESTIBLE_TYPES",
        "SuppressionReasonEnum": "subscriptions.models.Suppression.Reason",
        "ScenarioStepKindEnum": "interactions.models.StepKind",
        "PointsTransactionKindEnum": "loyalty.models.Kind",
    },
}

# Production hardening (docs/security.md): HTTPS only, secure cookies, HSTS; on whenever
# DEBUG is off, each one overridable from the environment.
# Behind one reverse proxy that terminates TLS: trust its X-Forwarded-Proto, and take the
# client IP (audit journal, A3) from the address it appends to X-Forwarded-For.
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Upload limits: a request body read into memory (JSON, forms) may not pass
# DATA_UPLOAD_MAX_MEMORY_SIZE (413 above it); uploaded files above FILE_UPLOAD_MAX_MEMORY_SIZE
# go to a temporary file; import files have their own limit (IMPORT_MAX_FILE_SIZE).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024**2)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024**2)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
