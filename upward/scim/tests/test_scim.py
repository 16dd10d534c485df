"""SCIM 2.0 provisioning: what Entra ID and Okta send, and what they must never reach."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from upward.accounts.models import TokenKind, TokenScope
from upward.accounts.tokens import issue_token, revoke_token
from upward.core.models import AuditEvent
from upward.organisations.models import Department, Organisation, Person, Team
from upward.pairing.models import PairingState
from upward.scim.models import ScimIdentity
from upward.scim.schemas import ENTERPRISE, UPWARD, USER
from upward.testing.factories import OrganisationFactory, PersonFactory, UserFactory

BASE = "/scim/v2/"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Scim:
    """A test client speaking SCIM with one organisation's token."""

    def __init__(self, organisation: Organisation, raw: str | None) -> None:
        self.organisation = organisation
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = body if isinstance(body, str) else json.dumps(body) if body is not None else ""
        response = getattr(self.client, method)(
            BASE + path, data=data, content_type="application/scim+json", **self.headers
        )
        response.json_body = json.loads(response.content) if response.content else None
        return response

    def get(self, path: str) -> Any:
        return self.call("get", path)

    def post(self, path: str, body: Any) -> Any:
        return self.call("post", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self.call("put", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self.call("patch", path, body)

    def delete(self, path: str) -> Any:
        return self.call("delete", path)


def scim_for(organisation: Organisation, name: str = "Entra ID") -> Scim:
    _token, raw = issue_token(
        kind=TokenKind.SERVICE,
        organisation=organisation,
        name=name,
        scopes=[TokenScope.SCIM],
        by=None,
    )
    return Scim(organisation, raw)


@pytest.fixture
def scim(world: Any) -> Scim:
    return scim_for(world.org)


def entra_user(**extra: Any) -> dict[str, Any]:
    """A create as Entra ID sends it with its default mappings."""
    body = {
        "schemas": [USER, ENTERPRISE],
        "externalId": "ada-lovelace-1",
        "userName": "ada.lovelace@northwind.test",
        "active": True,
        "displayName": "Ada Lovelace",
        "title": "Engineer",
        "emails": [{"primary": True, "type": "work", "value": "ada.lovelace@northwind.test"}],
        "name": {"givenName": "Ada", "familyName": "Lovelace", "formatted": "Ada Lovelace"},
        "addresses": [{"type": "work", "locality": "Leeds", "primary": True}],
        ENTERPRISE: {"department": "Research"},
    }
    body.update(extra)
    return body


def ops(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def assert_error(response: Any, status: int, words: str = "") -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/scim+json")
    assert response.json_body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert response.json_body["status"] == str(status)
    assert words in response.json_body["detail"]


# ---------------------------------------------------------------------------------------------
# Who may call


@pytest.mark.django_db
def test_without_a_token_answers_401_in_scim_format(world: Any) -> None:
    response = Scim(world.org, None).get("Users")
    assert_error(response, 401, "Bearer")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_a_signed_in_session_is_not_enough(world: Any) -> None:
    client = world.client_for(world.admin)
    response = client.get(BASE + "Users")
    assert response.status_code == 401
    assert json.loads(response.content)["status"] == "401"


@pytest.mark.django_db
def test_unknown_revoked_and_wrong_scope_tokens_are_refused(world: Any) -> None:
    assert_error(Scim(world.org, "upw_dead_beef").get("Users"), 401, "unknown")
    token, raw = issue_token(
        kind=TokenKind.SERVICE, organisation=world.org, name="x", scopes=["scim"], by=None
    )
    revoke_token(token, by=None)
    assert_error(Scim(world.org, raw).get("Users"), 401, "revoked")
    _token, people_raw = issue_token(
        kind=TokenKind.SERVICE,
        organisation=world.org,
        name="HR feed",
        scopes=[TokenScope.PEOPLE_READ],
        by=None,
    )
    assert_error(Scim(world.org, people_raw).get("Users"), 401, "scim scope")
    _token, personal_raw = issue_token(
        kind=TokenKind.PERSONAL,
        organisation=world.org,
        user=world.admin.user,
        name="mine",
        scopes=[TokenScope.PEOPLE_READ],
        by=world.admin.user,
    )
    assert_error(Scim(world.org, personal_raw).get("Users"), 401, "scim scope")


# ---------------------------------------------------------------------------------------------
# Discovery


@pytest.mark.django_db
def test_discovery_endpoints_describe_users_only(scim: Scim) -> None:
    config = scim.get("ServiceProviderConfig")
    assert config.status_code == 200
    assert config.json_body["patch"]["supported"] is True
    assert config.json_body["bulk"]["supported"] is False
    assert config.json_body["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    types = scim.get("ResourceTypes").json_body["Resources"]
    assert [t["id"] for t in types] == ["User"]
    assert scim.get("ResourceTypes/Group").status_code == 404
    schemas = {s["id"]: s for s in scim.get("Schemas").json_body["Resources"]}
    assert set(schemas) == {USER, ENTERPRISE, UPWARD}
    level = next(a for a in schemas[UPWARD]["attributes"] if a["name"] == "level")
    assert "Director" in level["canonicalValues"]  # the organisation's own levels
    assert scim.get("Groups").status_code == 404
    assert_error(scim.get("Nothing-here"), 404)


# ---------------------------------------------------------------------------------------------
# Create


@pytest.mark.django_db
def test_create_from_entra_fills_the_directory_and_audits(world: Any, scim: Scim) -> None:
    manager_id = str(world.manager.pk)
    body = entra_user(
        timezone="Europe/Paris",
        **{
            ENTERPRISE: {"department": "Research", "manager": {"value": manager_id}},
            UPWARD: {"level": "director", "team": "Quantum"},
        },
    )
    body["schemas"].append(UPWARD)
    response = scim.post("Users", body)
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json_body["id"])
    assert response["Location"].endswith(f"/scim/v2/Users/{person.pk}")
    assert person.organisation == world.org
    assert (person.email, person.full_name, person.job_title) == (
        "ada.lovelace@northwind.test",
        "Ada Lovelace",
        "Engineer",
    )
    assert (person.external_id, person.location, person.time_zone) == (
        "ada-lovelace-1",
        "Leeds",
        "Europe/Paris",
    )
    assert person.department == Department.objects.get(organisation=world.org, name="Research")
    assert person.team == Team.objects.get(department=person.department, name="Quantum")
    assert person.level is not None and person.level.name == "Director"
    assert person.manager == world.manager
    assert person.is_active
    got = response.json_body
    assert got["userName"] == "ada.lovelace@northwind.test"
    assert got["name"]["givenName"] == "Ada"
    assert got[ENTERPRISE] == {
        "department": "Research",
        "manager": {"value": manager_id, "$ref": f"http://testserver/scim/v2/Users/{manager_id}"},
    }
    assert got[UPWARD] == {"level": "Director", "team": "Quantum"}
    event = AuditEvent.objects.get(verb="scim.user_created", object_id=str(person.pk))
    assert event.data["token"] == "Entra ID"
    assert event.actor is None
    assert AuditEvent.objects.filter(verb="department.created").exists()


@pytest.mark.django_db
def test_okta_create_with_only_a_user_name_and_names(scim: Scim) -> None:
    response = scim.post(
        "Users",
        {
            "schemas": [USER],
            "userName": "grace@northwind.test",
            "name": {"givenName": "Grace", "familyName": "Hopper"},
            "active": True,
        },
    )
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json_body["id"])
    assert (person.email, person.full_name) == ("grace@northwind.test", "Grace Hopper")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"userName": ""}, 400, "userName"),
        ({"userName": "not-an-email", "emails": []}, 400, "work email"),
        ({"emails": [{"type": "work", "value": "two@@x"}]}, 400, "one @"),
        ({"active": "perhaps"}, 400, "true or false"),
        ({"timezone": "Mars/Olympus"}, 400, "time zone"),
        ({"title": "x" * 151}, 400, "150"),
        ({UPWARD: {"level": "Grand Vizier"}}, 400, "Unknown level “Grand Vizier”"),
        ({ENTERPRISE: {"manager": {"value": "999999"}}}, 400, "manager"),
    ],
)
def test_bad_input_is_refused_with_a_scim_error(
    world: Any, scim: Scim, change: dict[str, Any], status: int, words: str
) -> None:
    before = Person.objects.count()
    assert_error(scim.post("Users", entra_user(**change)), status, words)
    assert Person.objects.count() == before


@pytest.mark.django_db
def test_scim_token_command_makes_a_working_token(world: Any) -> None:
    out = io.StringIO()
    call_command("scim_token", "--organisation", "fresh-co", "--create-org", stdout=out)
    organisation = Organisation.objects.get(slug="fresh-co")
    scim = Scim(organisation, out.getvalue().strip())
    listed = scim.get("Users").json_body
    assert listed["totalResults"] == 1  # the new organisation's first admin, nobody else
    with pytest.raises(CommandError, match="no-such-org"):
        call_command("scim_token", "--organisation", "no-such-org", stdout=io.StringIO())


@pytest.mark.django_db
def test_invalid_json_and_wrong_schema(scim: Scim) -> None:
    assert_error(scim.post("Users", "{not json"), 400, "JSON")
    assert_error(scim.post("Users", entra_user(schemas=["urn:example:Thing"])), 400, "schema")


@pytest.mark.django_db
def test_same_user_name_email_or_external_id_twice_is_a_conflict(scim: Scim) -> None:
    assert scim.post("Users", entra_user()).status_code == 201
    again = entra_user(externalId="other", emails=[{"type": "work", "value": "b@northwind.test"}])
    assert_error(scim.post("Users", again), 409, "userName")
    same_email = entra_user(userName="other-upn", externalId="other")
    assert_error(scim.post("Users", same_email), 409, "already has the email")
    same_id = entra_user(userName="c@northwind.test", emails=[])
    assert_error(scim.post("Users", same_id), 409, "externalId")


@pytest.mark.django_db
def test_someone_already_in_the_directory_is_linked_not_duplicated(world: Any, scim: Scim) -> None:
    """Added by an import before SCIM: Entra ID's create links to them and updates them."""
    applicant = world.applicant
    body = entra_user(
        userName="UPN-7@northwind.onmicrosoft.com",
        emails=[{"type": "work", "value": applicant.email.upper()}],
        displayName="Renamed By Entra",
    )
    response = scim.post("Users", body)
    assert response.status_code == 201, response.content
    assert response.json_body["id"] == str(applicant.pk)
    assert Person.objects.filter(email__iexact=applicant.email).count() == 1
    applicant.refresh_from_db()
    assert applicant.full_name == "Renamed By Entra"
    assert ScimIdentity.objects.get(person=applicant).user_name == body["userName"]
    assert AuditEvent.objects.filter(verb="scim.user_linked", object_id=str(applicant.pk)).exists()
    assert applicant.email == applicant.email.lower()  # the directory's spelling is kept


@pytest.mark.django_db
def test_linking_keeps_what_the_request_does_not_send(world: Any, scim: Scim) -> None:
    """A create that only names an address must not turn the person's name into the address,
    blank their job title or drop the id an import gave them (an outside review's finding)."""
    manager = world.manager
    Person.objects.filter(pk=manager.pk).update(job_title="Senior manager", external_id="E-42")
    name_before = manager.full_name
    response = scim.post(
        "Users",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "anything-else",
            "emails": [{"type": "work", "value": manager.email.upper()}],
        },
    )
    assert response.status_code == 201, response.content
    manager.refresh_from_db()
    assert (manager.full_name, manager.job_title, manager.external_id) == (
        name_before,
        "Senior manager",
        "E-42",
    )
    assert manager.email == manager.email.lower()


@pytest.mark.django_db
def test_a_user_name_cannot_be_someone_elses_address(world: Any, scim: Scim) -> None:
    """userName answers to an unprovisioned person's email too: taking it by PATCH or PUT would
    make Entra ID's filter find two people, and it could then deactivate the wrong one."""
    created = scim.post("Users", entra_user())
    assert created.status_code == 201, created.content
    uid = created.json_body["id"]
    taken = world.admin.email
    patch = scim.patch(
        f"Users/{uid}",
        ops({"op": "replace", "path": "userName", "value": taken.upper()}),
    )
    assert_error(patch, 409, "userName")
    listed = scim.get(f'Users?filter=userName eq "{taken}"')
    assert listed.status_code == 200
    assert listed.json_body["totalResults"] == 1


# ---------------------------------------------------------------------------------------------
# Read, filter, page


@pytest.mark.django_db
def test_filters_entra_and_okta_use(world: Any, scim: Scim) -> None:
    created = scim.post("Users", entra_user()).json_body
    found = scim.get('Users?filter=userName eq "ADA.LOVELACE@northwind.test"').json_body
    assert [r["id"] for r in found["Resources"]] == [created["id"]]
    found = scim.get('Users?filter=externalId eq "ada-lovelace-1"').json_body
    assert found["totalResults"] == 1
    assert scim.get('Users?filter=userName eq "nobody@x.test"').json_body["totalResults"] == 0
    # Someone imported before SCIM was switched on is found by their email, so Entra ID
    # matches them instead of creating a duplicate.
    found = scim.get('Users?filter=userName eq "ada@northwind.test"').json_body
    assert [r["id"] for r in found["Resources"]] == [str(world.admin.pk)]
    assert_error(scim.get('Users?filter=title eq "x"'), 400, "title")
    assert_error(scim.get("Users?filter=userName"), 400)
    assert scim.get('Users?filter=userName eq "x"').json_body["schemas"] == [
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    ]


@pytest.mark.django_db
def test_paging_and_attribute_selection(world: Any, scim: Scim) -> None:
    total = Person.objects.filter(organisation=world.org).count()
    first = scim.get("Users?startIndex=1&count=2").json_body
    second = scim.get("Users?startIndex=3&count=2").json_body
    assert first["totalResults"] == second["totalResults"] == total
    assert first["itemsPerPage"] == 2 and first["startIndex"] == 1
    assert not {r["id"] for r in first["Resources"]} & {r["id"] for r in second["Resources"]}
    assert_error(scim.get("Users?count=lots"), 400, "count")
    only = scim.get(f"Users/{world.admin.pk}?attributes=userName").json_body
    assert set(only) == {"id", "schemas", "userName"}
    without = scim.get(f"Users/{world.admin.pk}?excludedAttributes=emails").json_body
    assert "emails" not in without and "userName" in without
    assert_error(scim.get("Users/abc"), 404)


# ---------------------------------------------------------------------------------------------
# Organisations never meet


@pytest.mark.django_db
def test_a_token_of_one_organisation_never_reaches_another(world: Any, scim: Scim) -> None:
    other = scim_for(world.outsider_admin.organisation, name="Other IdP")
    stranger = world.outsider_admin
    assert_error(scim.get(f"Users/{stranger.pk}"), 404)
    listed = {r["id"] for r in scim.get("Users?count=200").json_body["Resources"]}
    assert str(stranger.pk) not in listed
    assert str(world.admin.pk) in listed
    filtered = scim.get(f'Users?filter=userName eq "{stranger.email}"').json_body
    assert filtered["totalResults"] == 0
    assert_error(
        scim.patch(
            f"Users/{stranger.pk}", ops({"op": "replace", "path": "active", "value": False})
        ),
        404,
    )
    assert_error(scim.put(f"Users/{stranger.pk}", entra_user()), 404)
    assert_error(scim.delete(f"Users/{stranger.pk}"), 404)
    stranger.refresh_from_db()
    assert stranger.is_active
    # Nor can one organisation's person be made the manager of another's.
    body = entra_user(**{ENTERPRISE: {"manager": {"value": str(stranger.pk)}}})
    assert_error(scim.post("Users", body), 400, "manager")
    # The other organisation's token sees its own people only.
    assert str(world.admin.pk) not in {r["id"] for r in other.get("Users").json_body["Resources"]}


# ---------------------------------------------------------------------------------------------
# Update


@pytest.mark.django_db
def test_entra_patch_shapes(world: Any, scim: Scim) -> None:
    person_id = scim.post("Users", entra_user()).json_body["id"]
    response = scim.patch(
        f"Users/{person_id}",
        ops(
            {"op": "Replace", "path": "displayName", "value": "Ada King"},
            {"op": "Replace", "path": "title", "value": "Countess"},
            {
                "op": "Replace",
                "path": 'emails[type eq "work"].value',
                "value": "ada.king@northwind.test",
            },
            {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": str(world.manager.pk)},
            {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Finance"},
            {"op": "Replace", "path": 'addresses[type eq "work"].locality', "value": "York"},
            {"op": "Replace", "path": "externalId", "value": "emp-42"},
        ),
    )
    assert response.status_code == 200, response.content
    person = Person.objects.get(pk=person_id)
    assert (person.full_name, person.job_title, person.email) == (
        "Ada King",
        "Countess",
        "ada.king@northwind.test",
    )
    assert person.manager == world.manager
    assert person.department is not None and person.department.name == "Finance"
    assert (person.location, person.external_id) == ("York", "emp-42")
    assert AuditEvent.objects.filter(verb="scim.user_patched", object_id=person_id).exists()
    # Remove the manager, as Entra does when it is cleared in the directory.
    scim.patch(f"Users/{person_id}", ops({"op": "Remove", "path": f"{ENTERPRISE}:manager"}))
    person.refresh_from_db()
    assert person.manager is None and person.department is not None


@pytest.mark.django_db
def test_bad_patches_change_nothing(world: Any, scim: Scim) -> None:
    person_id = scim.post("Users", entra_user()).json_body["id"]
    assert_error(scim.patch(f"Users/{person_id}", ops({"op": "remove"})), 400, "path")
    assert_error(scim.patch(f"Users/{person_id}", ops({"op": "move", "path": "title"})), 400)
    assert_error(scim.patch(f"Users/{person_id}", {"schemas": [PATCH_OP]}), 400, "operation")
    assert_error(
        scim.patch(
            f"Users/{person_id}",
            ops(
                {"op": "replace", "path": "title", "value": "Changed"},
                {"op": "replace", "path": f"{UPWARD}:level", "value": "Emperor"},
            ),
        ),
        400,
        "Unknown level",
    )
    assert Person.objects.get(pk=person_id).job_title == "Engineer"


@pytest.mark.django_db
def test_deactivation_runs_the_leaver_flow_and_ends_the_pairing(pairs: Any, scim: Scim) -> None:
    mentor = pairs.mentor
    response = scim.patch(
        f"Users/{mentor.pk}",
        ops({"op": "Replace", "path": "active", "value": "False"}),  # Entra's string boolean
    )
    assert response.status_code == 200, response.content
    assert response.json_body["active"] is False
    mentor.refresh_from_db()
    pairs.pairing.refresh_from_db()
    assert not mentor.is_active and mentor.left_on is not None
    assert pairs.pairing.state == PairingState.ENDED
    assert AuditEvent.objects.filter(verb="person.marked_left", object_id=str(mentor.pk)).exists()
    # Okta reactivates with a PATCH without a path.
    response = scim.patch(f"Users/{mentor.pk}", ops({"op": "replace", "value": {"active": True}}))
    assert response.status_code == 200
    mentor.refresh_from_db()
    assert mentor.is_active
    assert AuditEvent.objects.filter(verb="person.marked_back", object_id=str(mentor.pk)).exists()


@pytest.mark.django_db
def test_put_replaces_and_keeps_what_scim_does_not_manage(world: Any, scim: Scim) -> None:
    created = scim.post("Users", entra_user(timezone="Asia/Tokyo")).json_body
    person = Person.objects.get(pk=created["id"])
    person.is_org_admin = True
    person.save()
    body = entra_user(title="", displayName="Ada L.", active=False)
    body.pop("addresses")
    body.pop(ENTERPRISE)
    response = scim.put(f"Users/{created['id']}", body)
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert (person.full_name, person.job_title, person.is_active) == ("Ada L.", "", False)
    # Time zone, location and the department are left alone when not sent; admin rights too.
    assert (person.time_zone, person.location) == ("Asia/Tokyo", "Leeds")
    assert person.department is not None and person.is_org_admin


@pytest.mark.django_db
def test_the_last_admin_cannot_be_deactivated(world: Any, scim: Scim) -> None:
    response = scim.patch(
        f"Users/{world.admin.pk}", ops({"op": "replace", "path": "active", "value": False})
    )
    assert_error(response, 409, "admin")
    world.admin.refresh_from_db()
    assert world.admin.is_active


# ---------------------------------------------------------------------------------------------
# Delete


@pytest.mark.django_db
def test_delete_is_the_leaver_flow_and_erases_nothing(pairs: Any, scim: Scim) -> None:
    mentee = pairs.mentee
    assert scim.delete(f"Users/{mentee.pk}").status_code == 204
    mentee.refresh_from_db()
    pairs.pairing.refresh_from_db()
    assert not mentee.is_active
    assert pairs.pairing.state == PairingState.ENDED
    assert_error(scim.get(f"Users/{mentee.pk}"), 404)
    assert_error(scim.delete(f"Users/{mentee.pk}"), 404)
    event = AuditEvent.objects.get(verb="scim.user_deleted", object_id=str(mentee.pk))
    assert event.data["token"] == "Entra ID"
    # Created again (a rehire): the same person comes back.
    response = scim.post(
        "Users",
        entra_user(
            userName=mentee.email, emails=[{"type": "work", "value": mentee.email}], externalId=""
        ),
    )
    assert response.status_code == 201, response.content
    assert response.json_body["id"] == str(mentee.pk)
    mentee.refresh_from_db()
    assert mentee.is_active
    assert ScimIdentity.objects.get(person=mentee).deleted_at is None


# ---------------------------------------------------------------------------------------------
# The admins' page


@pytest.mark.django_db
def test_settings_page_for_admins_only(world: Any, scim: Scim) -> None:
    scim.post("Users", entra_user())
    page = world.client_for(world.admin).get("/organisation/scim/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "http://testserver/scim/v2/" in text
    assert "Ada Lovelace" in text and "Entra ID" in text  # the last activity
    refused = world.client_for(world.applicant).get("/organisation/scim/")
    assert refused.status_code == 404
    assert Client().get("/organisation/scim/").status_code == 302


@pytest.mark.django_db
def test_settings_page_escapes_what_the_identity_system_sent(world: Any) -> None:
    scim = scim_for(world.org, name="<script>alert(1)</script>")
    scim.post("Users", entra_user(displayName="<b>Bold</b>"))
    page = world.client_for(world.admin).get("/organisation/scim/")
    assertNotContains(page, "<script>alert(1)")
    assertContains(page, "&lt;script&gt;")
    assertNotContains(page, "<b>Bold</b>")


# ---------------------------------------------------------------------------------------------
# The whole conformance suite, against a live server


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_scim2_tester_finds_no_failure(live_server: Any) -> None:
    from upward.scim.tests.conformance import run

    organisation = OrganisationFactory(slug="conformance")
    department = Department.objects.create(organisation=organisation, name="Engineering")
    Team.objects.create(organisation=organisation, department=department, name="Platform")
    PersonFactory(organisation=organisation, is_org_admin=True, user=UserFactory())
    _token, raw = issue_token(
        kind=TokenKind.SERVICE, organisation=organisation, name="tester", scopes=["scim"], by=None
    )
    results, failed = run(f"{live_server.url}/scim/v2/", raw)
    assert len(results) > 50
    assert not failed, "\n".join(f"{r.title}: {r.reason}" for r in failed)
