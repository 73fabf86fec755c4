"""Duban settings: one module, every value from the environment with a safe default.

Without any environment the project runs on one machine with no servers: SQLite under
var/, e-mail written to var/outbox/, and Celery on a broker kept in files under var/.
Production sets DUBAN_ENV=production and the variables listed in deploy/duban.env.example.
"""

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [part.strip() for part in value.split(",") if part.strip()]


DUBAN_ENV = env_str("DUBAN_ENV", "development")
PRODUCTION = DUBAN_ENV == "production"

# Everything the embedded setup writes (database, outbox, broker files, uploads) lives here.
VAR_DIR = Path(env_str("DUBAN_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _development_secret_key():
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# Shorter keys, or the example's placeholder (anything with CHANGE in it), are refused in
# production: sessions, password-reset links and CSRF tokens are signed with this key.
SECRET_KEY_MIN_LENGTH = 50


def _check_production_secret_key(key):
    make_one = 'make one with: python3 -c "import secrets; print(secrets.token_urlsafe(50))"'
    if not key:
        raise ImproperlyConfigured(f"SECRET_KEY must be set when DUBAN_ENV=production; {make_one}")
    if "CHANGE" in key:
        raise ImproperlyConfigured(
            f"SECRET_KEY is still the placeholder of deploy/duban.env.example; {make_one}"
        )
    if len(key) < SECRET_KEY_MIN_LENGTH:
        raise ImproperlyConfigured(
            f"SECRET_KEY has {len(key)} characters, production needs at least "
            f"{SECRET_KEY_MIN_LENGTH}; {make_one}"
        )


SECRET_KEY = env_str("SECRET_KEY")
if PRODUCTION:
    _check_production_secret_key(SECRET_KEY)
elif not SECRET_KEY:
    SECRET_KEY = _development_secret_key()

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Absolute address of the site, used for links in e-mails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "tracker",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tracker.lib.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://user@host:5432/name in production), else SQLite in var/.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'duban.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Dashboards count items per unit and month with DISTINCT; PostgreSQL's default 4 MB of
    # sort memory sends those sorts to disk at tens of thousands of items.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c work_mem={env_str('DATABASE_WORK_MEM', '32MB')}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker, beat and web server share one SQLite file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    # A file, not memory, so that worker processes started by tests see the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-duban.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tracker.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

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
# Login throttling: lock a username + address after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# The lockout page (HTTP 429) in the reader's language, saying when to try again.
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
# Behind nginx every request comes from the proxy: the client's address is the X-Real-IP
# header nginx sets, believed only from these addresses (IPs or networks; "*": any sender,
# for a container network only nginx can reach). See config/client_ip.py.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", ["127.0.0.1", "::1"])
for _proxy in TRUSTED_PROXIES:
    if _proxy != "*":
        try:
            ipaddress.ip_network(_proxy, strict=False)
        except ValueError as error:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip_address"
# Password-reset e-mails (config/password_reset.py): at most this many requests per e-mail
# address and per client address within the window; more are refused with a message.
PASSWORD_RESET_PER_ACCOUNT = env_int("PASSWORD_RESET_PER_ACCOUNT", 3)
PASSWORD_RESET_PER_ADDRESS = env_int("PASSWORD_RESET_PER_ADDRESS", 10)
PASSWORD_RESET_WINDOW_MINUTES = env_int("PASSWORD_RESET_WINDOW_MINUTES", 60)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date formats per language (Y年n月j日 / j M Y), used by pages, e-mails and exports alike.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.min.js straight from the installed plotly package (offline intranets, no CDN).
    "dashboards.finders.PlotlyJsFinder",
]
STORAGES = {
    # Uploaded evidence lives outside the web root; it is served only through a view that
    # checks who may see the item, never by URL.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("MEDIA_ROOT", str(VAR_DIR / "uploads")), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = STORAGES["default"]["OPTIONS"]["location"]
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The import preview posts a few inputs per item; gazettes hold several hundred items.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 20000)
# Largest document and evidence file accepted, in bytes.
DUBAN_MAX_UPLOAD_BYTES = env_int("DUBAN_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# The plausible range of any date a user or a document sets (tracker/lib/plausible.py): from this
# date to this many years after today. Outside it a date is refused, or in an import becomes a
# warning, and the reminder sweep lists a stored one for the office instead of computing it.
DUBAN_EARLIEST_DATE = env_str("DUBAN_EARLIEST_DATE", "2000-01-01")
DUBAN_LATEST_DATE_YEARS = env_int("DUBAN_LATEST_DATE_YEARS", 10)
# Reading an upload (tracker/imports/formats): what one file may cost the import worker.
# The file is read within DUBAN_IMPORT_TIME_LIMIT (below), the import task's own limit.
DUBAN_IMPORT_MAX_PAGES = env_int("DUBAN_IMPORT_MAX_PAGES", 2000)  # PDF / OFD pages
DUBAN_IMPORT_MAX_OCR_PAGES = env_int("DUBAN_IMPORT_MAX_OCR_PAGES", 40)  # scanned pages
DUBAN_IMPORT_MAX_CELLS = env_int("DUBAN_IMPORT_MAX_CELLS", 500_000)  # spreadsheet cells
DUBAN_IMPORT_MAX_ZIP_MEMBERS = env_int("DUBAN_IMPORT_MAX_ZIP_MEMBERS", 5000)
DUBAN_IMPORT_MAX_UNZIPPED_BYTES = env_int("DUBAN_IMPORT_MAX_UNZIPPED_BYTES", 200 * 1024 * 1024)
DUBAN_IMPORT_TOOL_MEMORY_BYTES = env_int("DUBAN_IMPORT_TOOL_MEMORY_BYTES", 4 * 1024**3)

# E-mail: SMTP when EMAIL_HOST is set, else one file per message under var/outbox/.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = str(VAR_DIR / "outbox")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "督办台 <duban@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis in production; without CELERY_BROKER_URL a broker kept in files under var/,
# so that a real worker and beat run on a machine with no server at all.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        "polling_interval": 1,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
if CELERY_BROKER_URL.startswith("redis://"):
    # kombu's Redis transport with a repair that keeps a worker alive when Redis goes away
    # under an acks-late task (config/broker.py explains).
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
# Parsing one uploaded file (tracker.tasks.parse_import): after this many seconds the job stops
# with a message on its page and the worker takes the next import; a job silent for the hard
# limit (soft + 30 s: the worker process was killed) is shown as failed too.
DUBAN_IMPORT_TIME_LIMIT = env_int("DUBAN_IMPORT_TIME_LIMIT", 300)
DUBAN_IMPORT_HARD_TIME_LIMIT = DUBAN_IMPORT_TIME_LIMIT + 30
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Imports and reminders get their own queues so that a long parse never delays an e-mail
# and either can be scaled out with more workers (deploy/ starts workers on all three).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "tracker.tasks.*import*": {"queue": "imports"},
    "tracker.tasks.*parse*": {"queue": "imports"},
    "tracker.tasks.*remind*": {"queue": "reminders"},
    "tracker.tasks.*digest*": {"queue": "reminders"},
    "tracker.tasks.*mail*": {"queue": "reminders"},
}
DUBAN_QUEUES = ["celery", "imports", "reminders"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "tracker.tasks.heartbeat", "schedule": 60.0, "args": ("beat",)},
    # Reminders: the tick itself decides whether it is sending time (ReminderSettings, working
    # days from WorkdayCalendar), so a changed send time needs no restart and missed ticks
    # are caught up by the next one.
    "reminders-tick": {"task": "tracker.tasks.reminders_tick", "schedule": 300.0},
    # Inbox messages (decisions, urging notices, 督办单): digests and retries; views enqueue the
    # same task when they post, so immediate mail goes out at once.
    "notices-mail": {"task": "tracker.tasks.notices_mail", "schedule": 300.0},
    # 督办单 not answered by their reply date go up one level (tracker/supervision/notices.py).
    "escalate-notices": {"task": "tracker.tasks.escalate_notices", "schedule": 3600.0},
    # The monthly 通报 to leaders: once per leader and month (tracker/bulletin/mailing.py).
    "bulletin-mail": {"task": "tracker.tasks.bulletin_mail", "schedule": 3600.0},
}

# Production hardening; `manage.py check --deploy` is clean with DUBAN_ENV=production.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Monitoring calls /healthz on gunicorn directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Content Security Policy (config/csp.py): no inline scripts anywhere; JavaScript is served
# from static files and data reaches it through json_script.
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    # plotly.js injects <style> rules and style attributes into its SVG: checked in Chromium,
    # it needs 'unsafe-inline' for styles (not for scripts, and no 'unsafe-eval').
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# /healthz: a heartbeat older than this many seconds marks the worker or beat as down.
HEALTHZ_MAX_HEARTBEAT_AGE = env_int("HEALTHZ_MAX_HEARTBEAT_AGE", 180)
# Test-only: a fixed "now" for tracker.lib.clock (ISO 8601), so real processes see reminders due.
DUBAN_FAKE_NOW = env_str("DUBAN_FAKE_NOW")
if DUBAN_FAKE_NOW and PRODUCTION:
    raise ImproperlyConfigured("DUBAN_FAKE_NOW is for tests; unset it when DUBAN_ENV=production.")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# The dashboards keep their computed figures here (dashboards/cache.py): Redis in production
# (CACHE_URL=redis://host:6379/N), else each process's memory. A cache that fails is skipped.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "duban",
            "TIMEOUT": 300,
        }
    }
# How long a dashboard's figures may be reused at most (any item write ends it sooner).
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 300)
# 台账 exports of more rows than this run as a background job (tracker/tracking/export_jobs.py),
# their files kept this many hours.
DUBAN_EXPORT_INLINE_ROWS = env_int("DUBAN_EXPORT_INLINE_ROWS", 3000)
DUBAN_EXPORT_KEEP_HOURS = env_int("DUBAN_EXPORT_KEEP_HOURS", 24)
