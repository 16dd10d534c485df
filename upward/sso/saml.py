"""The SAML 2.0 side of an identity provider: the settings allauth's saml provider reads."""

from __future__ import annotations

from allauth.socialaccount.models import SocialApp

from upward.sso.models import IdentityProvider


def saml_settings(idp: IdentityProvider) -> dict:
    """allauth's SAML app settings (allauth/socialaccount/providers/saml/utils.py reads them)."""
    idp_config: dict[str, str] = {"entity_id": idp.saml_entity_id}
    if idp.saml_metadata_url:
        idp_config["metadata_url"] = idp.saml_metadata_url
    else:
        idp_config.update({"sso_url": idp.saml_sso_url, "x509cert": idp.saml_x509cert})
        if idp.saml_slo_url:
            idp_config["slo_url"] = idp.saml_slo_url
    return {
        "idp": idp_config,
        # Entra ID and Okta send the address as the NameID (emailAddress format) or as this
        # claim; the uid is the NameID unless the provider sends a subject-id attribute.
        "attribute_mapping": {
            "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id"],
            "email": [
                "urn:oid:0.9.2342.19200300.100.1.3",
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                "email",
            ],
            "first_name": [
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
                "urn:oid:2.5.4.42",
            ],
            "last_name": [
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
                "urn:oid:2.5.4.4",
            ],
        },
        "use_nameid_for_email": False,
        "advanced": {
            "strict": True,
            "want_assertion_signed": True,
            "want_message_signed": False,
            "reject_deprecated_algorithm": True,
        },
    }


def saml_app(idp: IdentityProvider) -> SocialApp:
    """An unsaved SocialApp for allauth's saml provider. Its client_id is what allauth calls
    the "organization slug" in the SAML URLs: /accounts/saml/org-<slug>/acs/ and so on."""
    return SocialApp(
        provider="saml",
        provider_id=idp.provider_id,
        name=idp.display_name,
        client_id=idp.provider_id,
        settings=saml_settings(idp),
    )
