"""Requests Upward makes to addresses an organisation admin typed (webhooks, Slack and Teams
webhooks, a file-sync URL, SAML metadata). An admin of one organisation must not be able to point
Upward at the deployment's own network (the database, a cloud metadata service): every such
address is checked here before each request, after resolving its name.

The rules:

- a full http(s) address with no whitespace or control characters and no credentials in it;
- every address the name resolves to must be public, including the IPv4 address carried inside
  an IPv6 one (IPv4-mapped, IPv4-compatible, 6to4, Teredo, NAT64);
- https always for public addresses.

`OUTBOUND_ALLOW_PRIVATE` (env: UPWARD_OUTBOUND_ALLOW_PRIVATE) lets a deployment reach private
addresses on purpose, e.g. an HR share on the intranet; tests switch it on for their recorder.
Plain http is then allowed for private and loopback addresses only, never for public ones.

The check resolves the name, and the connection resolves it again: a name that changes between
the two (DNS rebinding) is not caught here. See docs/security.md.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# NAT64 prefixes (RFC 6052 well-known, RFC 8215 local use): the last 32 bits are an IPv4 address.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# IPv4-compatible addresses (deprecated, ::a.b.c.d), but not :: and ::1 themselves.
_V4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries and may be routed to."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    last32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if any(address in net for net in _NAT64):
        found.append(last32)
    if address in _V4_COMPATIBLE and int(address) > 1:
        found.append(last32)
    return found


def is_public(address: IPAddress) -> bool:
    """A global, unicast address, and so is every IPv4 address it carries."""
    return all(
        candidate.is_global and not candidate.is_multicast
        for candidate in [address, *embedded_ipv4(address)]
    )


def _malformed() -> ValidationError:
    return ValidationError(
        _(
            "This web address is not valid. Check the host name and the port (a number from "
            "1 to 65535)."
        )
    )


def check_outbound_url(url: str) -> str:
    """Return the URL if Upward may call it, else raise ValidationError with a clear reason."""
    allow_private = bool(getattr(settings, "OUTBOUND_ALLOW_PRIVATE", False))
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        port = parts.port
    except ValueError as exc:
        raise _malformed() from exc
    if parts.scheme not in ("https", "http") or not hostname:
        raise ValidationError(_("Enter a full web address starting with https://."))
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        raise ValidationError(
            _("The address must not contain spaces, line breaks or other invisible characters.")
        )
    if port == 0:
        raise _malformed()
    if parts.username or parts.password:
        raise ValidationError(_("Put credentials in the secret field, not in the address."))
    must_use_https = ValidationError(
        _("The address must start with https://, so what is sent is encrypted.")
    )
    if parts.scheme != "https" and not allow_private:
        raise must_use_https
    if parts.scheme == "https" and allow_private:
        return url  # any address may be reached, and https is used: nothing to resolve
    try:
        infos = socket.getaddrinfo(hostname, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise ValidationError(
            _("The address %(host)s could not be found.") % {"host": hostname}
        ) from exc
    try:
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    except ValueError as exc:
        raise _malformed() from exc
    if not allow_private and not all(is_public(address) for address in addresses):
        raise ValidationError(
            _("The address %(host)s points inside a private network, which Upward does not call.")
            % {"host": hostname}
        )
    if parts.scheme != "https" and any(is_public(address) for address in addresses):
        raise must_use_https  # plain http only to the deployment's own (allowed) network
    return url
