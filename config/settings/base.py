"""Settings shared by every environment. Deployment-specific values come from config.env."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import _bool, env

BASE_DIR = Path(__file__).resolve().parents[2]

SECRET_KEY = env.secret_key or "dev-only-insecure-key-change-me"
DEBUG = env.debug
ALLOWED_HOSTS = env.allowed_hosts or ["127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = env.csrf_trusted_origins
SITE_URL = env.site_url.rstrip("/")

INSTALLED_APPS = [
    # The admin site signs people in through allauth with two-factor (config/admin.py).
    "config.apps.UpwardAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "csp",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "upward.core",
    "upward.accounts",
    "upward.organisations",
    "upward.consent",
    "upward.programmes",
    "upward.recruitment",
    "upward.pairing",
    "upward.journey",
    "upward.notes",
    "upward.goals",
    "upward.resources",
    "upward.surveys",
    "upward.safety",
    "upward.notifications",
    "upward.impact",
    "upward.announcements",
    "upward.dashboard",
    "upward.demo",
    "upward.privacy",
    "upward.insight",
    "upward.api",
    "upward.sso",
    "upward.scim",
    "upward.filesync",
    "upward.webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Outermost after the session, so it sees every session read made by the layers inside it.
    "upward.core.middleware.NoStoreMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "upward.core.middleware.TwoFactorRequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
FORM_RENDERER = "upward.core.forms.UpwardFormRenderer"
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
                "upward.dashboard.context_processors.navigation",
                "upward.notifications.context_processors.unread_count",
            ],
        },
    }
]

# Database: PostgreSQL when DATABASE_URL says so, otherwise embedded SQLite.
if env.database_url:
    DATABASES = {
        "default": dj_database_url.parse(env.database_url, conn_max_age=60, conn_health_checks=True)
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.sqlite_path or str(BASE_DIR / "var" / "upward.sqlite3"),
            # IMMEDIATE transactions take the write lock at BEGIN, so concurrent writers queue
            # (up to the timeout) instead of failing with "database is locked" on upgrade.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# allauth: sign in by email, no usernames, verified email addresses.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "upward.accounts.adapter.AccountAdapter"
# One subject prefix for every email, allauth's included: the outbox adds it (allauth's own
# ACCOUNT_EMAIL_SUBJECT_PREFIX is not used; upward/accounts/adapter.py).
EMAIL_SUBJECT_PREFIX = "[Upward] "
# Sign-in limits (docs/security.md). The client address is read through our trusted proxies
# (TRUSTED_PROXY_COUNT; upward/core/ratelimit.py, which allauth uses too). For failed sign-ins
# allauth's "key" is, with our adapter, the account *and* the address: a guesser is slowed
# down on their own address without locking the owner out; "login_failed_account" is the much
# looser limit for one account across all addresses; a password reset clears both. The "/ip"
# rates are generous because a whole office may share one public address.
# The test settings turn both off with False, which allauth and our limiter read as "no limits".
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = {
    "login": "60/m/ip",
    "login_failed": "30/m/ip,5/5m/key,20/h/key",
    "login_failed_account": "100/h/key",
}
if env.trusted_proxy_count < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
ALLAUTH_TRUSTED_PROXY_COUNT = env.trusted_proxy_count
# Public token URLs, per client address (upward.core.ratelimit.limit_per_address).
UPWARD_RATE_LIMITS: dict[str, str] | bool = {
    "signup_link": "30/m",
    "colleague_search": "60/m",
    "invitation": "20/m",
    "calendar_feed": "60/m",
    # Violation reports are unauthenticated: enough for a real page's burst, not for log flooding.
    "csp_report": "60/m",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Org admins, programme managers and staff must set up two-factor authentication
# (upward.core.middleware.TwoFactorRequiredMiddleware); participants may.
MFA_REQUIRED_FOR_STAFF = env.mfa_required_for_staff
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "account_login"

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("British English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = BASE_DIR / "var" / "media"
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

DEFAULT_FROM_EMAIL = env.default_from_email
# Without a timeout a hung mail server holds a sender (and its outbox lease) for ever.
EMAIL_TIMEOUT = env.email_timeout
# The outbox retries a failing email until it is this old, then gives it up (docs/notifications.md),
# and deletes sent, given-up and cancelled records after the second.
UPWARD_OUTBOX_GIVE_UP_AFTER = timedelta(days=3)
UPWARD_OUTBOX_KEEP_FINISHED_FOR = timedelta(days=30)
SERVER_EMAIL = env.default_from_email
if env.email_url:
    # smtp://user:password@host:port (smtps:// or ?tls=1 for TLS)
    from urllib.parse import parse_qs, unquote, urlparse

    _email = urlparse(env.email_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = parse_qs(_email.query).get("tls", ["0"])[0] in {"1", "true"}
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

REST_FRAMEWORK = {
    # Bearer tokens (personal and organisation service tokens, upward.accounts.tokens), and the
    # browser session for the API docs page (with CSRF).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "upward.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["upward.api.permissions.HasScope"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "upward.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "upward.api.errors.api_exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Upward API",
    "DESCRIPTION": "Reverse mentoring programmes: organisations, people, programmes, recruitment.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from drf-spectacular-sidecar's static files, not a CDN (works offline, under CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and its docs are for signed-in people only, like the API itself.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # No badge fetched from validator.swagger.io (img-src 'self').
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# Background work through the Django Tasks API (see docs/notifications.md). TASKS_BACKEND picks:
# "database" (default: a table in our own database, `manage.py db_worker` runs it, `make run`
# starts one), "redis" (RQ on REDIS_URL, `manage.py rqworker default`) or "immediate" (inline,
# no worker; what the tests use).
INSTALLED_APPS += ["django_tasks_db"]
TASKS_BACKEND = env.tasks_backend
TASKS: dict[str, dict[str, Any]]
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASKS_BACKEND == "redis":
    if not env.redis_url:
        raise ImproperlyConfigured("TASKS_BACKEND=redis needs REDIS_URL.")
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": env.redis_url, "DEFAULT_TIMEOUT": 300}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be database, redis or immediate, not {TASKS_BACKEND!r}."
    )

# The cache holds rate-limit counts, so every worker must share it: Redis when REDIS_URL is
# set, otherwise a table in our own database (`manage.py createcachetable`, run by `make setup`
# and in the deployment steps). Never the per-process memory cache.
if env.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.redis_url,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "upward_cache",
        }
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.log_level},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Encryption at rest for notes and messages (cryptography's MultiFernet). Development and tests
# derive a key from SECRET_KEY; production refuses to start without ENCRYPTION_KEYS.
if env.encryption_keys:
    ENCRYPTION_KEYS = env.encryption_keys
else:
    import base64
    import hashlib

    ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(
            hashlib.sha256(("upward-dev:" + SECRET_KEY).encode()).digest()
        ).decode()
    ]

# Content-Security-Policy (django-csp 4), in every environment so developers see violations too.
# Scripts and styles come only from our own static files: no inline <script>, no style="..."
# attributes or <style> elements, no eval. A script injected into a page despite escaping cannot
# run, and data can only be sent back to us. Browsers post violations to csp_report (core/views.py),
# which logs them on the "upward.csp" logger. See docs/deployment.md for a report-only trial.
CSP_REPORT_PATH = "/csp-report/"
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
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": [CSP_REPORT_PATH],
    },
}
if _bool("CSP_REPORT_ONLY", False):
    # Troubleshooting only: the browser reports what it would block but blocks nothing.
    CONTENT_SECURITY_POLICY_REPORT_ONLY = CONTENT_SECURITY_POLICY
    CONTENT_SECURITY_POLICY = {}

# Privacy: aggregates never show groups smaller than this (see docs/privacy.md).
# A personal invitation link to apply stops working after this many days; inviting the person
# again sends a new link (docs/deployment.md).
if env.recruitment_invitation_days < 1:
    raise ImproperlyConfigured("UPWARD_RECRUITMENT_INVITATION_DAYS must be 1 or more.")
UPWARD_RECRUITMENT_INVITATION_DAYS = env.recruitment_invitation_days
UPWARD_MIN_GROUP_SIZE = 5
UPWARD_SPECIAL_CATEGORY_MIN_GROUP_SIZE = 10

# --- issue 15: i15-backup ---
# `manage.py backup` writes here unless given --output; `restore` keeps its safety copy of the
# live database here too. A backup is as sensitive as the database: keep this directory (and any
# copy of it) as private as the database itself, and never beside ENCRYPTION_KEYS
# (docs/deployment.md, "Backups and restore").
BACKUP_DIR = Path(env.backup_dir) if env.backup_dir else BASE_DIR / "var" / "backups"

# --- issue 15: i15-surveys ---
# Keys the pseudonyms that pair a person's anonymous start and end answers (with a random salt
# per organisation kept in the database; see upward/surveys/pseudonyms.py). Never derived from
# SECRET_KEY. Development and tests use the fixed value below, which production refuses: it
# must come from the SURVEY_PSEUDONYM_SECRET environment variable (config/settings/production.py).
DEV_SURVEY_PSEUDONYM_SECRET = "dev-only-survey-pseudonyms-not-for-production"  # noqa: S105 (refused in production)
SURVEY_PSEUDONYM_SECRET = env.survey_pseudonym_secret or DEV_SURVEY_PSEUDONYM_SECRET

# --- issue 15: i15-crypto ---
# Unwrapped organisation data keys are cached in each process for at most this many seconds:
# after a key is destroyed (crypto-shredding), another process can read that organisation's
# text for at most this long (docs/privacy.md).
if env.encryption_key_cache_seconds < 0:
    raise ImproperlyConfigured("ENCRYPTION_KEY_CACHE_SECONDS must be 0 or more.")
ENCRYPTION_KEY_CACHE_SECONDS = env.encryption_key_cache_seconds

# Addresses organisation admins type (webhooks, chat, file sync) may not reach private networks
# unless the operator allows it (upward/core/outbound.py).
OUTBOUND_ALLOW_PRIVATE = env.outbound_allow_private

# --- issue 17: chat ---
# Where the Slack bot's Web API calls go (upward/notifications/chat.py). Only tests change it, to
# point the bot at their local recording server.
SLACK_API_URL = "https://slack.com/api/"
# --- webhooks ---
# Outgoing webhooks (upward/webhooks, docs/integrations.md "Webhooks"): how long Upward waits
# for an endpoint's answer, the wait before each retry (seconds; the Standard Webhooks
# schedule, then the delivery has failed), and after how many deliveries in a row have failed
# every retry an endpoint is switched off and its organisation's admins are told.
WEBHOOK_TIMEOUT_SECONDS = 10
WEBHOOK_RETRY_SCHEDULE = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600)
WEBHOOK_DISABLE_AFTER_FAILURES = 5
# --- SCIM provisioning (issue 17) ---
# django-scim2 gives the SCIM views their token check (upward.scim.auth) and error answers;
# Upward's own code maps Users to the people of the calling token's organisation.
SCIM_SERVICE_PROVIDER = {
    "AUTH_CHECK_MIDDLEWARE": "upward.scim.auth.ScimTokenCheck",
    "NETLOC": "localhost",  # unused: locations are built from the request
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "An Upward organisation service token with the scim scope.",
        }
    ],
    "SCHEMAS_GETTER": "upward.scim.schemas.no_static_schemas",
}
# --- i17 filesync ---
# The folder HR exports are dropped into for file sync (docs/integrations.md). An organisation
# admin names a file (or a glob) inside it; nothing outside it is ever read, links included.
# Empty: only web addresses can be used.
import os  # noqa: E402 (kept inside this part's block of settings)

FILESYNC_ROOT = os.environ.get("UPWARD_FILESYNC_ROOT", "").strip()
# A download that does not answer within this many seconds is given up (tried next slot).
FILESYNC_TIMEOUT_SECONDS = 30
# --- issue 17: i17-sso ---
# Single sign-on per organisation through allauth's providers. Providers are never configured
# here or in allauth's SocialApp table: upward.sso.adapter builds them from the organisations'
# IdentityProvider rows (docs/integrations.md, "Single sign-on").
INSTALLED_APPS += [
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
]
SOCIALACCOUNT_ADAPTER = "upward.sso.adapter.SsoAdapter"
# The adapter links the provider's person to their account itself (or refuses): no sign-up
# form, no "connect by email", no tokens kept.
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
# Email-first sign-in and the single-sign-on-only rules (upward/accounts/forms.py asks the
# policies that upward/sso registers).
ACCOUNT_FORMS = {
    "login": "upward.accounts.forms.SignInForm",
    "signup": "upward.accounts.forms.SignUpForm",
    "reset_password": "upward.accounts.forms.PasswordResetForm",
}
# --- API core (issue 17) ---
import os  # noqa: E402 (kept inside this part's block)
import re  # noqa: E402

# Requests per token (service tokens) or per person (personal tokens, sessions), and per address
# for calls without credentials. "N/s", "N/min", "N/h" or "N/day". Off with UPWARD_RATE_LIMITS.
API_RATE_LIMIT = os.environ.get("UPWARD_API_RATE_LIMIT", "1200/min")
API_ANON_RATE_LIMIT = os.environ.get("UPWARD_API_ANON_RATE_LIMIT", "60/min")
for _rate in (API_RATE_LIMIT, API_ANON_RATE_LIMIT):
    if not re.fullmatch(r"[0-9]+/(s|sec|second|m|min|minute|h|hour|d|day)", _rate):
        raise ImproperlyConfigured(f"An API rate limit reads like 1200/min, not {_rate!r}.")
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["upward.api.throttling.ApiRateThrottle"]
# An unexpected exception under /api/ answers JSON in the error format (innermost, so it sees it).
MIDDLEWARE += ["upward.api.errors.ApiErrorMiddleware"]
SPECTACULAR_SETTINGS.update(
    {
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "upward.api.schema.add_error_responses",
        ],
        "SCHEMA_PATH_PREFIX": "/api/v1",
        "COMPONENT_SPLIT_REQUEST": True,
        "TAGS": [
            {"name": "me", "description": "Who is calling."},
            {"name": "organisation", "description": "The caller's organisation."},
            {"name": "structure", "description": "Levels, departments and teams."},
            {"name": "people", "description": "The people directory (admins, people:read)."},
        ],
    }
)

# --- API resources (issue 17) ---
# A distinct name in the schema for the goals' status list, and tags for the programme-side
# resources (upward/api/routes_programmes.py).
_api_resources_enums: Any = SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
_api_resources_enums["GoalStatusEnum"] = "upward.goals.models.GoalStatus"
_api_resources_tags: Any = SPECTACULAR_SETTINGS.setdefault("TAGS", [])
_api_resources_tags.extend(
    [
        {"name": "programmes", "description": "Programmes, applications, participants, pairings."},
        {"name": "meetings", "description": "Meetings: times, status and length only."},
        {"name": "reports", "description": "Aggregate survey results, small groups suppressed."},
    ]
)
# The schema describes bearer tokens only: the browser session is for the docs page, and a
# cookie scheme in the schema would have checkers send cookies instead of tokens.
SPECTACULAR_SETTINGS["AUTHENTICATION_WHITELIST"] = [
    "upward.api.authentication.BearerTokenAuthentication"
]
