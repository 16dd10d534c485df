from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Rate limits and required two-factor are off for the many tests that sign in by force; the
# tests in upward/core/tests turn them on through the `settings` fixture.
ACCOUNT_RATE_LIMITS = False
UPWARD_RATE_LIMITS = False
MFA_REQUIRED_FOR_STAFF = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Fixed, whatever HOST/PORT/SITE_URL the shell running the tests has; tests that need another
# address change it through the `settings` fixture.
SITE_URL = "http://127.0.0.1:8000"

# Static files come from the staticfiles app here; WhiteNoise serves them in production.
MIDDLEWARE = [m for m in MIDDLEWARE if "whitenoise" not in m]  # noqa: F405

# Tasks run inline in tests; one test swaps in the database backend and runs its worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# The tests' HTTP recorder listens on 127.0.0.1 (upward/core/testing/recorder.py); the tests of
# the guard itself switch this off.
OUTBOUND_ALLOW_PRIVATE = True
