"""Requests Upward makes to addresses an organisation admin typed (webhooks, Slack and Teams
webhooks, a file-sync URL). An admin of one organisation must not be able to point Upward at
the deployment's own network (the database, a cloud metadata service): every such address is
checked here before each request, after resolving its name.

`OUTBOUND_ALLOW_PRIVATE` (env: UPWARD_OUTBOUND_ALLOW_PRIVATE) lets a deployment reach private
addresses on purpose, e.g. an HR share on the intranet; tests switch it on for their recorder.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def check_outbound_url(url: str, *, require_https: bool | None = None) -> str:
    """Return the URL if Upward may call it, else raise ValidationError with a clear reason."""
    allow_private = bool(getattr(settings, "OUTBOUND_ALLOW_PRIVATE", False))
    if require_https is None:
        require_https = not allow_private
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError(_("Enter a full web address starting with https://."))
    if require_https and parts.scheme != "https":
        raise ValidationError(
            _("The address must start with https://, so what is sent is encrypted.")
        )
    if parts.username or parts.password:
        raise ValidationError(_("Put credentials in the secret field, not in the address."))
    if allow_private:
        return url.strip()
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError(
            _("The address %(host)s could not be found.") % {"host": parts.hostname}
        ) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise ValidationError(
                _(
                    "The address %(host)s points inside a private network, which Upward does not call."
                )
                % {"host": parts.hostname}
            )
    return url.strip()
