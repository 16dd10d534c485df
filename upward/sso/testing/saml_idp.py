"""A real SAML 2.0 identity provider on localhost, for tests of Upward's SAML sign-in.

Not a mock of our code: the service provider side (django-allauth's saml provider, python3-saml,
xmlsec) receives the same bytes it would receive from Entra ID or Okta. The identity provider
answers an AuthnRequest sent with the HTTP-Redirect binding with a page holding a form that posts a
signed SAMLResponse to the service provider's assertion consumer service (the HTTP-POST binding).
The form has a button and no script: a browser test clicks it, a client test reads its fields.

    with SamlIdentityProvider(user=SamlUser("ada@example.com")) as idp:
        idp.entity_id, idp.sso_url, idp.certificate        # what the SP is configured with
        page = idp.answer(authn_request_url)                 # what the browser would see
        idp.variant = "expired"                              # the next answers are bad ones

The key pair and certificate are made here with `cryptography` (once per process): the installed
python3-saml wheel ships no test keys. The responses are signed with python3-saml's own
`OneLogin_Saml2_Utils.add_sign` (xmlsec), the way an identity provider signs them.

Variants, for negative tests:
    "good"            assertion and response signed with the IdP's key
    "unsigned"        no signature at all
    "forged"          signed, but with another key than the one the SP trusts
    "tampered"        signed, then the NameID and email changed (the digest no longer matches)
    "expired"         signed, but NotOnOrAfter is in the past
    "wrong_audience"  signed, but for another service provider
    "sha1"            signed with RSA-SHA1 and SHA-1 digests, which are deprecated
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import threading
import uuid
import zlib
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.sax.saxutils import escape, quoteattr

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.utils import OneLogin_Saml2_Utils

Variant = Literal["good", "unsigned", "forged", "tampered", "expired", "wrong_audience", "sha1"]
VARIANTS: tuple[Variant, ...] = (
    "good",
    "unsigned",
    "forged",
    "tampered",
    "expired",
    "wrong_audience",
    "sha1",
)

EMAIL_ATTRIBUTE = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
GIVEN_NAME_ATTRIBUTE = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
SURNAME_ATTRIBUTE = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"

_NS = {"samlp": C.NS_SAMLP, "saml": C.NS_SAML}


@dataclass(frozen=True)
class KeyPair:
    private_key: str  # PEM
    certificate: str  # PEM

    @property
    def certificate_body(self) -> str:
        """The certificate as an identity provider's admin page shows it: base64, no PEM lines."""
        return "".join(
            line for line in self.certificate.strip().splitlines() if "-----" not in line
        )


@cache
def key_pair(name: str = "Upward test IdP") -> KeyPair:
    """An RSA key and a self-signed certificate, made once per process and name."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return KeyPair(
        private_key=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        certificate=cert.public_bytes(serialization.Encoding.PEM).decode(),
    )


@dataclass
class SamlUser:
    """Who the identity provider says signed in: the NameID (an email address) and attributes."""

    email: str
    first_name: str = "Ada"
    last_name: str = "Lovelace"
    extra_attributes: dict[str, list[str]] = field(default_factory=dict)

    def attributes(self) -> dict[str, list[str]]:
        return {
            EMAIL_ATTRIBUTE: [self.email],
            GIVEN_NAME_ATTRIBUTE: [self.first_name],
            SURNAME_ATTRIBUTE: [self.last_name],
            **self.extra_attributes,
        }


@dataclass
class AuthnRequest:
    """What the identity provider read from a service provider's request."""

    id: str
    issuer: str
    acs_url: str
    destination: str
    relay_state: str | None


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _id() -> str:
    return "_" + uuid.uuid4().hex


def decode_redirect(encoded: str) -> bytes:
    """Undo the HTTP-Redirect binding's encoding: base64, then raw DEFLATE."""
    return zlib.decompress(base64.b64decode(encoded), -15)


def encode_redirect(xml: str) -> str:
    compressor = zlib.compressobj(wbits=-15)
    deflated = compressor.compress(xml.encode()) + compressor.flush()
    return base64.b64encode(deflated).decode()


class SamlIdentityProvider:
    def __init__(self, user: SamlUser | None = None, *, variant: Variant = "good") -> None:
        self.user = user or SamlUser("ada@example.com")
        self.variant: Variant = variant
        self.keys = key_pair()
        self.requests: list[AuthnRequest] = []
        self.logout_responses: list[str] = []
        self._lock = threading.Lock()
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path == "/metadata":
                    self._send(200, idp.metadata_xml(), "application/samlmetadata+xml")
                elif parts.path == "/sso":
                    try:
                        page = idp.answer(idp.url(self.path))
                    except ValueError as error:
                        self._send(400, f"Bad AuthnRequest: {error}", "text/plain")
                    else:
                        self._send(200, page, "text/html; charset=utf-8")
                elif parts.path == "/slo":
                    query = parse_qs(parts.query)
                    idp.logout_responses.extend(query.get("SAMLResponse", []))
                    self._send(
                        200, "<!doctype html><title>Signed out</title><p>Signed out.", "text/html"
                    )
                else:
                    self._send(404, "not found", "text/plain")

            def _send(self, status: int, body: str, content_type: str) -> None:
                raw = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, format: str, *args: Any) -> None:  # quiet in test output
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- where it is -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def entity_id(self) -> str:
        return self.url("/metadata")

    @property
    def sso_url(self) -> str:
        return self.url("/sso")

    @property
    def slo_url(self) -> str:
        return self.url("/slo")

    @property
    def certificate(self) -> str:
        return self.keys.certificate_body

    def __enter__(self) -> SamlIdentityProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- metadata ----------------------------------------------------------------------------

    def metadata_xml(self) -> str:
        return (
            f'<md:EntityDescriptor xmlns:md="{C.NS_MD}" entityID={quoteattr(self.entity_id)}>'
            f'<md:IDPSSODescriptor WantAuthnRequestsSigned="false" '
            f'protocolSupportEnumeration="{C.NS_SAMLP}">'
            f'<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="{C.NS_DS}"><ds:X509Data>'
            f"<ds:X509Certificate>{self.certificate}</ds:X509Certificate>"
            f"</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            f'<md:SingleLogoutService Binding="{C.BINDING_HTTP_REDIRECT}" '
            f"Location={quoteattr(self.slo_url)}/>"
            f"<md:NameIDFormat>{C.NAMEID_EMAIL_ADDRESS}</md:NameIDFormat>"
            f'<md:SingleSignOnService Binding="{C.BINDING_HTTP_REDIRECT}" '
            f"Location={quoteattr(self.sso_url)}/>"
            f"</md:IDPSSODescriptor></md:EntityDescriptor>"
        )

    # --- single sign-on ----------------------------------------------------------------------

    def read_request(self, url: str) -> AuthnRequest:
        """Read an AuthnRequest sent with the HTTP-Redirect binding (the URL the SP redirects to)."""
        query = parse_qs(urlsplit(url).query)
        if "SAMLRequest" not in query:
            raise ValueError("no SAMLRequest in the query")
        try:
            root = etree.fromstring(
                decode_redirect(query["SAMLRequest"][0]),
                parser=etree.XMLParser(resolve_entities=False, no_network=True),
            )
        except (ValueError, zlib.error, etree.XMLSyntaxError) as error:
            raise ValueError(f"unreadable SAMLRequest: {error}") from error
        if root.tag != f"{{{C.NS_SAMLP}}}AuthnRequest":
            raise ValueError(f"not an AuthnRequest: {root.tag}")
        issuer = root.findtext("saml:Issuer", namespaces=_NS) or ""
        request = AuthnRequest(
            id=root.get("ID", ""),
            issuer=issuer.strip(),
            acs_url=root.get("AssertionConsumerServiceURL", ""),
            destination=root.get("Destination", ""),
            relay_state=query.get("RelayState", [None])[0],
        )
        if not request.id or not request.acs_url or not request.issuer:
            raise ValueError("the AuthnRequest has no ID, issuer or ACS URL")
        with self._lock:
            self.requests.append(request)
        return request

    def answer(self, url: str) -> str:
        """The page the IdP shows after the person signed in: a form posting the SAMLResponse."""
        request = self.read_request(url)
        saml_response = self.response_for(request)
        fields = {"SAMLResponse": saml_response}
        if request.relay_state is not None:
            fields["RelayState"] = request.relay_state
        inputs = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
            for name, value in fields.items()
        )
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>Test identity provider</title></head><body><main>"
            "<h1>Test identity provider</h1>"
            f"<p>Signed in as {html.escape(self.user.email)}.</p>"
            f'<form method="post" action="{html.escape(request.acs_url)}">{inputs}'
            '<button type="submit">Continue to the service</button></form>'
            "</main></body></html>"
        )

    @staticmethod
    def form_fields(page: str) -> tuple[str, dict[str, str]]:
        """The form's action and fields, as a browser would post them."""
        root = etree.fromstring(page.removeprefix("<!doctype html>"), etree.HTMLParser())
        form = root.find(".//form")
        assert form is not None, "the IdP page has no form"
        return form.get("action", ""), {
            element.get("name", ""): element.get("value", "")
            for element in form.findall(".//input")
        }

    def response_for(self, request: AuthnRequest, variant: Variant | None = None) -> str:
        """A base64-encoded SAMLResponse answering `request`, as the HTTP-POST binding carries it."""
        xml = self.response_xml(
            in_response_to=request.id,
            acs_url=request.acs_url,
            audience=request.issuer,
            variant=variant or self.variant,
        )
        return base64.b64encode(xml.encode()).decode()

    def response_xml(
        self,
        *,
        in_response_to: str | None,
        acs_url: str,
        audience: str,
        variant: Variant = "good",
        now: dt.datetime | None = None,
    ) -> str:
        now = now or dt.datetime.now(dt.UTC)
        if variant == "expired":
            now -= dt.timedelta(hours=1)
        if variant == "wrong_audience":
            audience = "https://another-service.example.net/saml/metadata"
        issued = _instant(now)
        not_before = _instant(now - dt.timedelta(minutes=2))
        not_on_or_after = _instant(now + dt.timedelta(minutes=5))
        session_ends = _instant(now + dt.timedelta(hours=8))
        in_response = f" InResponseTo={quoteattr(in_response_to)}" if in_response_to else ""
        assertion_id, response_id = _id(), _id()
        attributes = "".join(
            f'<saml:Attribute Name={quoteattr(name)} NameFormat="{C.ATTRNAME_FORMAT_URI}">'
            + "".join(
                f'<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">'
                f"{escape(value)}</saml:AttributeValue>"
                for value in values
            )
            + "</saml:Attribute>"
            for name, values in self.user.attributes().items()
        )
        assertion = (
            f'<saml:Assertion xmlns:saml="{C.NS_SAML}" ID="{assertion_id}" Version="2.0" '
            f'IssueInstant="{issued}">'
            f"<saml:Issuer>{escape(self.entity_id)}</saml:Issuer>"
            f"<saml:Subject>"
            f'<saml:NameID Format="{C.NAMEID_EMAIL_ADDRESS}">{escape(self.user.email)}</saml:NameID>'
            f'<saml:SubjectConfirmation Method="{C.CM_BEARER}">'
            f'<saml:SubjectConfirmationData NotOnOrAfter="{not_on_or_after}" '
            f"Recipient={quoteattr(acs_url)}{in_response}/>"
            f"</saml:SubjectConfirmation></saml:Subject>"
            f'<saml:Conditions NotBefore="{not_before}" NotOnOrAfter="{not_on_or_after}">'
            f"<saml:AudienceRestriction><saml:Audience>{escape(audience)}</saml:Audience>"
            f"</saml:AudienceRestriction></saml:Conditions>"
            f'<saml:AuthnStatement AuthnInstant="{issued}" SessionIndex="{assertion_id}" '
            f'SessionNotOnOrAfter="{session_ends}">'
            f"<saml:AuthnContext><saml:AuthnContextClassRef>{C.AC_PASSWORD_PROTECTED}"
            f"</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
            f"<saml:AttributeStatement>{attributes}</saml:AttributeStatement>"
            f"</saml:Assertion>"
        )
        signer = key_pair("Someone else") if variant == "forged" else self.keys
        signed = variant != "unsigned"
        if signed:
            assertion = self._sign(assertion, signer, sha1=variant == "sha1")
        response = (
            f'<samlp:Response xmlns:samlp="{C.NS_SAMLP}" xmlns:saml="{C.NS_SAML}" '
            f'ID="{response_id}" Version="2.0" IssueInstant="{issued}" '
            f"Destination={quoteattr(acs_url)}{in_response}>"
            f"<saml:Issuer>{escape(self.entity_id)}</saml:Issuer>"
            f'<samlp:Status><samlp:StatusCode Value="{C.STATUS_SUCCESS}"/></samlp:Status>'
            f"{assertion}</samlp:Response>"
        )
        if signed:
            response = self._sign(response, signer, sha1=variant == "sha1")
        if variant == "tampered":
            # Someone who caught a signed response for themselves swaps in another address.
            response = response.replace(escape(self.user.email), "someone.else@example.com")
        return response

    @staticmethod
    def _sign(xml: str, keys: KeyPair, *, sha1: bool = False) -> str:
        signed = OneLogin_Saml2_Utils.add_sign(
            xml,
            keys.private_key,
            keys.certificate,
            sign_algorithm=C.RSA_SHA1 if sha1 else C.RSA_SHA256,
            digest_algorithm=C.SHA1 if sha1 else C.SHA256,
        )
        return signed.decode() if isinstance(signed, bytes) else str(signed)

    # --- single logout -----------------------------------------------------------------------

    def logout_request_url(self, sls_url: str, *, sp_entity_id: str) -> str:
        """The URL an IdP-initiated logout sends the browser to (HTTP-Redirect binding)."""
        xml = (
            f'<samlp:LogoutRequest xmlns:samlp="{C.NS_SAMLP}" xmlns:saml="{C.NS_SAML}" '
            f'ID="{_id()}" Version="2.0" IssueInstant="{_instant(dt.datetime.now(dt.UTC))}" '
            f"Destination={quoteattr(sls_url)}>"
            f"<saml:Issuer>{escape(self.entity_id)}</saml:Issuer>"
            f'<saml:NameID Format="{C.NAMEID_EMAIL_ADDRESS}" '
            f"SPNameQualifier={quoteattr(sp_entity_id)}>{escape(self.user.email)}</saml:NameID>"
            f"</samlp:LogoutRequest>"
        )
        query = {"SAMLRequest": encode_redirect(xml), "SigAlg": C.RSA_SHA256}
        signed_part = urlencode(query)
        signature = OneLogin_Saml2_Utils.sign_binary(
            signed_part.encode(), self.keys.private_key, xmlsec.constants.TransformRsaSha256
        )
        query["Signature"] = base64.b64encode(signature).decode()
        separator = "&" if "?" in sls_url else "?"
        return f"{sls_url}{separator}{urlencode(query)}"
