"""Email domains as plain text: how a domain is written down and which domain an address is in.

No queries here: the import planner (pure) and the services both use these functions.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _ascii(domain: str) -> str:
    # Addresses may be typed with an internationalised domain; compare in the punycode form.
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def normalise_domain(text: str) -> str:
    """The canonical form of a domain (lower case, ASCII, no trailing dot), or ValidationError."""
    domain = _ascii((text or "").strip().lower().rstrip("."))
    if domain.startswith("@"):
        domain = domain[1:]
    labels = domain.split(".")
    if (
        not domain
        or len(domain) > 253
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValidationError(
            _("“%(domain)s” is not an email domain. Write it like example.org, without the @."),
            params={"domain": text},
            code="invalid_domain",
        )
    return domain


def validate_domain(value: str) -> None:
    """Model validator: the value must already be in its canonical form."""
    if normalise_domain(value) != value:
        raise ValidationError(
            _("Write the domain in lower case, e.g. example.org."), code="domain_not_canonical"
        )


def email_domain(email: str) -> str:
    """The domain of an address in the form domains are stored, or "" if there is none."""
    _local, at, domain = (email or "").strip().rpartition("@")
    if not at:
        return ""
    return _ascii(domain.lower().rstrip("."))


def is_plain_address(email: str) -> bool:
    """One `@`, no quotes: what people's work addresses look like. Email syntax also allows a
    quoted local part such as `"someone@their-employer.example"@elsewhere.example`, which reads
    as another organisation's address; the directory refuses it."""
    return email.count("@") == 1 and '"' not in email and not any(c.isspace() for c in email)
