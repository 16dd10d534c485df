"""One-way pseudonyms for survey answers.

A pseudonym is HMAC-SHA256(key, "programme:person"), where the key is itself
HMAC-SHA256(SURVEY_PSEUDONYM_SECRET, "upward.surveys.pseudonym.v2:" + the organisation's salt).

- The secret is a setting of its own, never derived from SECRET_KEY, and is not in the database:
  a copy of the database together with SECRET_KEY (and every other setting) is not enough to
  recompute anyone's pseudonym.
- The salt is random per organisation (`PseudonymSalt`, made on first use), so one
  organisation's pseudonyms say nothing about another's even under the same secret.
- The same person gets the same pseudonym for every survey of one programme, so their start and
  end answers pair up; pseudonyms differ between programmes.

Pseudonyms written before version 2 (keyed from SECRET_KEY) were re-keyed by the migration that
introduced the secret (surveys 0003): see docs/surveys-and-outcomes.md, "Old pseudonyms".
Changing SURVEY_PSEUDONYM_SECRET breaks the pairing of answers given before and after.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction

from upward.programmes.models import Programme
from upward.surveys.models import PseudonymSalt

VERSION_LABEL = b"upward.surveys.pseudonym.v2:"

# programme id → (organisation id, salt). Salts never change once made, so a process may keep
# them; tests that build fresh databases call `forget_salts()`.
_salts: dict[int, tuple[int, str]] = {}


def forget_salts() -> None:
    _salts.clear()


def organisation_salt(organisation_id: int) -> str:
    """The organisation's salt, made (once, race-safely) on first use."""
    found = PseudonymSalt.objects.filter(organisation_id=organisation_id).first()
    if found is not None:
        return found.salt
    try:
        with transaction.atomic():
            return PseudonymSalt.objects.create(
                organisation_id=organisation_id, salt=secrets.token_hex(32)
            ).salt
    except IntegrityError:  # made by a concurrent request a moment ago
        return PseudonymSalt.objects.get(organisation_id=organisation_id).salt


def _programme_salt(programme_id: int) -> str:
    cached = _salts.get(programme_id)
    if cached is not None:
        return cached[1]
    organisation_id = Programme.objects.values_list("organisation_id", flat=True).get(
        pk=programme_id
    )
    salt = organisation_salt(organisation_id)
    _salts[programme_id] = (organisation_id, salt)
    return salt


def derive_key(secret: str, salt: str) -> bytes:
    return hmac.new(secret.encode(), VERSION_LABEL + salt.encode(), hashlib.sha256).digest()


def _key(programme_id: int) -> bytes:
    return derive_key(str(settings.SURVEY_PSEUDONYM_SECRET), _programme_salt(programme_id))


def pseudonym(*, person_id: int, programme_id: int, anonymous: bool = True) -> str:
    """Named responses get a pseudonym from another namespace. If both kinds shared one, a named
    response (which also stores the person) would name the author of every anonymous response
    with the same pseudonym. So named answers pair with named answers, anonymous with
    anonymous, and never across."""
    namespace = "" if anonymous else "identified:"
    message = f"{namespace}{programme_id}:{person_id}".encode()
    return hmac.new(_key(programme_id), message, hashlib.sha256).hexdigest()


def random_pseudonym() -> str:
    """For anonymous answers that never need pairing: as long as a real one, tied to nothing."""
    return secrets.token_hex(32)
