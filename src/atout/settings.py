"""Django settings for atout.

Everything that differs between a laptop demo and production comes from the environment:

- ``DATABASE_URL``: PostgreSQL in production (``postgres://user@host:5432/db``); an embedded SQLite
  file (``var/atout.sqlite3``) when unset.
- ``ATOUT_DATA_DIR``: offline mirror of the official data files (INSEE, DGCL, IGN).
- ``ATOUT_ENV=production``: refuses to start without ``ATOUT_SECRET_KEY`` and ``ATOUT_ALLOWED_HOSTS``.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
# Where the embedded database, uploaded files and generated reports live (``./var`` by default).
VAR_DIR = Path(os.environ.get("ATOUT_VAR_DIR", Path.cwd() / "var")).resolve()
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)

PRODUCTION = os.environ.get("ATOUT_ENV", "development") == "production"
DEBUG = os.environ.get("ATOUT_DEBUG", "0") == "1" and not PRODUCTION

SECRET_KEY = os.environ.get("ATOUT_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("ATOUT_SECRET_KEY must be set when ATOUT_ENV=production.")
    SECRET_KEY = "insecure-development-key-only-for-the-local-demo"

_hosts = os.environ.get("ATOUT_ALLOWED_HOSTS", "")
if PRODUCTION and not _hosts:
    raise ImproperlyConfigured("ATOUT_ALLOWED_HOSTS must be set when ATOUT_ENV=production.")
ALLOWED_HOSTS = [h.strip() for h in _hosts.split(",") if h.strip()] or ["127.0.0.1", "localhost", "testserver"]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("ATOUT_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# The atout apps' order is also the order of their demo steps where their contracts leave it open
# (atout.core.contracts.demo_steps).
INSTALLED_APPS = [
    "atout.web.adminsite.AdminConfig",  # django.contrib.admin, closed by default to non-superusers
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "atout.core",
    "atout.web",
    "atout.territories",
    "atout.processes",
    "atout.diagnostic",
    "atout.consultation",
    "atout.opinion",
    "atout.strategy",
    "atout.actions",
    "atout.community",
    "atout.fieldwork",
    "atout.sectors",
    "atout.api",
    "atout.reports",
    "atout.opendata",
    "atout.demo",
]

MIDDLEWARE = [
    # Outermost: a lost database connection anywhere below becomes a clean 503 with Retry-After.
    "atout.web.middleware.DatabaseUnavailable",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "atout.web.middleware.RefuseNulCharacters",  # before any view can hand a NUL to PostgreSQL
    "atout.core.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "atout.web.middleware.FriendlyMethodNotAllowed",
]

ROOT_URLCONF = "atout.urls"
WSGI_APPLICATION = "atout.wsgi.application"

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
                "django.template.context_processors.i18n",
                "atout.web.context_processors.instance",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'atout.sqlite3'}",
        conn_max_age=int(os.environ.get("ATOUT_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,  # a connection kept across requests is checked after a database restart
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers work while a response is being written; the timeout absorbs short write bursts.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if os.environ.get("ATOUT_MANIFEST_STATIC", "1" if PRODUCTION else "0") == "1"
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

TASKS = {"default": {"BACKEND": os.environ.get("ATOUT_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")}}

# E-mail: printed on the console unless an SMTP server is configured (production).
EMAIL_BACKEND = os.environ.get("ATOUT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("ATOUT_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("ATOUT_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("ATOUT_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ATOUT_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("ATOUT_EMAIL_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("ATOUT_FROM_EMAIL", "atout <no-reply@atout.invalid>")
#: Base of the links in e-mails sent without a request (notifications, newsletters).
ATOUT_SITE_URL = os.environ.get("ATOUT_SITE_URL", "http://127.0.0.1:8000")
ATOUT_MAIL_RATE = float(os.environ.get("ATOUT_MAIL_RATE", "10"))

# Official data: offline mirror, and the cache where downloads land when online.
ATOUT_DATA_DIR = os.environ.get("ATOUT_DATA_DIR", "")
ATOUT_CACHE_DIR = os.environ.get("ATOUT_CACHE_DIR", str(Path.home() / ".cache" / "atout"))

# Instance theme: a territory's own name, logo and colours (not the State's DSFR).
ATOUT_THEME = {
    "site_name": os.environ.get("ATOUT_SITE_NAME", "atout"),
    "primary": os.environ.get("ATOUT_COLOR_PRIMARY", "#1d4f6e"),
    "accent": os.environ.get("ATOUT_COLOR_ACCENT", "#b3461b"),
    "logo": os.environ.get("ATOUT_LOGO", ""),
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
#: Reverse proxies in front of atout that append the client's address to X-Forwarded-For (0: none,
#: the header is ignored). Rate limits and sign-in throttling key on that address (hashed).
ATOUT_TRUSTED_PROXIES = int(os.environ.get("ATOUT_TRUSTED_PROXIES", "0"))
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("ATOUT_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("ATOUT_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Logs carry no personal data: tokens in URLs, e-mail and IP addresses are masked (atout.core.logfilters).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "atout.core.logfilters.RedactPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("ATOUT_LOG_LEVEL", "WARNING")},
}

# A cache shared by every app process (the API's rate limits count across gunicorn workers); its table is
# made by `atout migrate` (atout.web.apps).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "atout_cache"}}

# Sign-in throttling (atout.core.throttle): failures per username and per client within the cool-down.
ATOUT_LOGIN_MAX_FAILURES = int(os.environ.get("ATOUT_LOGIN_MAX_FAILURES", "5"))
ATOUT_LOGIN_MAX_FAILURES_PER_CLIENT = int(os.environ.get("ATOUT_LOGIN_MAX_FAILURES_PER_CLIENT", "20"))
ATOUT_LOGIN_COOLDOWN = int(os.environ.get("ATOUT_LOGIN_COOLDOWN", "900"))
#: Sign-ups and sign-in link requests (each sends an e-mail) per client within ATOUT_LOGIN_COOLDOWN.
ATOUT_MAIL_REQUESTS_PER_CLIENT = int(os.environ.get("ATOUT_MAIL_REQUESTS_PER_CLIENT", "10"))
CSRF_COOKIE_HTTPONLY = True  # no script of ours reads the CSRF cookie

# Content-Security-Policy (django-csp): everything from the site itself; no inline script (our scripts
# are static files: web/atout.js); no plugin, no framing, forms posted to the site only.
_logo_origin = urlsplit(ATOUT_THEME["logo"])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # 'unsafe-inline' for styles only: the theme's colours (a <style> built from ATOUT_COLOR_*), and
        # data-driven style attributes (map and chart swatches, quota bars, indentation of the action tree)
        # in many templates. Styles cannot run code; scripts stay strict.
        "style-src": ["'self'", "'unsafe-inline'"],
        # data: for the icons Swagger UI (/api/docs) and the admin draw from their style sheets; the theme's
        # logo may live on another site.
        "img-src": ["'self'", "data:"] + ([f"{_logo_origin.scheme}://{_logo_origin.netloc}"]
                                          if _logo_origin.scheme in ("http", "https") and _logo_origin.netloc else []),
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Uploads: size limit in MB (atout.core.uploads); background tasks restarted after a worker died (atout.core.tasks).
ATOUT_MAX_UPLOAD_MB = int(os.environ.get("ATOUT_MAX_UPLOAD_MB", "20"))
ATOUT_TASK_MAX_ATTEMPTS = int(os.environ.get("ATOUT_TASK_MAX_ATTEMPTS", "3"))
