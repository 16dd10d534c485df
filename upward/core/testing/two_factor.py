"""Test helpers for two-factor authentication: a TOTP authenticator, its current code, and a
client signed in the way the admin site requires (password and second factor)."""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt
from django.test import Client


def give_totp(user) -> str:  # type: ignore[no-untyped-def]
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def code_for(secret: str) -> str:
    # A code made in the last moments of its 30-second window may be checked in the next one
    # (no tolerance is configured): wait for a fresh window rather than fail now and then.
    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def force_login_with_two_factor(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    """Sign in and enter a TOTP code, so the session counts as two-factor (the admin asks)."""
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    secret = decrypt(totp.data["secret"]) if totp else give_totp(user)
    client.force_login(user)
    response = client.post("/accounts/2fa/reauthenticate/", {"code": code_for(secret)})
    assert response.status_code == 302, "the second factor was not accepted"
