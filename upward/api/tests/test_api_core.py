"""The API core: token authentication, scopes, organisation isolation, people and structure,
upsert, the leaver flow, rate limits, the error format and the schema."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from drf_spectacular.validation import validate_schema
from pytest_django.asserts import assertNotContains

from upward.accounts.models import ApiToken, TokenKind
from upward.accounts.tokens import issue_token, revoke_token
from upward.core.models import AuditEvent
from upward.organisations.models import Level, Person
from upward.testing.factories import OrganisationFactory, give_domain

ALL_PERSONAL = ["people:read", "people:write", "me:read"]


def service_token(org: Any, scopes: list[str] | None = None, **kwargs: Any) -> str:
    _token, raw = issue_token(
        kind=TokenKind.SERVICE,
        organisation=org,
        name="HR sync",
        scopes=scopes or ["people:read", "people:write"],
        by=None,
        **kwargs,
    )
    return raw


def personal_token(person: Person, scopes: list[str] | None = None) -> str:
    _token, raw = issue_token(
        kind=TokenKind.PERSONAL,
        organisation=person.organisation,
        user=person.user,
        name="My script",
        scopes=scopes or ALL_PERSONAL,
        by=person.user,
    )
    return raw


def call(raw: str | None, method: str, path: str, body: Any = None) -> Any:
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(path, data=data, content_type="application/json", **headers)


def error_of(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json"), response.content
    return response.json()["error"]


# ---------------------------------------------------------------------------------------------
# Authentication


@pytest.mark.django_db
def test_a_service_token_reads_its_organisation(world) -> None:  # type: ignore[no-untyped-def]
    raw = service_token(world.org)
    response = call(raw, "get", "/api/v1/organisation/")
    assert response.status_code == 200
    assert response.json() == {"id": world.org.pk, "name": "Northwind Health", "slug": "northwind"}


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["unknown", "revoked", "expired", "left", "garbled"])
def test_unusable_tokens_answer_401(world, case: str) -> None:  # type: ignore[no-untyped-def]
    raw = personal_token(world.applicant)
    token = ApiToken.objects.get(user=world.applicant.user)
    if case == "unknown":
        raw = raw[:-4] + "abcd"
    elif case == "revoked":
        revoke_token(token, by=world.applicant.user)
    elif case == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    elif case == "left":
        Person.objects.filter(pk=world.applicant.pk).update(is_active=False)
    elif case == "garbled":
        raw = "upw_" + "é"
    response = call(raw, "get", "/api/v1/me/")
    assert response.status_code == 401
    error = error_of(response)
    assert error["status"] == 401 and error["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_no_credentials_answer_401(world) -> None:  # type: ignore[no-untyped-def]
    response = call(None, "get", "/api/v1/people/")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


@pytest.mark.django_db
def test_a_missing_scope_answers_403(world) -> None:  # type: ignore[no-untyped-def]
    raw = service_token(world.org, scopes=["people:read"])
    assert call(raw, "get", "/api/v1/people/").status_code == 200
    response = call(raw, "post", "/api/v1/levels/", {"name": "Board"})
    assert response.status_code == 403
    assert "people:write" in error_of(response)["message"]
    assert not Level.objects.filter(organisation=world.org, name="Board").exists()


@pytest.mark.django_db
def test_me_says_who_calls(world) -> None:  # type: ignore[no-untyped-def]
    body = call(personal_token(world.applicant), "get", "/api/v1/me/").json()
    assert body["kind"] == "personal"
    assert body["person"]["email"] == "jess@northwind.test"
    assert body["token"]["scopes"] == sorted(ALL_PERSONAL)
    assert body["is_org_admin"] is False
    service = call(service_token(world.org), "get", "/api/v1/me/").json()
    assert service["kind"] == "service" and service["person"] is None
    assert service["is_org_admin"] is True


@pytest.mark.django_db
def test_a_non_admin_person_cannot_read_the_directory(world) -> None:  # type: ignore[no-untyped-def]
    raw = personal_token(world.applicant)
    response = call(raw, "get", "/api/v1/people/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert call(personal_token(world.admin), "get", "/api/v1/people/").status_code == 200


@pytest.mark.django_db
def test_a_session_without_a_directory_entry_gets_403(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client_for(world.applicant)
    Person.objects.filter(pk=world.applicant.pk).update(is_active=False)
    response = client.get("/api/v1/organisation/")
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"


# ---------------------------------------------------------------------------------------------
# Isolation


@pytest.mark.django_db
def test_a_service_token_never_reaches_another_organisation(world) -> None:  # type: ignore[no-untyped-def]
    raw = service_token(OrganisationFactory(name="Other"))
    listed = call(raw, "get", "/api/v1/people/").json()
    assert listed["count"] == 0
    assert call(raw, "get", f"/api/v1/people/{world.applicant.pk}/").status_code == 404
    patched = call(raw, "patch", f"/api/v1/people/{world.applicant.pk}/", {"full_name": "X"})
    assert patched.status_code == 404
    world.applicant.refresh_from_db()
    assert world.applicant.full_name == "Jess Junior"
    department = world.applicant.department_id
    made = call(raw, "post", "/api/v1/teams/", {"name": "Stolen", "department": department})
    assert made.status_code == 400 and "department" in error_of(made)["fields"]
    by_email = call(raw, "get", "/api/v1/people/?email=jess@northwind.test").json()
    assert by_email["count"] == 0


# ---------------------------------------------------------------------------------------------
# People


@pytest.mark.django_db
def test_list_filters_and_pages(world) -> None:  # type: ignore[no-untyped-def]
    raw = service_token(world.org)
    body = call(raw, "get", "/api/v1/people/?page_size=2").json()
    assert body["count"] == 6 and len(body["results"]) == 2 and body["next"]
    finance = world.manager.department_id
    names = {
        p["full_name"]
        for p in call(raw, "get", f"/api/v1/people/?department={finance}").json()["results"]
    }
    assert names == {"Mo Manager", "Olu Other", "Kai Keen", "Sam Senior"}
    found = call(raw, "get", "/api/v1/people/?email=JESS@northwind.test").json()["results"]
    assert [p["id"] for p in found] == [world.applicant.pk]
    bad = call(raw, "get", "/api/v1/people/?updated_since=yesterday")
    assert bad.status_code == 400 and "updated_since" in error_of(bad)["fields"]


@pytest.mark.django_db
def test_people_show_no_confidential_fields(world) -> None:  # type: ignore[no-untyped-def]
    body = call(service_token(world.org), "get", f"/api/v1/people/{world.senior.pk}/").json()
    assert set(body) == {
        "id", "email", "external_id", "full_name", "job_title", "level", "department", "team",
        "manager", "location", "time_zone", "start_date", "is_active", "is_org_admin", "left_on",
        "created_at", "updated_at",
    }  # fmt: skip


@pytest.mark.django_db
def test_create_and_update_a_person(world) -> None:  # type: ignore[no-untyped-def]
    raw = service_token(world.org)
    made = call(
        raw,
        "post",
        "/api/v1/people/",
        {"email": "new@northwind.test", "full_name": "Nia New", "external_id": "E-1"},
    )
    assert made.status_code == 201, made.content
    person = Person.objects.get(organisation=world.org, external_id="E-1")
    assert person.full_name == "Nia New"
    patched = call(raw, "patch", f"/api/v1/people/{person.pk}/", {"manager": world.senior.pk})
    assert patched.status_code == 200
    person.refresh_from_db()
    assert person.manager == world.senior
    audit = AuditEvent.objects.filter(verb="api.person_updated", object_id=str(person.pk)).get()
    assert audit.data["token"]["name"] == "HR sync" and audit.data["fields"] == ["manager_id"]


@pytest.mark.django_db
def test_bad_person_input_gets_400_with_fields(world) -> None:  # type: ignore[no-untyped-def]
    raw = service_token(world.org)
    response = call(raw, "post", "/api/v1/people/", {"email": "not an email", "level": 99999})
    assert response.status_code == 400
    fields = error_of(response)["fields"]
    assert {"email", "full_name", "level"} <= set(fields)
    duplicate = call(
        raw, "post", "/api/v1/people/", {"email": "JESS@northwind.test", "full_name": "Jess 2"}
    )
    assert duplicate.status_code == 409
    assert error_of(duplicate)["code"] == "conflict" and "email" in error_of(duplicate)["fields"]


@pytest.mark.django_db
def test_manager_loops_and_foreign_domains_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    raw = service_token(world.org)
    Person.objects.filter(pk=world.senior.pk).update(manager=world.applicant)
    loop = call(raw, "patch", f"/api/v1/people/{world.applicant.pk}/", {"manager": world.senior.pk})
    assert loop.status_code == 400 and "manager" in error_of(loop)["fields"]
    give_domain(OrganisationFactory(), "rival.test")
    foreign = call(raw, "post", "/api/v1/people/", {"email": "spy@rival.test", "full_name": "Spy"})
    assert foreign.status_code == 400 and "email" in error_of(foreign)["fields"]
    assert not Person.objects.filter(email="spy@rival.test").exists()


@pytest.mark.django_db
def test_patch_is_active_false_runs_the_leaver_flow(world) -> None:  # type: ignore[no-untyped-def]
    raw = service_token(world.org)
    leaver_token = personal_token(world.applicant)
    response = call(raw, "patch", f"/api/v1/people/{world.applicant.pk}/", {"is_active": False})
    assert response.status_code == 200
    assert response.json()["is_active"] is False and response.json()["left_on"]
    assert AuditEvent.objects.filter(
        verb="person.marked_left", object_id=str(world.applicant.pk)
    ).exists()
    assert call(leaver_token, "get", "/api/v1/me/").status_code == 401
    assert call(raw, "delete", f"/api/v1/people/{world.applicant.pk}/").status_code == 405
    # Coming back does not revive the old token (an outside review's finding).
    back = call(raw, "patch", f"/api/v1/people/{world.applicant.pk}/", {"is_active": True})
    assert back.status_code == 200 and back.json()["is_active"] is True
    assert call(leaver_token, "get", "/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(verb="api_token.revoked").exists()


@pytest.mark.django_db
def test_an_admin_cannot_mark_themselves_left(world) -> None:  # type: ignore[no-untyped-def]
    raw = personal_token(world.admin)
    response = call(raw, "patch", f"/api/v1/people/{world.admin.pk}/", {"is_active": False})
    assert response.status_code == 400
    world.admin.refresh_from_db()
    assert world.admin.is_active


# ---------------------------------------------------------------------------------------------
# Upsert


@pytest.mark.django_db
def test_upsert_creates_updates_and_matches_by_external_id(world) -> None:  # type: ignore[no-untyped-def]
    raw = service_token(world.org)
    Person.objects.filter(pk=world.senior.pk).update(external_id="E-8")
    response = call(
        raw,
        "post",
        "/api/v1/people/upsert/",
        {
            "people": [
                {"external_id": "E-8", "email": "sam.new@northwind.test"},
                {"email": "KAI@northwind.test", "job_title": "Data analyst"},
                {"email": "zoe@northwind.test", "full_name": "Zoe Zed", "external_id": "E-9"},
                {"email": "mo@northwind.test"},
            ]
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (1, 2, 1)
    world.senior.refresh_from_db()
    assert world.senior.email == "sam.new@northwind.test"
    world.other_applicant.refresh_from_db()
    assert world.other_applicant.job_title == "Data analyst"
    assert Person.objects.get(external_id="E-9").full_name == "Zoe Zed"


@pytest.mark.django_db
def test_upsert_is_all_or_nothing(world) -> None:  # type: ignore[no-untyped-def]
    raw = service_token(world.org)
    response = call(
        raw,
        "post",
        "/api/v1/people/upsert/",
        {
            "people": [
                {"email": "good@northwind.test", "full_name": "Good Row"},
                {"email": "jess@northwind.test", "job_title": "Changed"},
                {"email": "broken", "full_name": "Bad Row"},
                {"email": "nameless@northwind.test"},
            ]
        },
    )
    assert response.status_code == 400
    error = error_of(response)
    assert [row["index"] for row in error["rows"]] == [2, 3]
    assert "email" in error["rows"][0]["fields"] and "full_name" in error["rows"][1]["fields"]
    assert not Person.objects.filter(email="good@northwind.test").exists()
    world.applicant.refresh_from_db()
    assert world.applicant.job_title != "Changed"


@pytest.mark.django_db
def test_upsert_refuses_the_same_person_twice(world) -> None:  # type: ignore[no-untyped-def]
    """Two rows for one address (in any case) used to create, then overwrite, one person."""
    response = call(
        service_token(world.org),
        "post",
        "/api/v1/people/upsert/",
        {
            "people": [
                {"email": "dup@northwind.test", "full_name": "First"},
                {"email": "DUP@northwind.test", "full_name": "Second"},
            ]
        },
    )
    assert response.status_code == 400, response.content
    rows = error_of(response)["rows"]
    assert rows[0]["index"] == 1 and "row 0" in rows[0]["fields"]["email"][0]
    assert not Person.objects.filter(email__iexact="dup@northwind.test").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"people": []}, {"people": "x"}, [1, 2]])
def test_upsert_refuses_a_bad_envelope(world, body: Any) -> None:  # type: ignore[no-untyped-def]
    response = call(service_token(world.org), "post", "/api/v1/people/upsert/", body)
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"


@pytest.mark.django_db
def test_upsert_refuses_more_than_500_rows(world) -> None:  # type: ignore[no-untyped-def]
    rows = [{"email": f"p{i}@northwind.test", "full_name": "P"} for i in range(501)]
    response = call(service_token(world.org), "post", "/api/v1/people/upsert/", {"people": rows})
    assert response.status_code == 400
    assert Person.objects.filter(organisation=world.org).count() == 6


# ---------------------------------------------------------------------------------------------
# Structure


@pytest.mark.django_db
def test_structure_create_and_rename(world) -> None:  # type: ignore[no-untyped-def]
    raw = service_token(world.org)
    made = call(raw, "post", "/api/v1/departments/", {"name": "Legal"})
    assert made.status_code == 201
    department = made.json()["id"]
    team = call(raw, "post", "/api/v1/teams/", {"name": "Contracts", "department": department})
    assert team.status_code == 201
    renamed = call(raw, "patch", f"/api/v1/teams/{team.json()['id']}/", {"name": "Deals"})
    assert renamed.json()["name"] == "Deals"
    again = call(raw, "post", "/api/v1/departments/", {"name": "legal"})
    assert again.status_code in (400, 409) and error_of(again)["message"]
    levels = call(raw, "get", "/api/v1/levels/").json()["results"]
    assert [lvl["rank"] for lvl in levels] == sorted(lvl["rank"] for lvl in levels)


# ---------------------------------------------------------------------------------------------
# Errors, limits and the schema


@pytest.mark.django_db
def test_unknown_api_paths_and_methods_answer_json(world) -> None:  # type: ignore[no-untyped-def]
    raw = service_token(world.org)
    missing = call(raw, "get", "/api/v1/nothing/here/")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    assert call(None, "get", "/api/v1/nothing/").status_code == 404
    wrong = call(raw, "put", "/api/v1/organisation/", {})
    assert wrong.status_code == 405 and error_of(wrong)["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_an_unexpected_error_is_a_bare_json_500(world, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from upward.api import views_people

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(views_people.OrganisationSerializer, "to_representation", boom)
    response = call(service_token(world.org), "get", "/api/v1/organisation/")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "server_error"
    assertNotContains(response, "secret", status_code=500)
    assert "secret detail" in caplog.text


@pytest.mark.django_db
def test_a_body_over_the_size_limit_is_a_json_413_not_a_500(world, settings) -> None:  # type: ignore[no-untyped-def]
    """An outside review sent 2.7 MB to the upsert with a mentor's token and got a 500."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    rows = [{"email": f"p{i}@northwind.test", "full_name": "x" * 50} for i in range(40)]
    response = call(service_token(world.org), "post", "/api/v1/people/upsert/", {"people": rows})
    assert response.status_code == 413, response.content
    assert error_of(response)["code"] == "too_large"
    assert Person.objects.filter(email__startswith="p0@").count() == 0


@pytest.mark.django_db
def test_rate_limit_answers_429_with_retry_after(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.UPWARD_RATE_LIMITS = True
    settings.API_RATE_LIMIT = "3/min"
    cache.clear()
    raw = service_token(world.org)
    other = service_token(world.org)
    for _ in range(3):
        assert call(raw, "get", "/api/v1/organisation/").status_code == 200
    limited = call(raw, "get", "/api/v1/organisation/")
    assert limited.status_code == 429
    assert error_of(limited)["code"] == "throttled"
    assert int(limited["Retry-After"]) > 0
    assert call(other, "get", "/api/v1/organisation/").status_code == 200  # per token
    cache.clear()


@pytest.mark.django_db
def test_rate_limit_uses_the_database_cache(world, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "upward_api_test_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    from django.core.cache import caches
    from rest_framework.throttling import SimpleRateThrottle

    original = SimpleRateThrottle.cache
    SimpleRateThrottle.cache = caches["default"]
    try:
        settings.UPWARD_RATE_LIMITS = True
        settings.API_RATE_LIMIT = "1/min"
        raw = personal_token(world.applicant)
        assert call(raw, "get", "/api/v1/me/").status_code == 200
        assert call(raw, "get", "/api/v1/me/").status_code == 429
        # Per person: the same person's session shares the count.
        assert world.client_for(world.applicant).get("/api/v1/me/").status_code == 429
    finally:
        SimpleRateThrottle.cache = original


@pytest.mark.django_db
def test_schema_is_valid_openapi_and_readable_with_a_token(world) -> None:  # type: ignore[no-untyped-def]
    response = call(service_token(world.org), "get", "/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)  # drf-spectacular's check against the OpenAPI 3 JSON schema
    try:
        from openapi_spec_validator import validate
    except ImportError:
        import schemathesis

        loaded = schemathesis.openapi.from_dict(schema)
        assert any(True for _ in loaded.get_all_operations())
    else:  # pragma: no cover (not installed here)
        validate(schema)
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "Error" in schema["components"]["schemas"]
    upsert = schema["paths"]["/api/v1/people/upsert/"]["post"]
    assert upsert["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert {"people", "structure", "me", "organisation"} <= {t["name"] for t in schema["tags"]}
    assert call(None, "get", "/api/schema/").status_code == 401


@pytest.mark.django_db
def test_an_unknown_time_zone_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    raw = service_token(world.org)
    response = call(raw, "patch", f"/api/v1/people/{world.senior.pk}/", {"time_zone": "Mars/Base"})
    assert response.status_code == 400 and "time_zone" in error_of(response)["fields"]
    world.senior.refresh_from_db()
    assert world.senior.time_zone == "Europe/London"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "page_size=null",
        "page_size=-1",
        "page_size=0",
        "page_size=201",
        "page_size=abc",
        "page=",
        "page=0",
        "page=-3",
        "page=abc",
        "updated_since=",
        "updated_since=yesterday",
        "is_active=maybe",
        "level=1.5",
        "department=x",
        "department=-1.2e32",
        "team=0",
        "level=99999999999999999999",
    ],
)
def test_bad_list_parameters_get_400(world, query: str) -> None:  # type: ignore[no-untyped-def]
    response = call(service_token(world.org), "get", f"/api/v1/people/?{query}")
    assert response.status_code == 400
    assert error_of(response)["fields"]


@pytest.mark.django_db
def test_an_id_of_no_object_matches_nothing(world) -> None:  # type: ignore[no-untyped-def]
    response = call(service_token(world.org), "get", "/api/v1/people/?level=999999999")
    assert response.status_code == 200 and response.json()["count"] == 0


@pytest.mark.django_db
def test_text_must_be_text_and_teams_stay_in_their_department(world) -> None:  # type: ignore[no-untyped-def]
    raw = service_token(world.org)
    number = call(raw, "post", "/api/v1/departments/", {"name": 7})
    assert number.status_code == 400 and "name" in error_of(number)["fields"]
    team = world.org.teams.first()
    moved = call(
        raw, "patch", f"/api/v1/teams/{team.pk}/", {"department": world.manager.department_id}
    )
    assert moved.status_code == 400 and "department" in error_of(moved)["fields"]
    form = Client().post("/api/v1/levels/", {"name": "Board"}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert form.status_code == 415 and error_of(form)["code"] == "unsupported_media_type"


@pytest.mark.django_db
def test_unknown_paths_answer_json_whatever_they_hold(world) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)  # a session without a CSRF token still gets JSON
    client.force_login(world.admin.user)
    odd = client.patch("/api/v1/levels/%C2%84/", data="{}", content_type="application/json")
    assert odd.status_code == 404 and error_of(odd)["code"] == "not_found"
    newline = client.get("/api/v1/departments/a%0Ab/")
    assert newline.status_code == 404 and error_of(newline)["code"] == "not_found"
