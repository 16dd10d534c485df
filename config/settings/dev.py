from config.env import _bool
from config.settings.base import *  # noqa: F403

DEBUG = _bool("DEBUG", True)
ALLOWED_HOSTS = ["*"] if DEBUG else ALLOWED_HOSTS  # noqa: F405

# Static files come from the staticfiles app here; WhiteNoise serves them in production.
MIDDLEWARE = [m for m in MIDDLEWARE if "whitenoise" not in m]  # noqa: F405

# Off by default here so the demo tour (`make run`) works without an authenticator app;
# `MFA_REQUIRED_FOR_STAFF=true make run` shows the set-up step. Production defaults to on.
MFA_REQUIRED_FOR_STAFF = _bool("MFA_REQUIRED_FOR_STAFF", False)
