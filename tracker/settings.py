"""Settings, read once from the environment: safe newcomer defaults, strict production values."""

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tracker.env import env, env_bool, env_days, env_int, env_list, env_time

BASE_DIR = Path(__file__).resolve().parent.parent


# development (the default: `make run`), test, or production (strict: every secret from the env).
DJANGO_ENV = env("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be development, test or production, not {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"


def required_in_production(name, default):
    value = env(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production")
    return default


SECRET_KEY = required_in_production("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only")):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters")
DEBUG = env_bool("DEBUG", not PRODUCTION and DJANGO_ENV != "test")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "tracker",
    "actions",
    "reports",
]

MIDDLEWARE = [
    "tracker.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Permissions-Policy on every response, static files included (see PERMISSIONS_POLICY).
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication, so it sees who asked (the API's token user included).
    "tracker.middleware.PrivateResponsesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tracker.middleware.SessionTimeoutMiddleware",
    "tracker.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

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
                "tracker.context_processors.operations",
            ],
        },
    },
]

# SQLite by default so a newcomer needs no services; PostgreSQL in production via DATABASE_URL.
DATABASE_URL = required_in_production("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        # A kept connection the server has dropped (restart, failover, an idle timeout) is found
        # and replaced when the next request first needs it, instead of failing that request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout stop "database is locked" when web and tasks write at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif PRODUCTION and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tracker.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Development and tests serve static files straight from the source folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# Evidence is private: stored outside STATIC_ROOT, with no MEDIA_URL, and only ever served
# through a permission-checked view.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "private-media")))
MEDIA_URL = None
# The largest evidence upload (the plan import has PLAN_MAX_UPLOAD_MB).
EVIDENCE_MAX_UPLOAD_MB = env_int("EVIDENCE_MAX_UPLOAD_MB", 20)
# An action plan's sheet is refused past these, before its rows are read into memory.
PLAN_IMPORT_MAX_ROWS = env_int("PLAN_IMPORT_MAX_ROWS", 5000)
PLAN_IMPORT_MAX_COLUMNS = env_int("PLAN_IMPORT_MAX_COLUMNS", 100)
# Independent assurance: the assurer never added the evidence; with this on, neither are they the
# action's OPCC lead.
ASSURANCE_ASSURER_NOT_LEAD = env_bool("ASSURANCE_ASSURER_NOT_LEAD", False)

# Mail: console for newcomers, SMTP (or any backend) in production.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Action tracker <tracker@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: with no REDIS_URL, tasks run inline in the calling process (the newcomer default).
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker that stops answering (Redis stopped or hung, a dropped network) fails an enqueue within
# seconds instead of holding the request that made it: the connect and socket timeouts bound each
# attempt, and a publish is tried twice. (The outbox row is the promise; the sweep sends it.)
BROKER_TIMEOUT = env_int("BROKER_TIMEOUT", 3)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": BROKER_TIMEOUT,
    # Longer than kombu's one-second BRPOP, so a worker's idle wait for work is not cut short.
    "socket_timeout": max(BROKER_TIMEOUT, 2),
    # Redis hands a message a worker took but has not acknowledged (acks late) to another worker
    # after this long: longer than the longest task may run (the hard time limit above), so a
    # running task is never doubled, and short enough that a killed worker's task comes back
    # within the hour. A task's countdown or retry wait must stay under it too.
    "visibility_timeout": env_int("BROKER_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 5 * 60),
}

# Security. Production values are strict; development keeps http working on 127.0.0.1.
SESSION_COOKIE_HTTPONLY = True
# Signed out after SESSION_IDLE_MINUTES without a request and SESSION_ABSOLUTE_HOURS after signing
# in, whichever comes first (tracker/middleware.py); the cookie lasts no longer than the latter.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 60 * 60

# Sign-in lockout (django-axes): SIGN_IN_FAILURE_LIMIT failures for one username from one address
# lock that pair for SIGN_IN_LOCKOUT_MINUTES. Keyed on the pair, so an attacker elsewhere cannot
# lock a user out of their own desk. Every attempt is also in the security event log.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("SIGN_IN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# How many reverse proxies of ours stand in front of gunicorn (docs/deploy.md: nginx, so 1; add
# one for a load balancer in front of nginx). 0 means the app is reached directly and
# X-Forwarded-For is ignored. The client address (tracker.security.client_ip) is the one the
# outermost trusted proxy saw; the lockout above and the security log both use it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "tracker.security.client_ip"

# Two-factor sign-in (tracker/two_factor.py): an authenticator app, required for OPCC staff and
# administrators when on (the production default), optional for everyone else.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", PRODUCTION)
OTP_TOTP_ISSUER = env("TWO_FACTOR_ISSUER", "OPCC action tracker")
# Nobody reads another user's authenticator secret, QR code or recovery codes in the admin: with
# them an administrator could pass anyone's second factor. Deleting a device (the lost-phone
# reset) is the one thing an administrator does with devices (tracker/admin.py).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if env_bool("BEHIND_TLS_PROXY", PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

ADMINS = [("Administrator", addr) for addr in env_list("ADMIN_EMAILS")]

# Logs go to stderr (the process manager keeps them): JSON lines in production, readable text
# otherwise (LOG_FORMAT overrides). Every record carries the request id (tracker/logs.py).
LOG_FORMAT = env("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "tracker.logs.RequestIdFilter"},
        "redact_secrets": {"()": "tracker.logs.RedactSecretsFilter"},
    },
    "formatters": {
        "json": {"()": "tracker.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact_secrets"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
# Celery workers log through the configuration above instead of replacing it with their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Demo users' password, printed by `manage.py load_demo` (never used in production).
DEMO_PASSWORD = env("DEMO_PASSWORD", "opcc-demo-2026")

# Reminders (actions/reminders/, docs/design.md "Reminder policy"). An administrator changes any of
# these in the process manager's environment and restarts the worker and beat: the sweep reads
# the thresholds each time it runs and beat builds its schedule from the times when it starts.
# No code change and no migration. Times are Europe/London wall-clock (CELERY_TIMEZONE), so 07:00
# stays 07:00 across the clock changes. Sends are recorded under a unique key, so moving a time or
# a threshold can neither lose a reminder nor send one twice.


# Deadline nudges to the owner and the delegate this many days before the deadline (on a weekend
# or a bank holiday, the working day before).
REMINDER_DEADLINE_DAYS = env_days("REMINDER_DEADLINE_DAYS", [14, 7, 1])
# Meeting questions and commitments: the person responsible is told this many days before the
# due date, on the day, and once when it is overdue.
REMINDER_QUESTION_DAYS = env_days("REMINDER_QUESTION_DAYS", [7])
# Overdue notices to the owner the day after the deadline, then every this many days.
REMINDER_OVERDUE_REPEAT_DAYS = env_int("REMINDER_OVERDUE_REPEAT_DAYS", 7)
# Escalation to the OPCC lead once an action is this many working days overdue.
REMINDER_ESCALATE_AFTER_DAYS = env_int("REMINDER_ESCALATE_AFTER_DAYS", 14)
# Days before a source's response is due (then the day after), an HMICFRS revisit, and the end of
# an action's sustaining period (then on the day: its lead, or all OPCC staff), to remind.
REMINDER_RESPONSE_DAYS = env_days("REMINDER_RESPONSE_DAYS", [14, 7, 1])
REMINDER_REVISIT_DAYS = env_int("REMINDER_REVISIT_DAYS", 14)
REMINDER_SUSTAIN_DAYS = env_int("REMINDER_SUSTAIN_DAYS", 14)
# An open action is stale after this many days without an update: the dashboard, the list's
# filter, the stale reminder and the briefing pack all read this one value (actions.models); the
# stale reminder counts it in working days. REMINDER_STALE_DAYS is its old name, still read.
STALE_DAYS = env_int("STALE_DAYS", env_int("REMINDER_STALE_DAYS", 30))
# Whatever waits on OPCC staff (a closure proposal, an extension request): the OPCC lead is
# told after this many working days, and all OPCC staff after the second number.
REMINDER_CLOSURE_WAITING_WORKING_DAYS = env_int("REMINDER_CLOSURE_WAITING_WORKING_DAYS", 3)
REMINDER_CLOSURE_ESCALATE_WORKING_DAYS = env_int("REMINDER_CLOSURE_ESCALATE_WORKING_DAYS", 10)
# An open action is due soon when its deadline is within this many days (dashboard, weekly summary).
DUE_SOON_DAYS = env_int("DUE_SOON_DAYS", 14)
# Update requests to owners of actions on a meeting's agenda, this many working days before it.
REMINDER_MEETING_WORKING_DAYS = env_int("REMINDER_MEETING_WORKING_DAYS", 10)
# "Pack ready" to OPCC staff this many working days before the meeting, once owners have had time
# to post the updates the pack reports.
REMINDER_PACK_READY_WORKING_DAYS = env_int("REMINDER_PACK_READY_WORKING_DAYS", 5)
# Bank holidays skipped when counting working days (the `holidays` package: GB, England; Wales
# has the same bank holidays).
REMINDER_HOLIDAYS_SUBDIVISION = env("REMINDER_HOLIDAYS_SUBDIVISION", "ENG")
# The daily sweep, and the weekly summary (day: mon..sun).
REMINDER_SWEEP_TIME = env_time("REMINDER_SWEEP_TIME", "07:00")
REMINDER_WEEKLY_DIGEST_DAY = env("REMINDER_WEEKLY_DIGEST_DAY", "mon").lower()[:3]
REMINDER_WEEKLY_DIGEST_TIME = env_time("REMINDER_WEEKLY_DIGEST_TIME", "07:30")
if REMINDER_WEEKLY_DIGEST_DAY not in {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}:
    raise ImproperlyConfigured("REMINDER_WEEKLY_DIGEST_DAY must be a day name, e.g. mon")
# A failed send is retried by Celery with exponential backoff starting here (seconds), up to
# REMINDER_SEND_RETRIES times; a reminder still unsent stays in the outbox and the next sweep
# tries again, until REMINDER_MAX_ATTEMPTS attempts in all mark it failed for an administrator to
# see. The defaults: three failed sends still end in delivery; six in a row mark it failed
# (one attempt and five retries, about 30 minutes of backoff).
REMINDER_RETRY_BACKOFF = env_int("REMINDER_RETRY_BACKOFF", 60)
REMINDER_SEND_RETRIES = env_int("REMINDER_SEND_RETRIES", 5)
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 6)
# A digest handed to the relay with no answer recorded for this long is "stuck" (worker killed,
# database gone mid-send): /health/ reports it and the stranded task resends it. Well above the
# longest a send can take (EMAIL_TIMEOUT per SMTP step).
REMINDER_SENDING_STUCK_MINUTES = env_int("REMINDER_SENDING_STUCK_MINUTES", 15)
# The daily sweep and the weekly summaries are retried on a database error (backoff from
# REMINDER_SWEEP_RETRY_BACKOFF seconds, doubling, at most REMINDER_SWEEP_RETRIES times), never
# past the end of their Europe/London day.
REMINDER_SWEEP_RETRY_BACKOFF = env_int("REMINDER_SWEEP_RETRY_BACKOFF", 60)
REMINDER_SWEEP_RETRIES = env_int("REMINDER_SWEEP_RETRIES", 8)
# Optional GOV.UK Notify mail (django-gov-notify): set
# EMAIL_BACKEND=django_gov_notify.backends.NotifyEmailBackend and these two. Notify sends the
# plain-text body through one "((subject)) / ((body))" template set up in its dashboard.
GOVUK_NOTIFY_API_KEY = env("GOVUK_NOTIFY_API_KEY")
GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID = env("GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID")
if PRODUCTION and EMAIL_BACKEND.startswith("django_gov_notify") and not GOVUK_NOTIFY_API_KEY:
    raise ImproperlyConfigured("GOVUK_NOTIFY_API_KEY must be set to send mail through Notify")

# The read-only JSON API and calendar feeds (api/; README "Calendar feeds and API"). The API only
# accepts a user's API token, answers JSON only, and describes itself at /api/schema/.
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "api"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.AccessTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OPCC action tracker API",
    "DESCRIPTION": "Read-only: inspections, graded areas, findings, actions and meetings, with "
    "the same permissions as the web pages. Send `Authorization: Token <your API token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RagEnum": "actions.models.Rag",
        "MeetingKindEnum": "reports.models.Meeting.Kind",
    },
}
# Importing an inspection report (actions/inspection_import/source.py, actions/repeats.py).
REPORT_MAX_UPLOAD_MB = env_int("REPORT_MAX_UPLOAD_MB", 20)
# Reading stops as soon as a report passes one of these: pages of a PDF, characters of text, and
# findings (the review screen shows REPORT_REVIEW_PAGE_SIZE of them a page).
REPORT_MAX_PAGES = env_int("REPORT_MAX_PAGES", 400)
REPORT_MAX_CHARACTERS = env_int("REPORT_MAX_CHARACTERS", 1_500_000)
REPORT_MAX_FINDINGS = env_int("REPORT_MAX_FINDINGS", 500)
REPORT_REVIEW_PAGE_SIZE = env_int("REPORT_REVIEW_PAGE_SIZE", 50)
# Importing an action plan (actions/plan_import/files.py).
PLAN_MAX_UPLOAD_MB = env_int("PLAN_MAX_UPLOAD_MB", 10)
# An earlier finding of the same force is suggested as repeated when its similarity score
# (0-100, rapidfuzz token-set ratio on normalised words) is at least this.
REPEAT_SUGGESTION_THRESHOLD = env_int("REPEAT_SUGGESTION_THRESHOLD", 65)
# Minutes between the Celery task's refreshes of the national view's figures (reports/national.py).
NATIONAL_VIEW_REFRESH_MINUTES = env_int("NATIONAL_VIEW_REFRESH_MINUTES", 15)
# The Panel paper's defaults (reports/services.py copies them onto each new pack, where OPCC
# staff can edit them): the office as it publishes, who the report is of, the contact officer,
# and the purpose and recommendation wording.
PANEL_PAPER = {
    "office_name": env("PANEL_OFFICE_NAME", "Office of the Police and Crime Commissioner"),
    "report_of": env("PANEL_REPORT_OF", "Police and Crime Commissioner"),
    "contact_name": env("PANEL_CONTACT_NAME"),
    "contact_role": env("PANEL_CONTACT_ROLE"),
    "contact_email": env("PANEL_CONTACT_EMAIL"),
    "purpose": env(
        "PANEL_PURPOSE",
        "To update the Panel on the force's response to HMICFRS inspection findings and on the "
        "Commissioner's scrutiny of progress against the action plan.",
    ),
    "recommendation": env(
        "PANEL_RECOMMENDATION",
        "The Police & Crime Panel is recommended to note the Commissioner's update on the HMICFRS "
        "inspection and make any observations.",
    ),
}
# Hours with no finished reminder sweep before /health/ fails and administrators are told.
SWEEP_HEARTBEAT_HOURS = env_int("SWEEP_HEARTBEAT_HOURS", 26)
# A database that does not answer fails fast (a request, a task, /health/) instead of hanging.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5)
    )
# Load balancers probe /health/ over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# Errors to Sentry only when SENTRY_DSN is set; no personal data or local variables are sent.
SENTRY_DSN = env("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk

    from tracker.logs import scrub_sentry_event

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        before_send=scrub_sentry_event,
        environment=env("SENTRY_ENVIRONMENT", DJANGO_ENV),
        send_default_pii=False,
        include_local_variables=False,
        traces_sample_rate=0.0,
    )
# Permissions-Policy (the middleware sits next to SecurityMiddleware, before whitenoise, so
# static files get it too): the tracker uses no camera, microphone, location or other powerful
# browser feature, so none is allowed, for it or for anything embedded in it.
PERMISSIONS_POLICY = dict.fromkeys(
    [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ],
    [],
)
