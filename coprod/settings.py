"""coprod settings, read from the environment (django-environ).

With nothing set, coprod runs in its embedded default: DEBUG on, SQLite, Celery tasks run
eagerly in-process, a local-memory cache and emails written to var/emails/. Production sets
DJANGO_DEBUG=false and must then also set DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS,
COPROD_BASE_URL, REDIS_URL and COPROD_FIELD_ENCRYPTION_KEY.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-development-key-only-for-debug")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    # Production refuses to start rather than run with a guessable key or any Host header,
    # or without Redis: without it sessions, signing out a deactivated account, rate limits
    # and the page cache would each hold in one process only, and Celery would run tasks
    # inside the web request.
    # Nor with the development key that encrypts bank details, known to anyone with the code.
    for required in (
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "COPROD_BASE_URL",
        "REDIS_URL",
        "COPROD_FIELD_ENCRYPTION_KEY",
    ):
        if not env.str(required, default=""):
            raise ImproperlyConfigured(f"{required} must be set when DJANGO_DEBUG is false.")
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

# Bank details are encrypted in the database with Fernet keys of their own (not derived from
# DJANGO_SECRET_KEY, so rotating that never makes them unreadable). Make one with
# `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
# To rotate, put the new key first and keep the old ones after it, comma-separated: the first
# encrypts, every one decrypts. The embedded default and the tests use a fixed public key.
COPROD_FIELD_ENCRYPTION_KEYS = env.list(
    "COPROD_FIELD_ENCRYPTION_KEY", default=["HdvYWVXtVPTlVUSfj1ES4vjmLw8mhzw9Ky86jR9JJhg="]
)
for _key in COPROD_FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "COPROD_FIELD_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64-encoded "
            "bytes), comma-separated."
        ) from None

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "rules.apps.AutodiscoverRulesConfig",
    "django_celery_beat",
    "simple_history",
    "csp",
    "phonenumber_field",
    "import_export",
    "django_filters",
    "coprod",
    "coprod.core",
    "stakeholders",
    "projects",
    "decisions",
    "evidence",
    "coprod.pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "stakeholders.middleware.IdleSessionMiddleware",
    "coprod.core.middleware.NoStoreWhenSignedInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "coprod.core.middleware.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "stakeholders.middleware.StaffMFARequiredMiddleware",
    "coprod.core.pagecache.DataChangedMiddleware",
]

ROOT_URLCONF = "coprod.urls"
WSGI_APPLICATION = "coprod.wsgi.application"

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
                "coprod.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A streaming replica of the primary, read by the commissioner report only
# (coprod/core/replica.py). In tests it is the same database as the primary.
if REPLICA_URL := env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db_url_config(REPLICA_URL),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["coprod.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            # Pages keep serving while Redis is down (see coprod/cache.py).
            "BACKEND": "coprod.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "coprod",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# `{% pagecache %}` can keep rendered page parts in the cache until any data changes
# (coprod/core/pagecache.py). Off by default: pages are fast rendered afresh, and in real
# use (people saving, answering) most parts would be stale anyway. `make bench` measures both.
PAGE_CACHE = env.bool("COPROD_PAGE_CACHE", default=False)
# Busy pages' fixed SQL is prepared once per PostgreSQL connection (coprod/core/prepared.py).
# Turn off behind a pooler that resets sessions (PgBouncer in transaction pooling mode).
COPROD_PREPARED_STATEMENTS = env.bool("COPROD_PREPARED_STATEMENTS", default=True)

AUTH_USER_MODEL = "stakeholders.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "rules.permissions.ObjectPermissionBackend",
    "stakeholders.backends.StaffAdminBackend",
    # Signing in by a link sent by email or text message (stakeholders/signin.py).
    "sesame.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "pages:home"
LOGOUT_REDIRECT_URL = "pages:home"

# django-allauth: email is the login, every sign-up proves its address first.
ACCOUNT_ADAPTER = "stakeholders.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_FORMS = {
    "add_email": "stakeholders.forms.NewEmailForm",
    # The same forms as allauth's, whose errors say what to do ("Enter your email address").
    "login": "stakeholders.forms.AccountLoginForm",
    "signup": "stakeholders.forms.AccountSignupForm",
    "change_password": "stakeholders.forms.AccountChangePasswordForm",
    "set_password": "stakeholders.forms.AccountSetPasswordForm",
    "reset_password": "stakeholders.forms.AccountResetPasswordForm",
    "reset_password_from_key": "stakeholders.forms.AccountResetPasswordKeyForm",
    "reauthenticate": "stakeholders.forms.AccountReauthenticateForm",
}
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[coprod] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# allauth's rate limits stay at their defaults (on); they count in the cache, which is
# Redis in production so that every gunicorn process shares the counts.
# Behind a TLS proxy every visitor arrives from the proxy's address, and one person could
# lock everybody out of logging in: these say how to find each visitor's own address, for
# allauth's limits and coprod's (coprod.core.ratelimit). Set one of them, never both: the
# number of proxies in front of coprod that each append to X-Forwarded-For, or the header
# a single trusted proxy sets (e.g. X-Real-IP). With neither, X-Forwarded-For is ignored,
# so nobody can choose their own address by sending it.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("COPROD_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("COPROD_TRUSTED_CLIENT_IP_HEADER", default="") or None
if ALLAUTH_TRUSTED_PROXY_COUNT and ALLAUTH_TRUSTED_CLIENT_IP_HEADER:
    raise ImproperlyConfigured(
        "Set COPROD_TRUSTED_PROXY_COUNT or COPROD_TRUSTED_CLIENT_IP_HEADER, not both."
    )
# Signing in without a password, by a link: django-sesame rather than allauth's login by
# code, because staff send the link to someone who never began logging in in that browser,
# and it is followed from a text message on a phone; allauth's code works only in the
# browser session that asked for it. Each link's token is signed for its own outbox row
# (stakeholders.SigninLink, the sesame "scope"), which records its use, so a link works once;
# SESAME_ONE_TIME also ends every older link once the person signs in. sesame has one
# maximum age, the longest; each kind of link is held to its own.
# How long a link staff send from the person page works, and one asked for on the login page.
COPROD_SIGNIN_LINK_INVITATION_MINUTES = env.int(
    "COPROD_SIGNIN_LINK_INVITATION_MINUTES", default=24 * 60
)
COPROD_SIGNIN_LINK_REQUESTED_MINUTES = env.int("COPROD_SIGNIN_LINK_REQUESTED_MINUTES", default=15)
SESAME_MAX_AGE = 60 * max(
    COPROD_SIGNIN_LINK_INVITATION_MINUTES, COPROD_SIGNIN_LINK_REQUESTED_MINUTES
)
SESAME_ONE_TIME = True
# Links asked for on the login page: from one client address a minute, and to one email
# address or phone number an hour (so nobody can flood someone's phone).
COPROD_SIGNIN_LINK_REQUESTS_PER_MINUTE = env.int(
    "COPROD_SIGNIN_LINK_REQUESTS_PER_MINUTE", default=10
)
COPROD_SIGNIN_LINKS_PER_ADDRESS_PER_HOUR = env.int(
    "COPROD_SIGNIN_LINKS_PER_ADDRESS_PER_HOUR", default=3
)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "coprod"
# Staff must set up an authenticator app before using coprod whenever DEBUG is off.
COPROD_STAFF_MFA_REQUIRED = env.bool("COPROD_STAFF_MFA_REQUIRED", default=not DEBUG)

# Whom a person stuck signing up or logging in can ask for help, where no project's team is
# named (the "Check your email" page after a project's join page names that project's).
COPROD_HELP_NAME = env.str("COPROD_HELP_NAME", default="the coprod team")
COPROD_HELP_EMAIL = env.str("COPROD_HELP_EMAIL", default="help@example.org")
COPROD_HELP_PHONE = env.str("COPROD_HELP_PHONE", default="")
# The organisation that runs the projects, as named in letters people take to the Jobcentre.
COPROD_ORGANISATION_NAME = env.str("COPROD_ORGANISATION_NAME", default="the co-production team")

PHONENUMBER_DEFAULT_REGION = "GB"
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env.str("COPROD_PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
        },
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Emails: a folder a newcomer can open in the embedded default, SMTP (EMAIL_URL) in production.
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="coprod <coprod@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in emails sent by background workers, which have no request to build them from.
COPROD_BASE_URL = env.str("COPROD_BASE_URL", default="http://127.0.0.1:8000")
EMAIL_FILE_PATH = env.str("COPROD_EMAIL_DIR", default=str(VAR_DIR / "emails"))
# GOV.UK Notify (coprod.core.notify) sends text messages once NOTIFY_API_KEY is set, and
# emails too when NOTIFY_EMAIL_TEMPLATE_ID is set and EMAIL_URL is not. Each template in
# Notify is "((body))" (texts) or subject "((subject))" and body "((body))" (emails).
COPROD_NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
COPROD_NOTIFY_BASE_URL = env.str(
    "NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk"
)
COPROD_NOTIFY_SMS_TEMPLATE_ID = env.str("NOTIFY_SMS_TEMPLATE_ID", default="")
COPROD_NOTIFY_EMAIL_TEMPLATE_ID = env.str("NOTIFY_EMAIL_TEMPLATE_ID", default="")
# The bearer token Notify sends with delivery receipts (set the same in Notify's settings);
# with none set, every receipt is refused.
COPROD_NOTIFY_CALLBACK_TOKEN = env.str("NOTIFY_CALLBACK_TOKEN", default="")
if COPROD_NOTIFY_API_KEY and not COPROD_NOTIFY_SMS_TEMPLATE_ID:
    raise ImproperlyConfigured("NOTIFY_SMS_TEMPLATE_ID must be set with NOTIFY_API_KEY.")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif COPROD_NOTIFY_API_KEY and COPROD_NOTIFY_EMAIL_TEMPLATE_ID:
    EMAIL_BACKEND = "coprod.core.notify.NotifyEmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
# Text messages: files under var/sms/ in the embedded default (coprod.core.texts).
COPROD_SMS_BACKEND = env.str(
    "COPROD_SMS_BACKEND",
    default="coprod.core.notify.NotifySmsBackend"
    if COPROD_NOTIFY_API_KEY
    else "coprod.core.texts.FileBackend",
)
COPROD_SMS_DIR = env.str("COPROD_SMS_DIR", default=str(VAR_DIR / "sms"))

# Celery: Redis is the broker when REDIS_URL is set; otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="coprod")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 1,
    "socket_timeout": 1,
    "max_retries": 0,
}
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# When the broker is down, publishing fails at once (the outbox sweep sends later) rather
# than keeping the person who pressed "invite" waiting.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
# Publishing a task also subscribes to its result in Redis; left at Celery's default
# (20 reconnects, 1 s apart) that alone blocks `delay()` about 19 s when Redis is down.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 0}}
# Workers keep their database connection across tasks instead of reconnecting for each.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_BEAT_SCHEDULE = {
    "sweep-meeting-emails": {"task": "projects.tasks.sweep_meeting_emails", "schedule": 60.0},
    "sweep-vote-emails": {"task": "decisions.tasks.sweep_vote_emails", "schedule": 60.0},
    "sweep-signin-links": {"task": "stakeholders.tasks.sweep_signin_links", "schedule": 60.0},
    "sweep-pool-invitations": {
        "task": "projects.tasks.sweep_pool_invitations",
        "schedule": 60.0,
    },
    "ask-for-meeting-feedback": {
        "task": "evidence.tasks.ask_for_meeting_feedback",
        "schedule": 900.0,
    },
    "queue-meeting-reminders": {
        "task": "projects.tasks.queue_meeting_reminders",
        "schedule": 300.0,
    },
    "send-payment-digest": {
        "task": "projects.tasks.send_payment_digest",
        "schedule": crontab(hour=8, minute=0),
    },
    "send-claim-reminders": {
        "task": "projects.tasks.send_claim_reminders",
        "schedule": crontab(hour=10, minute=0),
    },
    "apply-retention": {
        "task": "stakeholders.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=30),
    },
    "delete-old-roster-imports": {
        "task": "projects.tasks.delete_old_roster_imports",
        "schedule": crontab(minute=20),
    },
    "remind-measure-rounds": {
        "task": "evidence.tasks.remind_measure_rounds",
        "schedule": crontab(hour=9, minute=30),
    },
    "sweep-measure-reminders": {
        "task": "evidence.tasks.sweep_measure_reminders",
        "schedule": 300.0,
    },
    "refresh-dashboard-figures": {
        "task": "coprod.pages.tasks.refresh_dashboard_figures",
        "schedule": 300.0,
    },
    # What the dashboard shows follows the clock too ("3 days ago", "late"): visits queue a
    # refresh when it is a minute old, and beat keeps it so between visits.
    "refresh-dashboard-content": {
        "task": "coprod.pages.tasks.refresh_dashboard_content_regularly",
        "schedule": 60.0,
    },
    "refresh-stale-report-figures": {
        "task": "evidence.tasks.refresh_stale_report_figures",
        "schedule": 300.0,
    },
    "delete-old-report-pdfs": {
        "task": "evidence.tasks.delete_old_report_pdfs",
        "schedule": crontab(hour=3, minute=50),
    },
}

# Meetings: reminders go this many hours before; an email claimed by a worker that died is
# sent again after the claim timeout.
COPROD_REMINDER_HOURS = env.list("COPROD_REMINDER_HOURS", cast=int, default=[48, 2])
COPROD_EMAIL_CLAIM_TIMEOUT_MINUTES = env.int("COPROD_EMAIL_CLAIM_TIMEOUT_MINUTES", default=10)
COPROD_EMAIL_SWEEP_BATCH = 1000

# Involvement payments: fees and claims unpaid for longer than this show as overdue.
COPROD_PAYMENT_OVERDUE_DAYS = env.int("COPROD_PAYMENT_OVERDUE_DAYS", default=14)
# Days after a meeting that people who came are told they can claim expenses.
COPROD_CLAIM_REMINDER_DAYS = env.int("COPROD_CLAIM_REMINDER_DAYS", default=3)
# Retention: sign-ups whose email was never confirmed are deleted after this many days.
COPROD_UNCONFIRMED_SIGNUP_DAYS = env.int("COPROD_UNCONFIRMED_SIGNUP_DAYS", default=90)

# Content-Security-Policy (django-csp 4): nothing from other origins, and no inline script
# unless it carries the per-response nonce (`<script nonce="{{ request.csp_nonce }}">`).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
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

SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache (Redis) and written through to the database, which keeps
# them when Redis restarts or is down.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# A signed-in session left unused this long ends (stakeholders.middleware.IdleSessionMiddleware).
COPROD_IDLE_TIMEOUT_STAFF_MINUTES = env.int("COPROD_IDLE_TIMEOUT_STAFF_MINUTES", default=30)
COPROD_IDLE_TIMEOUT_COMMISSIONER_MINUTES = env.int(
    "COPROD_IDLE_TIMEOUT_COMMISSIONER_MINUTES", default=2 * 60
)
COPROD_IDLE_TIMEOUT_PARTICIPANT_MINUTES = env.int(
    "COPROD_IDLE_TIMEOUT_PARTICIPANT_MINUTES", default=8 * 60
)
# Requests per minute from one address to the emailed RSVP links (GET and POST).
COPROD_RSVP_RATE_LIMIT_PER_MINUTE = env.int("COPROD_RSVP_RATE_LIMIT_PER_MINUTE", default=30)
# Report PDFs one signed-in person may make a minute; each costs seconds of CPU.
COPROD_REPORT_PDF_PER_MINUTE = env.int("COPROD_REPORT_PDF_PER_MINUTE", default=6)
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # /healthz is probed over plain HTTP by load balancers inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint logs seven steps of every PDF at INFO; its warnings still show.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
COPROD_HEALTH_TIMEOUT = env.float("COPROD_HEALTH_TIMEOUT", default=2.0)
