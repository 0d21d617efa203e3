"""Settings for every Sputnik process (web, bot, worker, beat), read from the environment.

With nothing set, the project runs on embedded defaults: SQLite under var/, in-process Celery tasks,
local-memory cache and secrets generated once into var/. `DJANGO_ENV=production` switches to the
hardened profile, which refuses to start while a required variable is missing.
Every variable is documented in .env.example and in the README.
"""

import hmac
import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

from config.embedded import persistent_secret

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
_env_file = env.str("DJANGO_ENV_FILE", default=str(BASE_DIR / ".env"))
if _env_file and Path(_env_file).is_file():
    environ.Env.read_env(_env_file)  # never overrides variables already in the environment

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in ("development", "production"):
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}.")
PRODUCTION = DJANGO_ENV == "production"

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))


def _raw(name: str) -> str:
    """A value exactly as set: django-environ would treat a leading '$' (common in random secrets) as a reference."""
    return os.environ.get(name, "").strip()


def _required(name: str, hint: str) -> str:
    value = _raw(name)
    if not value:
        raise ImproperlyConfigured(f"{name} is not set; DJANGO_ENV=production requires it. {hint}")
    return value


# --- Secrets -------------------------------------------------------------------------------------

_SECRET_KEY_HOWTO = (
    "Generate one with: python -c 'from django.core.management.utils import get_random_secret_key as g; print(g())'"  # noqa: S105
)
if PRODUCTION:
    SECRET_KEY = _required("SECRET_KEY", _SECRET_KEY_HOWTO)
    # The same thresholds as Django's security.W009 check.
    if SECRET_KEY.startswith("django-insecure-") or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak for production: use at least 50 random characters. " + _SECRET_KEY_HOWTO
        )
else:
    SECRET_KEY = _raw("SECRET_KEY") or persistent_secret(VAR_DIR / "secret_key", get_random_secret_key)

_FERNET_KEY_HINT = (
    "Generate a key with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)
FIELD_ENCRYPTION_KEYS = [key.strip() for key in _raw("FIELD_ENCRYPTION_KEYS").split(",") if key.strip()]
if not FIELD_ENCRYPTION_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is not set; DJANGO_ENV=production requires it. "
            "A comma-separated list of Fernet keys, newest first. " + _FERNET_KEY_HINT
        )
    FIELD_ENCRYPTION_KEYS = [
        persistent_secret(VAR_DIR / "field_encryption.key", lambda: Fernet.generate_key().decode())
    ]
for _position, _key in enumerate(FIELD_ENCRYPTION_KEYS, start=1):
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS: key #{_position} is not a Fernet key (32 url-safe base64-encoded bytes). "
            + _FERNET_KEY_HINT
        ) from None

# --- Core ----------------------------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)

if PRODUCTION:
    _required("DJANGO_ALLOWED_HOSTS", "A comma-separated list of the host names the web process serves.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.import_export",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs' assets locally instead of from a CDN
    "import_export",
    "axes",
    "csp",
    "apps.core",
    "apps.accounts",
    "apps.analytics",
    "apps.personas",
    "apps.inference",
    "apps.conversations",
    "apps.billing",
    "apps.growth",
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
    "apps.core.middleware.AdminAuditMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires: turns a lockout into its page
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

# --- Database ------------------------------------------------------------------------------------

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let web, bot and worker share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker ----------------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
_REDIS_TIMEOUTS = {"socket_connect_timeout": 3, "socket_timeout": 5}

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="sputnik"),
            "OPTIONS": {**_REDIS_TIMEOUTS, "health_check_interval": 30},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sputnik"}}

# --- Celery (config/celery.py reads every CELERY_* name) ------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
# Without a broker, tasks run in the calling process: one machine and no services are enough to try it.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL) or None
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_IGNORE_RESULT = True  # tasks whose result someone reads opt in with ignore_result=False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# One task at a time per worker process: a slow task never holds others hostage in a prefetch buffer.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Late acks are opted into per task (apps.core.tasks.IDEMPOTENT): only idempotent tasks may run twice.
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # An unacknowledged task returns to the queue after this long; it must exceed the longest task and ETA.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    **_REDIS_TIMEOUTS,
    "health_check_interval": 25,
    "retry_on_timeout": True,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = _REDIS_TIMEOUTS["socket_connect_timeout"]
CELERY_REDIS_SOCKET_TIMEOUT = _REDIS_TIMEOUTS["socket_timeout"]
CELERY_REDIS_BACKEND_HEALTH_CHECK_INTERVAL = 25
CELERY_REDIS_RETRY_ON_TIMEOUT = True
# How often Celery computes the dashboard's preset ranges ahead (apps.analytics.snapshots).
ANALYTICS_SNAPSHOT_EVERY_MINUTES = env.int("ANALYTICS_SNAPSHOT_EVERY_MINUTES", default=15)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic jobs, added by the issues that need them: {"name": {"task": "...", "schedule": crontab(...)}}.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "billing-renewals": {"task": "billing.renewals_run", "schedule": 30 * 60},
    "billing-expiry": {"task": "billing.subscriptions_expire", "schedule": 60 * 60},
    "analytics-posthog": {"task": "analytics.posthog_forward", "schedule": 60},
    "core-deferred-tasks": {"task": "core.deferred_tasks_send", "schedule": 60},  # kept while Redis was down
    "growth-surveys": {"task": "growth.surveys_send", "schedule": 60 * 60},
    "analytics-dashboard": {"task": "analytics.dashboard_refresh", "schedule": ANALYTICS_SNAPSHOT_EVERY_MINUTES * 60},
    "accounts-retention": {"task": "accounts.retention_run", "schedule": crontab(hour=4, minute=30)},  # a quiet hour
}

# --- Internationalisation ------------------------------------------------------------------------

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
CELERY_TIMEZONE = TIME_ZONE
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request while it is missing
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Security ------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Reverse proxies whose X-Forwarded-For is believed (IPs or networks, comma-separated): the client's address
# for the YooKassa webhook's source check and the admin's login limits (apps.core.http.client_ip).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=env.list("YOOKASSA_TRUSTED_PROXIES", default=[]))

# Admin login limits (django-axes): after ADMIN_LOGIN_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is locked out for ADMIN_LOGIN_COOLOFF_MINUTES; a success resets the count.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "apps.core.http.client_ip"
AXES_LOCKOUT_CALLABLE = "apps.core.views.admin_locked_out"
AXES_VERBOSE = False

# Content security policy (django-csp): the admin loads nothing from other origins (no CDN), may not be framed,
# and posts forms only to itself. Inline scripts and eval stay allowed because django-unfold's templates and
# its Alpine.js need them; what this blocks is loading or sending anything elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE, UNSAFE_EVAL],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Orchestrators probe the health endpoint over plain HTTP inside the private network.
    SECURE_REDIRECT_EXEMPT = [r"^api/health$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

# --- Logging -------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "faster_whisper": {"level": "WARNING"},  # logs every clip's duration at INFO
    },
}

# --- Admin (django-unfold) -----------------------------------------------------------------------

UNFOLD = {
    "SITE_TITLE": _("Sputnik"),
    "SITE_HEADER": _("Sputnik"),
    "SITE_SUBHEADER": _("AI companion admin"),
    "SITE_SYMBOL": "satellite_alt",
    "SHOW_LANGUAGES": True,
    "SHOW_HISTORY": True,
    "ENVIRONMENT": "apps.core.admin_dashboard.environment_callback",
    "DASHBOARD_CALLBACK": "apps.core.admin_dashboard.dashboard_callback",
    "STYLES": [lambda request: static("css/admin.css")],
}

# --- Models (apps.inference) ----------------------------------------------------------------------

MODELS_DIR = Path(env.str("MODELS_DIR", default=str(VAR_DIR / "models")))
# Primary text generator: "ctranslate2" (local, batched) or "openai" (any OpenAI-compatible server),
# or a dotted path to a class. LLM_FALLBACK names the one tried when the primary is unavailable.
LLM_BACKEND = env.str("LLM_BACKEND", default="ctranslate2")
LLM_FALLBACK = env.str("LLM_FALLBACK", default="")
LLM_MODEL_DIR = Path(env.str("LLM_MODEL_DIR", default=str(MODELS_DIR / "smollm2-135m-instruct")))
LLM_INTER_THREADS = env.int("LLM_INTER_THREADS", default=2)  # parallel batches; one per core suits small models
LLM_INTRA_THREADS = env.int("LLM_INTRA_THREADS", default=1)  # threads inside one batch
LLM_MAX_BATCH_SIZE = env.int("LLM_MAX_BATCH_SIZE", default=16)
LLM_BATCH_WINDOW_MS = env.float("LLM_BATCH_WINDOW_MS", default=10.0)
LLM_QUEUE_CAPACITY = env.int("LLM_QUEUE_CAPACITY", default=256)
LLM_QUEUE_TIMEOUT_S = env.float("LLM_QUEUE_TIMEOUT_S", default=30.0)
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="")
OPENAI_API_KEY = _raw("OPENAI_API_KEY")
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
OPENAI_TIMEOUT_S = env.float("OPENAI_TIMEOUT_S", default=30.0)
OPENAI_MAX_RETRIES = env.int("OPENAI_MAX_RETRIES", default=1)
WHISPER_MODEL_DIR = Path(env.str("WHISPER_MODEL_DIR", default=str(MODELS_DIR / "whisper-base")))
VOICE_MAX_SECONDS = env.float("VOICE_MAX_SECONDS", default=120.0)

# --- Dialogue (apps.conversations) -----------------------------------------------------------------

DIALOGUE_PROMPT_BUDGET = env.int("DIALOGUE_PROMPT_BUDGET", default=2048)  # tokens of prompt, at most
DIALOGUE_MAX_NEW_TOKENS = env.int("DIALOGUE_MAX_NEW_TOKENS", default=200)
DIALOGUE_HISTORY_TURNS = env.int("DIALOGUE_HISTORY_TURNS", default=40)  # read from the database per reply
DIALOGUE_SUMMARY_EVERY = env.int("DIALOGUE_SUMMARY_EVERY", default=10)  # refresh the summary every N turns
MEMORY_LLM_EXTRACTION = env.bool("MEMORY_LLM_EXTRACTION", default=False)  # for models that follow JSON instructions

# --- Retention (apps.accounts.retention, daily) -------------------------------------------------------

# Messages older than this many days are deleted (0: kept until the user erases their data).
RETENTION_MESSAGES_DAYS = env.int("RETENTION_MESSAGES_DAYS", default=0)
# People not seen for this many months, without a live subscription, are erased (0: never).
RETENTION_INACTIVE_MONTHS = env.int("RETENTION_INACTIVE_MONTHS", default=0)

# --- Billing (apps.billing) ----------------------------------------------------------------------

# YooKassa shop credentials; empty: payments are off and /subscribe says so.
YOOKASSA_SHOP_ID = env.str("YOOKASSA_SHOP_ID", default="")
YOOKASSA_SECRET_KEY = _raw("YOOKASSA_SECRET_KEY")
YOOKASSA_API_URL = env.str("YOOKASSA_API_URL", default="https://api.yookassa.ru/v3")
YOOKASSA_TIMEOUT_S = env.float("YOOKASSA_TIMEOUT_S", default=15.0)
# Where YooKassa sends the user after paying (the bot's chat); default https://t.me/<bot username>.
YOOKASSA_RETURN_URL = env.str("YOOKASSA_RETURN_URL", default="")
# Source networks of YooKassa's notifications (https://yookassa.ru/developers/using-api/webhooks).
YOOKASSA_WEBHOOK_NETWORKS = env.list(
    "YOOKASSA_WEBHOOK_NETWORKS",
    default=["185.71.76.0/27", "185.71.77.0/27", "77.75.153.0/25", "77.75.156.11/32", "77.75.156.35/32",
             "77.75.154.128/25", "2a02:5180::/32"],
)  # fmt: skip
# VAT code for 54-FZ receipts (1: no VAT) and the tax system code of the shop (empty: not sent).
YOOKASSA_VAT_CODE = env.int("YOOKASSA_VAT_CODE", default=1)
# Renewals: charged this many hours before the period ends; after a failure, access lasts this many days
# while retries continue.
BILLING_RENEW_BEFORE_HOURS = env.int("BILLING_RENEW_BEFORE_HOURS", default=24)
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS", default=3)

# --- Analytics → PostHog (apps.analytics.posthog) -------------------------------------------------

# Project API key; empty: nothing is forwarded and events simply stay in the database.
POSTHOG_API_KEY = _raw("POSTHOG_API_KEY")
# EU cloud by default, or a self-hosted PostHog. The SDK's own default is the US cloud, which we refuse.
POSTHOG_HOST = env.str("POSTHOG_HOST", default="") or "https://eu.i.posthog.com"
POSTHOG_BATCH_SIZE = env.int("POSTHOG_BATCH_SIZE", default=500)  # events per /batch/ request
POSTHOG_TIMEOUT_S = env.float("POSTHOG_TIMEOUT_S", default=10.0)
# Key of the HMAC that turns a Telegram id into PostHog's distinct_id. Empty: derived from SECRET_KEY, so
# rotating SECRET_KEY would split every user in two; set it explicitly in production.
POSTHOG_ID_SALT = _raw("POSTHOG_ID_SALT") or hmac.new(SECRET_KEY.encode(), b"posthog-distinct-id", "sha256").hexdigest()

# --- Product -------------------------------------------------------------------------------------

# The bot process (`python -m bots.telegram`) starts only when this is set.
TELEGRAM_BOT_TOKEN = _raw("TELEGRAM_BOT_TOKEN")
# A self-hosted Bot API server (or the tests' fake one); empty: Telegram's own.
TELEGRAM_API_URL = env.str("TELEGRAM_API_URL", default="")
# The bot's @username without "@": deep links and QR codes in the admin are t.me/<this>?start=<code>.
TELEGRAM_BOT_USERNAME = env.str("TELEGRAM_BOT_USERNAME", default="sputnik_companion_bot").lstrip("@")
# Webhook mode when set (the public HTTPS URL Telegram posts to); long polling otherwise. The bot process
# serves it on BOT_WEBHOOK_LISTEN behind the reverse proxy; Telegram sends BOT_WEBHOOK_SECRET in a header.
BOT_WEBHOOK_URL = env.str("BOT_WEBHOOK_URL", default="")
# Empty: derived from SECRET_KEY, so every replica agrees (Telegram allows A-Z a-z 0-9 _ -, up to 256).
BOT_WEBHOOK_SECRET = (
    _raw("BOT_WEBHOOK_SECRET") or hmac.new(SECRET_KEY.encode(), b"telegram-webhook", "sha256").hexdigest()
)
BOT_WEBHOOK_LISTEN = env.str("BOT_WEBHOOK_LISTEN", default="127.0.0.1:8081")
# "@channel" or a numeric id: users must join it before chatting (the bot must be an admin there).
REQUIRED_CHANNEL = env.str("REQUIRED_CHANNEL", default="")
# Send the user what was heard in a voice message before the answer.
VOICE_ECHO_TRANSCRIPT = env.bool("VOICE_ECHO_TRANSCRIPT", default=False)
# The fewest turns between two persona photos the bot sends unasked (daily quotas: plans and the free
# tier in the admin).
PHOTO_UNASKED_EVERY_TURNS = env.int("PHOTO_UNASKED_EVERY_TURNS", default=12)

# --- Abuse limits (bots/telegram/abuse.py); 0 turns a rate limit off ----------------------------------

# Text messages per user: a burst (this many within RATE_LIMIT_BURST_SECONDS) and per minute.
RATE_LIMIT_BURST = env.int("RATE_LIMIT_BURST", default=5)
RATE_LIMIT_BURST_SECONDS = env.float("RATE_LIMIT_BURST_SECONDS", default=10.0)
RATE_LIMIT_PER_MINUTE = env.int("RATE_LIMIT_PER_MINUTE", default=20)
# Voice messages per user per minute, and seconds of audio per 10 minutes (keep it >= VOICE_MAX_SECONDS).
VOICE_LIMIT_PER_MINUTE = env.int("VOICE_LIMIT_PER_MINUTE", default=3)
VOICE_LIMIT_SECONDS_PER_10_MIN = env.float("VOICE_LIMIT_SECONDS_PER_10_MIN", default=300.0)
# The longest text message the bot takes (Telegram's own limit is 4096).
MESSAGE_MAX_CHARS = env.int("MESSAGE_MAX_CHARS", default=4000)
# While the generator is saturated (or just failed), turns wait for it: at most this many at once (more
# are refused with "write again in a minute"), each at most OVERLOAD_MAX_WAIT_S, with a notice to the user
# after OVERLOAD_NOTICE_AFTER_S. After a failure, new turns wait OVERLOAD_COOLDOWN_S before one retries.
OVERLOAD_MAX_WAITING = env.int("OVERLOAD_MAX_WAITING", default=64)
OVERLOAD_MAX_WAIT_S = env.float("OVERLOAD_MAX_WAIT_S", default=120.0)
OVERLOAD_NOTICE_AFTER_S = env.float("OVERLOAD_NOTICE_AFTER_S", default=10.0)
OVERLOAD_COOLDOWN_S = env.float("OVERLOAD_COOLDOWN_S", default=5.0)
