"""Test helpers: a TOTP authenticator and its current code."""

from __future__ import annotations

import time

from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)


def give_totp(user) -> str:  # type: ignore[no-untyped-def]
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
