"""Settings for the order management site; every environment differs only by its variables."""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# A fixed key is fine for the embedded demo; a deployment (DEBUG off) must bring its own.
_DEMO_SECRET_KEY = "demo-only-insecure-key-change-me-in-any-deployment-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", _DEMO_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_fsm",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    # Two-step sign-in: authenticator apps (TOTP) and recovery codes (static tokens); ordersite/accounts.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "customers",
    "orders",
    "ordersite.accounts",
]

MIDDLEWARE = [
    # Observability first: a request id on every log line and response, then request metrics, so both
    # see every answer (the 503 for a database outage included). See ordersite/logcontext.py, metrics.py.
    "ordersite.logcontext.RequestIdMiddleware",
    "ordersite.metrics.MetricsMiddleware",
    "ordersite.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ordersite.middleware.PollingLeavesSessionIdleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ordersite.middleware.NoStoreForAuthenticatedMiddleware",
    # NUL or a lone surrogate in the address, query string or a form: a 400 before any view or query
    # (after authentication, so the 400 page shows the user's navigation).
    "ordersite.middleware.RefuseUnstorableInputMiddleware",
    # A user who owes the second step of signing in sees nothing else (ordersite/accounts/gate.py).
    "ordersite.accounts.gate.SecondFactorMiddleware",
    # Axes must come last so it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ordersite.urls"
WSGI_APPLICATION = "ordersite.wsgi.application"

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
                "csp.context_processors.nonce",
                "customers.context_processors.role",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default runs the web server and a worker on one file: writers queue for the lock
    # (IMMEDIATE takes it when a transaction starts, so no transaction fails half-way) instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 30, "transaction_mode": "IMMEDIATE"})

# One cache for every process and host when Redis is there (the API throttle, login lock-outs, the
# catalog's version, the relay's nudges); otherwise each process keeps its own.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_URL = os.environ.get("CACHE_URL", REDIS_URL)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    # In-process without Redis: room for what every API call keeps (its client, permissions, customer and
    # address; orders.clients), where Django's default of 300 entries would keep evicting them.
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 20_000}}
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "customers.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "customers.backends.ModelBackendInOneQuery",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Twelve characters of `aaaaaaaaaaaa` pass the length rule: zxcvbn's estimate must reach 3 of 4 too.
    {"NAME": "customers.passwords.GuessabilityValidator", "OPTIONS": {"min_score": 3}},
]

# The demo users' password where seed_demo runs with DEBUG off; it must pass the rules above.
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: after five failures for a username from one address, or twenty for any usernames
# from one address (password spraying), that address waits an hour (ordersite/accounts/throttle.py).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "ordersite.accounts.throttle.PerUsernameAndAddressHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0")) or None

# Two-step sign-in (ordersite/accounts, customers/second_factor.py): staff (agents, supervisors, is_staff)
# must enrol an authenticator app and enter its code after their password; optional for everyone else.
OTP_REQUIRED_FOR_STAFF = env_bool("OTP_REQUIRED_FOR_STAFF", not DEBUG)
OTP_TOTP_ISSUER = "OrderDesk"
# Nobody reads another person's authenticator secret or QR code in the admin (its config pages answer 403).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# A business phone system's capture step posts 500 handsets of a dozen fields each (and their speed
# dials); Django's default of 1,000 fields would refuse it before the form reads a row.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 25_000

# Sessions end after 30 idle minutes: every request pushes the expiry forward.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE = not DEBUG
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SECURE)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SECURE)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000 if SECURE else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "en-gb"
# One way to write dates everywhere, the back office included: "5 Dec 2026", "5 Dec 2026 14:05".
FORMAT_MODULE_PATH = ["ordersite.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "orders@example.com")

# Seconds a client is told to wait before retrying when the database is unreachable.
DATABASE_UNAVAILABLE_RETRY_AFTER = 30

# --- health, metrics and logs (ordersite/health.py, metrics.py, logcontext.py) -----------------
# Probes and the scrape answer plain HTTP on the pod's own address: no redirect to HTTPS for them.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
# /health/ready fails when the outbox relay is this far behind.
READY_MAX_RELAY_LAG_SECONDS = float(os.environ.get("READY_MAX_RELAY_LAG_SECONDS", "300"))
# /metrics answers `Authorization: Bearer <METRICS_TOKEN>` (when set) or these client addresses
# (REMOTE_ADDR only, and only for requests that did not come through a proxy); anyone else gets a 404.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
for _network in METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {error}") from None

# One JSON object a line (LOG_FORMAT=json, the default with DEBUG off) or a readable line (text, the
# default with DEBUG on); both carry the request id (the Celery task id in a worker) and the order.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "ordersite.logcontext.ContextFilter"}},
    "formatters": {
        "json": {"()": "ordersite.logcontext.JsonFormatter"},
        "text": {"()": "ordersite.logcontext.TextFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers (plain text, some only with DEBUG) give way to ours: one line, one format.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "axes": {"level": "WARNING"},
        # Sign-ins, failures, lock-outs, second-factor events, refused permissions (ordersite/accounts/audit.py),
        # whatever LOG_LEVEL says.
        "security": {"level": "INFO"},
        "celery": {"level": "WARNING"},
    },
}

# --- fulfilment and event delivery (Celery) ---------------------------------------------------
# Work leaves a transaction only through the outbox (orders/outbox.py); Celery carries the relay,
# deliveries and the simulated downstream. The embedded default needs no broker server: messages
# are files under var/broker, and `make run` starts a worker and beat beside the web server.
# Production sets CELERY_BROKER_URL or REDIS_URL (Redis). Tests ask for eager execution themselves.
BROKER_FOLDER = Path(os.environ.get("CELERY_BROKER_FOLDER", BASE_DIR / "var" / "broker"))
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "orders")
CELERY_CONTROL_QUEUE = os.environ.get("CELERY_CONTROL_QUEUE", "control")
CELERY_TASK_ROUTES = {
    f"orders.tasks.{name}": {"queue": CELERY_CONTROL_QUEUE}
    for name in ("relay_outbox", "flag_orders_in_jeopardy", "flag_stuck_orders", "deliver_pending_events")
}
# A task is acknowledged when it has run, and given back when its worker dies, so a killed worker's
# task runs again; Redis hands unacknowledged messages out again after the visibility timeout.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_PUBLISH_RETRY = False  # a web request never waits for a broker that is down
# Workers keep their database connections across tasks (Celery closes them after every task unless
# told otherwise); ordersite/celery.py drops a broken or expired one before each task, as Django does
# per request.
CELERY_DB_REUSE_MAX = 10_000
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_FOLDER / "messages"),
        "data_folder_out": str(BROKER_FOLDER / "messages"),
        "control_folder": str(BROKER_FOLDER / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "60")),
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
    }
CELERY_TIMEZONE = TIME_ZONE
# Seconds a relay or simulator holds the rows it took; a dead worker's rows are taken again after.
OUTBOX_CLAIM_SECONDS = int(os.environ.get("OUTBOX_CLAIM_SECONDS", "60"))
# How long one relay task runs before handing the rest to the next one.
OUTBOX_RELAY_BUDGET_SECONDS = float(os.environ.get("OUTBOX_RELAY_BUDGET_SECONDS", "10"))
# The relay sweep: whatever a lost nudge or a dead worker left behind waits at most this long.
OUTBOX_SWEEP_SECONDS = float(os.environ.get("OUTBOX_SWEEP_SECONDS", "5"))
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "orders.tasks.relay_outbox", "schedule": OUTBOX_SWEEP_SECONDS},
    "flag-orders-in-jeopardy": {"task": "orders.tasks.flag_orders_in_jeopardy", "schedule": 15 * 60},
    "flag-stuck-orders": {"task": "orders.tasks.flag_stuck_orders", "schedule": 2 * 60},
}

# Adapters to the outside world, each chosen by its variable. With DEBUG on (the demo, the tests) the
# simulators are the default; a deployment runs on one only when it says so, with ALLOW_SIMULATORS=1
# or by naming the simulator in the variable, or `check --deploy` fails (orders/checks.py).
ALLOW_SIMULATORS = env_bool("ALLOW_SIMULATORS", DEBUG)
ADAPTER_SETTINGS = ("CREDIT_BUREAU", "FULFILMENT_DOWNSTREAM")
ADAPTERS_CHOSEN_IN_ENVIRONMENT = frozenset(name for name in ADAPTER_SETTINGS if os.environ.get(name))
# The credit bureau (orders/credit.py), by dotted path.
CREDIT_BUREAU = os.environ.get("CREDIT_BUREAU") or "orders.credit.SimulatedCreditBureau"
# Downstream systems (orders/downstream.py): "simulated" completes steps by itself; "manual" waits
# for the signed callback (/fulfilment/callback/<system>) that real systems use.
FULFILMENT_DOWNSTREAM = os.environ.get("FULFILMENT_DOWNSTREAM") or "simulated"
SIMULATOR_DELAY_SECONDS = float(os.environ.get("SIMULATOR_DELAY_SECONDS", "0" if CELERY_TASK_ALWAYS_EAGER else "6"))
if FULFILMENT_DOWNSTREAM == "simulated":
    CELERY_BEAT_SCHEDULE["simulate-downstream"] = {
        "task": "orders.tasks.simulate_downstream",
        "schedule": max(1.0, SIMULATOR_DELAY_SECONDS / 2),
    }
SIMULATOR_FAILURE_RATE = float(os.environ.get("SIMULATOR_FAILURE_RATE", "0"))
# How long the simulated systems' API takes to accept a batch of tasks (a slow downstream).
SIMULATOR_SUBMIT_SECONDS = float(os.environ.get("SIMULATOR_SUBMIT_SECONDS", "0"))
# Each downstream system signs its callbacks (HMAC-SHA256 of the body) with a secret of its own, never
# the SECRET_KEY: FULFILMENT_CALLBACK_SECRET_<SYSTEM> (e.g. ..._NETWORK) holds its current secret and,
# while rotating, the previous one after a comma. `check --deploy` wants one for every system.
CALLBACK_SECRET_PREFIX = "FULFILMENT_CALLBACK_SECRET_"
FULFILMENT_CALLBACK_SECRETS = {
    name.removeprefix(CALLBACK_SECRET_PREFIX).lower(): [secret.strip() for secret in value.split(",") if secret.strip()]
    for name, value in os.environ.items()
    if name.startswith(CALLBACK_SECRET_PREFIX)
}
# With DEBUG on (the demo, the tests) a system without a secret of its own signs with this one.
FULFILMENT_CALLBACK_DEMO_SECRET = "demo-callback-secret" if DEBUG else ""

# --- TMF Open APIs (Django REST framework, drf-spectacular) -----------------------------------
# Hub listeners on internal addresses: only where the listeners run beside us (the demo, the tests).
HUB_CALLBACK_ALLOW_PRIVATE = env_bool("HUB_CALLBACK_ALLOW_PRIVATE", DEBUG)
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["ordersite.tmf.tmf630.authentication.ApiClientAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["ordersite.tmf.tmf630.authentication.IsApiClient"],
    "DEFAULT_THROTTLE_CLASSES": ["ordersite.tmf.tmf630.authentication.ApiClientRateThrottle"],
    # "off" only for load tests, where one generator stands in for many clients.
    "DEFAULT_THROTTLE_RATES": {"api_client": None if API_THROTTLE_RATE == "off" else API_THROTTLE_RATE},
    "DEFAULT_PARSER_CLASSES": ["ordersite.tmf.tmf630.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "ordersite.tmf.tmf630.errors.tmf_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OrderDesk TM Forum Open APIs",
    "DESCRIPTION": (
        "TMF622 Product Ordering v4, TMF629 Customer v4, TMF620 Product Catalog v4 (changes need the "
        "catalog-management permission), TMF679 Product Offering Qualification v4 and TMF637 Product "
        "Inventory v4 (read-only). "
        "Authenticate with `Authorization: Bearer <token>`; every error carries a TMF630 Error body."
    ),
    "VERSION": "4.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/tmf-api/[A-Za-z]+/v4",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "ordersite.tmf.openapi.add_components"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
