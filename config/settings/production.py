"""Production: secure defaults. Everything deployment-specific comes from the environment."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env
from config.settings.base import *  # noqa: F403

DEBUG = False
if not env.secret_key or len(env.secret_key) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of 50+ characters.")
SECRET_KEY = env.secret_key
if not env.allowed_hosts:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names Upward is served on.")
ALLOWED_HOSTS = env.allowed_hosts
if not env.encryption_keys:
    raise ImproperlyConfigured(
        "ENCRYPTION_KEYS must hold at least one Fernet key "
        "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
    )
# --- issue 15: i15-surveys ---
if len(env.survey_pseudonym_secret) < 32:
    raise ImproperlyConfigured(
        "SURVEY_PSEUDONYM_SECRET must be set to a random string of 32+ characters, different "
        "from SECRET_KEY (python -c 'import secrets; print(secrets.token_urlsafe(48))'). It keys "
        "anonymous survey pseudonyms; keep it as safe as the encryption keys."
    )
if env.survey_pseudonym_secret in (env.secret_key, DEV_SURVEY_PSEUDONYM_SECRET):  # noqa: F405
    raise ImproperlyConfigured(
        "SURVEY_PSEUDONYM_SECRET must be a secret of its own, not SECRET_KEY or the development value."
    )
SURVEY_PSEUDONYM_SECRET = env.survey_pseudonym_secret

if not env.site_url_is_set or not env.site_url.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        "SITE_URL must be set to the public address people use, e.g. https://upward.example.org: "
        "every link in emails, invitations and calendar files starts with it."
    )

# Behind a proxy that terminates TLS, it must set X-Forwarded-Proto (and overwrite any value the
# client sent). Links in emails never depend on the request's host or scheme: they use SITE_URL.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.secure_ssl_redirect
SECURE_HSTS_SECONDS = env.hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
