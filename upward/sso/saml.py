"""SAML 2.0 for an organisation's identity provider, through django-allauth's saml provider.

allauth finds a SAML "app" by the slug in its URLs (/accounts/saml/<slug>/acs/ …) and reads
its settings dict (allauth.socialaccount.providers.saml.utils.build_saml_config). Here an
organisation's IdentityProvider row becomes that app, with its provider id ("org-<slug>") as
the URL slug: nothing is kept in allauth's SocialApp table.

What we insist on, whatever the identity provider sends:
- strict mode: Destination, Recipient, Audience, InResponseTo, times and issuer are checked;
- the assertion is signed with the certificate the admin gave (Entra ID and Okta sign it by
  default); deprecated algorithms (SHA-1) are refused;
- only sign-ins Upward started: an unsolicited (IdP-initiated) response is refused, so a
  response cannot be replayed into a session that did not ask for it.
The email address comes from the email attribute or, failing that, an email-format NameID;
the adapter (upward.sso.adapter) then applies the domain and directory rules.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import requests
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from upward.core.outbound import check_outbound_url

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialApp
    from django.http import HttpRequest

    from upward.sso.models import IdentityProvider

PROVIDER = "saml"

logger = logging.getLogger(__name__)

# Attribute names Entra ID and Okta send by default, then the standard OIDs. The first one a
# response carries wins. "uid" is the identifier kept on the SocialAccount: a stable object id
# when the provider sends one, else the NameID (the email address with the set-up we document).
ATTRIBUTE_MAPPING: dict[str, list[str]] = {
    "uid": [
        "urn:oasis:names:tc:SAML:attribute:subject-id",
        "http://schemas.microsoft.com/identity/claims/objectidentifier",
    ],
    "email": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "urn:oid:0.9.2342.19200300.100.1.3",
        "email",
    ],
    "first_name": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        "urn:oid:2.5.4.42",
        "firstName",
    ],
    "last_name": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        "urn:oid:2.5.4.4",
        "lastName",
    ],
}

METADATA_TIMEOUT_SECONDS = 10
METADATA_CACHE_SECONDS = 60 * 60
METADATA_FAILURE_CACHE_SECONDS = 5 * 60


def saml_settings(provider: IdentityProvider) -> dict[str, Any]:
    """The settings dict allauth's saml provider reads for this organisation's provider.

    The identity provider's entity ID, SSO URL and certificate are the ones the admin typed,
    or else those read from its metadata URL (through the outbound guard, cached). If neither
    gives them, the provider is not usable: SocialApp.DoesNotExist, which allauth's SAML views
    answer with a 404 rather than a half-configured sign-in."""
    from allauth.socialaccount.models import SocialApp

    idp: dict[str, Any] = {
        "entity_id": provider.saml_entity_id.strip(),
        "sso_url": provider.saml_sso_url.strip(),
        "x509cert": certificate_body(provider.saml_x509cert),
        "slo_url": provider.saml_slo_url.strip(),
    }
    if not (idp["sso_url"] and idp["x509cert"]) and provider.saml_metadata_url:
        try:
            found = read_metadata(provider.saml_metadata_url, entity_id=idp["entity_id"])
        except ValidationError as error:
            logger.warning("SAML metadata of %s unusable: %s", provider.provider_id, error)
            raise SocialApp.DoesNotExist from error
        idp = {key: idp[key] or found[key] for key in idp}
    if not (idp["entity_id"] and idp["sso_url"] and idp["x509cert"]):
        raise SocialApp.DoesNotExist
    if not idp["slo_url"]:
        del idp["slo_url"]
    return {
        "idp": idp,
        "attribute_mapping": ATTRIBUTE_MAPPING,
        "use_nameid_for_email": False,
        "advanced": {
            "strict": True,
            "want_assertion_signed": True,
            # Entra ID signs only the assertion by default; the signed assertion is what counts.
            "want_message_signed": False,
            "reject_deprecated_algorithm": True,
            "reject_idp_initiated_sso": True,
            "want_name_id": True,
            # Okta sends no attributes unless told to: the email-format NameID is enough.
            "want_attribute_statement": False,
            "digest_algorithm": OneLogin_Saml2_Constants.SHA256,
            "signature_algorithm": OneLogin_Saml2_Constants.RSA_SHA256,
        },
    }


def saml_app(provider: IdentityProvider) -> SocialApp:
    """An unsaved allauth SocialApp for the organisation's SAML provider. Its client_id is what
    allauth calls the "organization slug" in the SAML URLs: /accounts/saml/org-<slug>/acs/ …;
    its provider_id names the organisation's SocialAccount rows."""
    from allauth.socialaccount.models import SocialApp

    return SocialApp(
        provider=PROVIDER,
        provider_id=provider.provider_id,
        name=provider.display_name,
        client_id=provider.provider_id,
        settings=saml_settings(provider),
    )


def sp_urls(request: HttpRequest, provider: IdentityProvider) -> dict[str, str]:
    """What the identity provider's admin types in: our entity ID (= metadata URL), reply URL,
    sign-on URL and logout URL, as absolute addresses for this deployment."""

    def absolute(name: str) -> str:
        path = reverse(name, kwargs={"organization_slug": provider.provider_id})
        return request.build_absolute_uri(path)

    return {
        "entity_id": absolute("saml_metadata"),
        "metadata": absolute("saml_metadata"),
        "acs": absolute("saml_acs"),
        "sign_on": absolute("saml_login"),
        "logout": absolute("saml_sls"),
    }


def certificate_body(text: str) -> str:
    """A certificate as pasted (PEM with or without its BEGIN/END lines, wrapped or not) as the
    bare base64 python3-saml wants."""
    lines = [line.strip() for line in text.strip().splitlines()]
    return "".join(line for line in lines if line and not line.startswith("-----"))


def read_metadata(url: str, *, entity_id: str = "", fresh: bool = False) -> dict[str, str]:
    """Fetch and read an identity provider's metadata: its entity ID, SSO and logout URLs and
    signing certificate; raises ValidationError with a reason the admin can act on. The address
    goes through the outbound guard (no private networks) and redirects are not followed.

    What was read is kept an hour; a failure is kept a few minutes, so a provider whose metadata
    is down does not make every sign-in wait for it. `fresh` skips both (the admin's form)."""
    url = check_outbound_url(url)
    key = f"sso.saml.metadata:{url}:{entity_id}"
    cached = None if fresh else cache.get(key)
    if isinstance(cached, dict):
        if "error" in cached:
            raise ValidationError(str(cached["error"]))
        return dict(cached)
    try:
        found = _fetch_metadata(url, entity_id=entity_id)
    except ValidationError as error:
        cache.set(key, {"error": " ".join(error.messages)}, METADATA_FAILURE_CACHE_SECONDS)
        raise
    cache.set(key, found, METADATA_CACHE_SECONDS)
    return found


def _fetch_metadata(url: str, *, entity_id: str) -> dict[str, str]:
    try:
        answer = requests.get(url, timeout=METADATA_TIMEOUT_SECONDS, allow_redirects=False)
    except requests.RequestException as error:
        raise ValidationError(
            _("Upward could not fetch the metadata: %(reason)s") % {"reason": type(error).__name__}
        ) from error
    if answer.status_code != 200:
        raise ValidationError(
            _("The metadata address answered %(status)s instead of the metadata.")
            % {"status": answer.status_code}
        )
    return parse_metadata(answer.content, entity_id=entity_id)


def parse_metadata(xml: bytes | str, *, entity_id: str = "") -> dict[str, str]:
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml, entity_id=entity_id or None)
    except Exception as error:  # lxml and python3-saml raise many kinds for bad XML
        raise ValidationError(
            _("This is not SAML metadata Upward can read (%(reason)s).")
            % {"reason": type(error).__name__}
        ) from error
    idp = parsed.get("idp") or {}
    certificate = idp.get("x509cert") or next(
        iter((idp.get("x509certMulti") or {}).get("signing") or []), ""
    )
    found = {
        "entity_id": idp.get("entityId", ""),
        "sso_url": (idp.get("singleSignOnService") or {}).get("url", ""),
        "slo_url": (idp.get("singleLogoutService") or {}).get("url", ""),
        "x509cert": certificate,
    }
    if not (found["entity_id"] and found["sso_url"] and found["x509cert"]):
        raise ValidationError(
            _(
                "The metadata has no entity ID, single sign-on address (HTTP-Redirect) or "
                "signing certificate."
            )
        )
    return found
