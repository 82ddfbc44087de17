"""Settings for teambalance, read from the environment with safe defaults.

Environment variables (all optional except SECRET_KEY when DEBUG is off):

DEBUG               "true" for local debugging only; off by default.
SECRET_KEY          required unless DEBUG is on; `make run` generates and keeps var/secret_key.
ALLOWED_HOSTS       comma-separated; default "localhost,127.0.0.1".
DATABASE_URL        default: SQLite at var/teambalance.sqlite3; postgres://user:pass@host/db
                    for communities that outgrow one machine.
HTTPS               "false" to serve over plain HTTP (`make run` on 127.0.0.1); default: on
                    when DEBUG is off (HTTPS redirect, secure cookies, HSTS).
BEHIND_HTTPS_PROXY  "true" when a reverse proxy terminates TLS and sets X-Forwarded-Proto.
CSRF_TRUSTED_ORIGINS comma-separated origins for the admin behind a proxy.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (`make run` keeps one in var/secret_key)."
        )
    SECRET_KEY = "insecure-debug-only-key"  # noqa: S105 - only ever used with DEBUG on

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "users",
    "matches",
    "ratings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "teambalance.urls"
WSGI_APPLICATION = "teambalance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "teambalance" / "templates"],
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

# Database -----------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'teambalance.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # Concurrent writers: WAL lets readers run beside the one writer, IMMEDIATE takes
        # the write lock at BEGIN (so two writers queue instead of failing with "database
        # is locked" when one upgrades a read lock), and the busy timeout is how long
        # they queue.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON"
        ),
    }
    # Tests run on a real file (not shared-cache memory) so that threads see WAL and locks
    # exactly as gunicorn workers do.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Internationalisation -----------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files -------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security -----------------------------------------------------------------------------

HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^health$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# API ----------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["users.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["users.permissions.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["teambalance.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "teambalance.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "teambalance.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "teambalance API",
    "DESCRIPTION": (
        "The interface a Discord team-balance bot talks to: guilds, players, matches, "
        "Glicko-2 ratings, balancing and statistics. Every request carries "
        "`Authorization: Bearer <key>`; Discord ids are strings."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
}

# Ratings ------------------------------------------------------------------------------
# The rating system in one place; docs/ratings.md explains each value.

RATINGS = {
    # Glicko-2's system constant: how fast volatility may change (Glickman suggests 0.3-1.2).
    "TAU": float(os.environ.get("RATING_TAU", 0.5)),
    # Length of a rating period in days. An idle player's RD grows by one period's worth
    # of volatility every PERIOD_DAYS; lichess's 0.21 periods a day is about 4.76 days.
    "PERIOD_DAYS": float(os.environ.get("RATING_PERIOD_DAYS", 1 / 0.21)),
    # A new player's rating, RD and volatility (the paper's defaults).
    "INITIAL_RATING": 1500.0,
    "INITIAL_RD": 350.0,
    "INITIAL_VOLATILITY": 0.06,
    # Clamps around the paper's formulas: an RD never shrinks below the floor (so a
    # veteran's rating can still follow a real change in skill), never grows past the
    # ceiling (a newcomer's uncertainty), and the volatility never passes the cap (so a
    # run of upsets cannot leave a rating swinging wildly for ever).
    "RD_FLOOR": 30.0,
    "RD_CEILING": 350.0,
    "VOLATILITY_CAP": 0.1,
    # A player whose RD is above this is provisional: shown apart, left off leaderboards.
    "PROVISIONAL_RD": 110.0,
}
