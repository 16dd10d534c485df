"""The test identity provider itself, checked with python3-saml alone (no Django, no allauth):
its good response validates, each bad one is refused for the reason it was made bad. If these
pass, a failure in the sign-in tests is Upward's, not the test IdP's."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from upward.sso.testing.saml_idp import (
    EMAIL_ATTRIBUTE,
    SamlIdentityProvider,
    SamlUser,
    decode_redirect,
)

SP_ENTITY = "http://sp.example/accounts/saml/acme/metadata/"
ACS = "http://sp.example/accounts/saml/acme/acs/"
SLS = "http://sp.example/accounts/saml/acme/sls/"


def sp_settings(idp: SamlIdentityProvider) -> OneLogin_Saml2_Settings:
    return OneLogin_Saml2_Settings(
        {
            "strict": True,
            "sp": {
                "entityId": SP_ENTITY,
                "assertionConsumerService": {"url": ACS},
                "singleLogoutService": {"url": SLS},
            },
            "idp": {
                "entityId": idp.entity_id,
                "singleSignOnService": {"url": idp.sso_url},
                "singleLogoutService": {"url": idp.slo_url},
                "x509cert": idp.certificate,
            },
            "security": {"wantAssertionsSigned": True, "rejectDeprecatedAlgorithm": True},
        }
    )


def request_data(post: dict[str, str] | None = None, get: dict[str, str] | None = None) -> dict:
    return {
        "https": "off",
        "http_host": "sp.example",
        "script_name": "",
        "path_info": "/accounts/saml/acme/acs/",
        "post_data": post or {},
        "get_data": get or {},
    }


@pytest.fixture
def idp():
    with SamlIdentityProvider(SamlUser("ada@acme.example", first_name="Ada")) as server:
        yield server


def sp_login_url(idp: SamlIdentityProvider) -> tuple[str, str]:
    """Ask python3-saml (the SP side) for the redirect to the IdP, as allauth does."""
    auth = OneLogin_Saml2_Auth(request_data(), old_settings=sp_settings(idp))
    url = auth.login(return_to="state-123")
    return url, auth.get_last_request_id()


def validate(idp: SamlIdentityProvider, saml_response: str, request_id: str):
    response = OneLogin_Saml2_Response(sp_settings(idp), saml_response)
    data = request_data(post={"SAMLResponse": saml_response})
    return response, response.is_valid(data, request_id=request_id, raise_exceptions=False)


def test_the_idp_answers_the_sp_request_with_a_signed_response_python3_saml_accepts(idp):
    login_url, request_id = sp_login_url(idp)
    assert login_url.startswith(idp.sso_url)

    page = idp.answer(login_url)
    action, fields = idp.form_fields(page)

    assert action == ACS
    assert fields["RelayState"] == "state-123"
    assert idp.requests[-1].id == request_id
    assert idp.requests[-1].issuer == SP_ENTITY
    response, valid = validate(idp, fields["SAMLResponse"], request_id)
    assert valid, response.get_error()
    assert response.get_nameid() == "ada@acme.example"
    assert response.get_attributes()[EMAIL_ATTRIBUTE] == ["ada@acme.example"]
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert f'InResponseTo="{request_id}"' in xml
    assert f"<saml:Audience>{SP_ENTITY}</saml:Audience>" in xml
    assert f'Destination="{ACS}"' in xml


def test_the_idp_serves_its_metadata_and_its_sso_endpoint_over_http(idp):
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

    parsed = OneLogin_Saml2_IdPMetadataParser.parse_remote(idp.url("/metadata"))
    assert parsed["idp"]["entityId"] == idp.entity_id
    assert parsed["idp"]["singleSignOnService"]["url"] == idp.sso_url
    assert parsed["idp"]["x509cert"] == idp.certificate

    import urllib.request

    login_url, _ = sp_login_url(idp)
    with urllib.request.urlopen(login_url) as answer:  # noqa: S310 - localhost test server
        page = answer.read().decode()
    assert "Continue to the service" in page
    assert idp.form_fields(page)[0] == ACS


def test_a_bad_authn_request_gets_a_400_from_the_idp(idp):
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(idp.sso_url + "?SAMLRequest=bm90IHhtbA==")  # noqa: S310
    assert caught.value.code == 400


@pytest.mark.parametrize(
    ("variant", "reason"),
    [
        ("unsigned", "is not signed"),
        ("forged", "Signature validation failed"),
        ("tampered", "Signature validation failed"),
        ("expired", "expired"),
        ("wrong_audience", "not a valid audience"),
        ("sha1", "deprecated"),
    ],
)
def test_each_bad_response_is_refused_by_python3_saml(idp, variant, reason):
    login_url, request_id = sp_login_url(idp)
    request = idp.read_request(login_url)

    response, valid = validate(idp, idp.response_for(request, variant), request_id)

    assert not valid
    assert reason.lower() in str(response.get_error()).lower()


def test_the_idp_initiated_logout_request_is_signed_and_accepted(idp):
    url = idp.logout_request_url(SLS, sp_entity_id=SP_ENTITY)
    query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    assert b"LogoutRequest" in decode_redirect(query["SAMLRequest"])
    logged_out = []

    auth = OneLogin_Saml2_Auth(
        {**request_data(get=query), "path_info": "/accounts/saml/acme/sls/"},
        old_settings=sp_settings(idp),
    )
    redirect = auth.process_slo(delete_session_cb=lambda: logged_out.append(True))

    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert logged_out == [True]
    assert redirect.startswith(idp.slo_url)

    query["Signature"] = base64.b64encode(b"x" * 256).decode()
    forged = OneLogin_Saml2_Auth(
        {**request_data(get=query), "path_info": "/accounts/saml/acme/sls/"},
        old_settings=sp_settings(idp),
    )
    forged.process_slo(delete_session_cb=lambda: logged_out.append(True))
    assert forged.get_errors()
    assert logged_out == [True]
