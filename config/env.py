"""One typed reading of the environment. Every setting that varies by deployment comes from here."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, not {raw!r}")


def _list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from exc


def _site_url() -> str:
    explicit = os.environ.get("SITE_URL", "").strip()
    if explicit:
        return explicit.rstrip("/")
    host = os.environ.get("HOST", "").strip() or "127.0.0.1"
    if host in {"0.0.0.0", "::", "[::]"}:  # noqa: S104 (listening everywhere: link to this machine)
        host = "127.0.0.1"
    port = _int("PORT", 8000)
    return f"http://{host}:{port}"


@dataclass(frozen=True)
class Env:
    secret_key: str = field(default_factory=lambda: os.environ.get("SECRET_KEY", ""))
    debug: bool = field(default_factory=lambda: _bool("DEBUG", False))
    allowed_hosts: list[str] = field(default_factory=lambda: _list("ALLOWED_HOSTS", []))
    csrf_trusted_origins: list[str] = field(
        default_factory=lambda: _list("CSRF_TRUSTED_ORIGINS", [])
    )
    database_url: str = field(default_factory=lambda: os.environ.get("DATABASE_URL", ""))
    sqlite_path: str = field(default_factory=lambda: os.environ.get("SQLITE_PATH", ""))
    redis_url: str = field(default_factory=lambda: os.environ.get("REDIS_URL", ""))
    email_url: str = field(default_factory=lambda: os.environ.get("EMAIL_URL", ""))
    # Seconds a mail-server connection may wait on each step before it fails (see the outbox).
    email_timeout: int = field(default_factory=lambda: _int("EMAIL_TIMEOUT", 30))
    default_from_email: str = field(
        default_factory=lambda: os.environ.get("DEFAULT_FROM_EMAIL", "Upward <upward@localhost>")
    )
    # The public base URL that links in emails, invitations and calendar files start with.
    # Unset, it is the development server's own address, from HOST and PORT as `make run` uses
    # them; production settings refuse to start without it (see site_url_is_set).
    site_url: str = field(default_factory=lambda: _site_url())
    site_url_is_set: bool = field(default_factory=lambda: bool(os.environ.get("SITE_URL")))
    secure_ssl_redirect: bool = field(default_factory=lambda: _bool("SECURE_SSL_REDIRECT", True))
    hsts_seconds: int = field(default_factory=lambda: _int("HSTS_SECONDS", 31536000))
    time_zone: str = field(default_factory=lambda: os.environ.get("TIME_ZONE", "Europe/London"))
    # Comma-separated Fernet keys for notes and messages at rest; the first encrypts, all decrypt
    # (rotation: put a new key first, run `manage.py rotate_encryption_keys`, drop the old one).
    encryption_keys: list[str] = field(default_factory=lambda: _list("ENCRYPTION_KEYS", []))
    # issue 15 (i15-crypto): how long a process may keep an unwrapped organisation key.
    encryption_key_cache_seconds: int = field(
        default_factory=lambda: _int("ENCRYPTION_KEY_CACHE_SECONDS", 60)
    )
    tasks_backend: str = field(
        default_factory=lambda: os.environ.get("TASKS_BACKEND", "").strip().lower() or "database"
    )
    # How many reverse proxies we run in front of gunicorn, each appending to X-Forwarded-For.
    # The client address (for rate limits) is read that many entries from the right; 0 ignores
    # the header. Wrong in either direction is a security problem: see docs/deployment.md.
    trusted_proxy_count: int = field(default_factory=lambda: _int("TRUSTED_PROXY_COUNT", 0))
    # Org admins, programme managers and staff must set up two-factor authentication.
    mfa_required_for_staff: bool = field(
        default_factory=lambda: _bool("MFA_REQUIRED_FOR_STAFF", True)
    )
    # Days a personal invitation link to apply to a programme keeps working.
    recruitment_invitation_days: int = field(
        default_factory=lambda: _int("UPWARD_RECRUITMENT_INVITATION_DAYS", 30)
    )
    log_level: str = field(default_factory=lambda: os.environ.get("LOG_LEVEL", "INFO"))
    # --- issue 15: i15-backup ---
    # Where `manage.py backup` writes its files unless given --output (docs/deployment.md).
    backup_dir: str = field(default_factory=lambda: os.environ.get("BACKUP_DIR", "").strip())
    # --- issue 15: i15-surveys ---
    # The secret that keys anonymous survey pseudonyms (pairing start and end answers). Its own
    # secret, never derived from SECRET_KEY: holding the database and SECRET_KEY must not be
    # enough to recompute who gave an anonymous answer. Production refuses to start without it.
    survey_pseudonym_secret: str = field(
        default_factory=lambda: os.environ.get("SURVEY_PSEUDONYM_SECRET", "")
    )
    # Let addresses typed by organisation admins (webhooks, chat, file sync) reach private
    # networks (upward/core/outbound.py). Off: only public internet addresses.
    outbound_allow_private: bool = field(
        default_factory=lambda: _bool("UPWARD_OUTBOUND_ALLOW_PRIVATE", False)
    )


env = Env()
