"""The directory pages: who may see them, what they show, and bad input."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from pytest_django.asserts import assertNotContains

from upward.core.models import AuditEvent
from upward.organisations.models import PeopleImport, Person
from upward.testing.factories import PersonFactory, level

ADMIN_ONLY_GETS = [
    "/people/",
    "/people/new/",
    "/people/import/",
    "/people/import/template.csv",
    "/people/setup/",
]


@pytest.mark.parametrize("url", ADMIN_ONLY_GETS)
@pytest.mark.parametrize("who", ["manager", "other_manager", "applicant", "senior"])
def test_non_admins_get_404(world, url, who):
    assert world.client_for(getattr(world, who)).get(url).status_code == 404


@pytest.mark.parametrize("url", ADMIN_ONLY_GETS)
def test_anonymous_is_sent_to_sign_in(world, url):
    response = world.client_for(None).get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_person_pages_of_another_organisation_are_404_for_its_admin(world):
    client = world.client_for(world.outsider_admin)
    pk = world.applicant.pk
    for url in (f"/people/{pk}/", f"/people/{pk}/edit/", f"/people/{pk}/leave/"):
        assert client.get(url).status_code == 404
    response = client.post(f"/people/{pk}/edit/", {"full_name": "Hacked", "email": "x@y.z"})
    assert response.status_code == 404
    assert client.post(f"/people/{pk}/leave/").status_code == 404
    assert client.post(f"/people/{pk}/invite/").status_code == 404
    world.applicant.refresh_from_db()
    assert world.applicant.full_name == "Jess Junior" and world.applicant.is_active


def test_a_missing_person_is_404_like_someone_elses(world):
    assert world.client_for(world.admin).get("/people/999999/").status_code == 404


def test_list_shows_only_own_organisation(world):
    response = world.client_for(world.admin).get("/people/")
    body = response.content.decode()
    assert "Jess Junior" in body and "Sam Senior" in body
    assertNotContains(response, "Oscar Outsider")
    # The other organisation's admin sees their own directory, and nothing of ours.
    body_response = world.client_for(world.outsider_admin).get("/people/", {"status": "all"})
    body = body_response.content.decode()
    assert "Oscar Outsider" in body
    assertNotContains(body_response, "Jess Junior")
    assertNotContains(body_response, "Ada Admin")


def test_list_search_and_filters(world):
    client = world.client_for(world.admin)
    response = client.get("/people/", {"q": "jess@"})
    body = response.content.decode()
    assert "Jess Junior" in body
    assertNotContains(response, "Sam Senior")
    body_response = client.get("/people/", {"level": level(world.org, 8).pk})
    body = body_response.content.decode()
    assert "Sam Senior" in body
    assertNotContains(body_response, "Jess Junior")
    dept = world.applicant.department
    body_response = client.get("/people/", {"department": dept.pk, "status": "all"})
    body = body_response.content.decode()
    assert "Jess Junior" in body
    assertNotContains(body_response, "Kai Keen")


def test_list_hides_leavers_by_default_and_shows_them_on_request(world):
    world.senior.is_active = False
    world.senior.save()
    client = world.client_for(world.admin)
    assertNotContains(client.get("/people/"), "Sam Senior")
    assert "Sam Senior" in client.get("/people/", {"status": "left"}).content.decode()


def test_list_ignores_bad_filter_values(world):
    client = world.client_for(world.admin)
    response = client.get(
        "/people/", {"level": "abc", "department": "99999", "status": "x", "page": "zz"}
    )
    assert response.status_code == 200
    assert "Jess Junior" in response.content.decode()


def test_list_of_another_organisations_level_is_not_a_filter(world):
    other_level = level(world.outsider_admin.organisation, 7)
    response = world.client_for(world.admin).get("/people/", {"level": other_level.pk})
    assert response.status_code == 200  # ignored, not an error or a leak


def test_list_query_count_is_flat_and_paginates_at_50(world, django_assert_max_num_queries):
    manager = world.senior
    PersonFactory.create_batch(
        70, organisation=world.org, manager=manager, department=world.applicant.department
    )
    client = world.client_for(world.admin)
    with django_assert_max_num_queries(12):
        response = client.get("/people/")
    assert response.status_code == 200
    assert len(response.context["people"]) == 50
    assert response.context["page_obj"].paginator.count == 76
    with django_assert_max_num_queries(12):
        second = client.get("/people/", {"page": 2})
    assert second.status_code == 200
    assert len(second.context["people"]) == 26


def test_htmx_search_returns_the_results_fragment(world):
    response = world.client_for(world.admin).get(
        "/people/", {"q": "kai"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "HX-Request" in response["Vary"]
    assert 'id="people-results"' in body and "Kai Keen" in body
    assertNotContains(response, "<html")
    assertNotContains(response, "Jess Junior")
    full = world.client_for(world.admin).get("/people/")
    assert "HX-Request" in full["Vary"] and "<html" in full.content.decode()


def test_empty_search_says_what_to_do(world):
    body = world.client_for(world.admin).get("/people/", {"q": "nobody-like-this"}).content.decode()
    assert "No one matches" in body and "Clear filters" in body


# ---------------------------------------------------------------------------------------------
# Add and edit


def person_data(world, **overrides):
    data = {
        "full_name": "Nia New",
        "email": "nia@northwind.test",
        "job_title": "Apprentice",
        "level": level(world.org, 1).pk,
        "department": world.applicant.department.pk,
        "team": "",
        "manager_email": "ada@northwind.test",
        "location": "Cardiff",
        "time_zone": "Europe/London",
        "start_date": "2024-02-01",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_admin_adds_a_person(world):
    response = world.client_for(world.admin).post("/people/new/", person_data(world))
    nia = Person.objects.get(email="nia@northwind.test")
    assert response.status_code == 302 and response["Location"] == f"/people/{nia.pk}/"
    assert nia.organisation == world.org and nia.manager == world.admin
    assert AuditEvent.objects.filter(verb="person.created", object_id=str(nia.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "JESS@northwind.test"}, "email", "already has the email"),
        ({"email": "not an email"}, "email", "valid email"),
        ({"full_name": ""}, "full_name", "required"),
        ({"manager_email": "oscar@elsewhere.test"}, "manager_email", "No one in your directory"),
        ({"time_zone": "Mars/Base"}, "time_zone", "Select a valid choice"),
        ({"start_date": "31/02/2024"}, "start_date", "valid date"),
        ({"level": "999999"}, "level", "Select a valid choice"),
        ({"team": "999999"}, "team", "Select a valid choice"),
    ],
)
def test_bad_person_input_gives_a_clear_message(world, overrides, field, message):
    response = world.client_for(world.admin).post("/people/new/", person_data(world, **overrides))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors, response.context["form"].errors
    assert not Person.objects.filter(full_name="Nia New").exists()


def test_another_organisations_level_cannot_be_chosen(world):
    other_level = level(world.outsider_admin.organisation, 2)
    response = world.client_for(world.admin).post(
        "/people/new/", person_data(world, level=other_level.pk)
    )
    assert "level" in response.context["form"].errors


def test_team_must_belong_to_the_department(world):
    platform = world.org.teams.get(name="Platform")  # a team of Digital
    finance = world.manager.department
    response = world.client_for(world.admin).post(
        "/people/new/", person_data(world, department=finance.pk, team=platform.pk)
    )
    assert "is a team of Digital" in " ".join(response.context["form"].errors["team"])


def test_edit_refuses_a_manager_who_reports_to_the_person(world):
    client = world.client_for(world.admin)
    # Jess reports to Sam; making Sam report to Jess would be a loop.
    data = person_data(
        world,
        full_name="Jess Junior",
        email="jess@northwind.test",
        manager_email="sam@northwind.test",
    )
    assert client.post(f"/people/{world.applicant.pk}/edit/", data).status_code == 302
    data = person_data(
        world,
        full_name="Sam Senior",
        email="sam@northwind.test",
        manager_email="jess@northwind.test",
    )
    response = client.post(f"/people/{world.senior.pk}/edit/", data)
    assert response.status_code == 200
    assert "loop" in " ".join(response.context["form"].errors["manager_email"])
    world.senior.refresh_from_db()
    assert world.senior.manager is None


def test_edit_refuses_self_as_manager(world):
    data = person_data(
        world,
        full_name="Jess Junior",
        email="jess@northwind.test",
        manager_email="jess@northwind.test",
    )
    response = world.client_for(world.admin).post(f"/people/{world.applicant.pk}/edit/", data)
    assert "own line manager" in " ".join(response.context["form"].errors["manager_email"])


def test_admin_cannot_remove_their_own_admin_rights(world):
    data = person_data(world, full_name="Ada Admin", email="ada@northwind.test", manager_email="")
    response = world.client_for(world.admin).post(f"/people/{world.admin.pk}/edit/", data)
    assert response.status_code == 200
    assert "own admin rights" in " ".join(response.context["form"].errors["is_org_admin"])
    world.admin.refresh_from_db()
    assert world.admin.is_org_admin


def test_edit_form_is_prefilled(world):
    response = world.client_for(world.admin).get(f"/people/{world.applicant.pk}/edit/")
    form = response.context["form"]
    assert form.initial["email"] == "jess@northwind.test"
    assert form.initial["level"] == world.applicant.level_id


# ---------------------------------------------------------------------------------------------
# Detail, leaving, invitations


def test_detail_shows_reporting_line_and_direct_reports(world, django_assert_max_num_queries):
    world.applicant.manager = world.manager
    world.applicant.save()
    world.manager.manager = world.senior
    world.manager.save()
    client = world.client_for(world.admin)
    with django_assert_max_num_queries(12):
        response = client.get(f"/people/{world.manager.pk}/")
    assert response.status_code == 200
    assert [p.pk for p in response.context["reporting_line"]] == [world.senior.pk]
    assert [p.pk for p in response.context["reports"]] == [world.applicant.pk]
    line = client.get(f"/people/{world.applicant.pk}/").context["reporting_line"]
    assert [p.pk for p in line] == [world.manager.pk, world.senior.pk]


def test_mark_left_needs_confirmation_then_back(world):
    client = world.client_for(world.admin)
    confirm = client.get(f"/people/{world.applicant.pk}/leave/")
    assert "Mark Jess Junior as having left?" in confirm.content.decode()
    world.applicant.refresh_from_db()
    assert world.applicant.is_active
    client.post(f"/people/{world.applicant.pk}/leave/")
    world.applicant.refresh_from_db()
    assert not world.applicant.is_active
    client.post(f"/people/{world.applicant.pk}/back/")
    world.applicant.refresh_from_db()
    assert world.applicant.is_active


def test_admin_cannot_mark_themselves_as_left(world):
    response = world.client_for(world.admin).post(f"/people/{world.admin.pk}/leave/", follow=True)
    assert "cannot mark yourself as left" in response.content.decode()
    world.admin.refresh_from_db()
    assert world.admin.is_active


def test_invite_to_upward_sends_an_email(world, django_capture_on_commit_callbacks):
    nia = PersonFactory(organisation=world.org, email="nia@northwind.test", full_name="Nia New")
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client_for(world.admin).post(f"/people/{nia.pk}/invite/", follow=True)
    assert "We emailed Nia New an invitation" in response.content.decode()
    assert mail.outbox[0].to == ["nia@northwind.test"]


def test_invite_someone_with_an_account_shows_the_reason(world):
    response = world.client_for(world.admin).post(
        f"/people/{world.applicant.pk}/invite/", follow=True
    )
    assert "already has an Upward account" in response.content.decode()
    assert mail.outbox == []


def test_post_only_actions_refuse_get(world):
    client = world.client_for(world.admin)
    assert client.get(f"/people/{world.applicant.pk}/invite/").status_code == 405
    assert client.get(f"/people/{world.applicant.pk}/back/").status_code == 405


# ---------------------------------------------------------------------------------------------
# Import pages


def upload(client, name, content):
    return client.post("/people/import/", {"file": SimpleUploadedFile(name, content)})


def test_import_upload_preview_confirm(world, django_capture_on_commit_callbacks):
    client = world.client_for(world.admin)
    response = upload(
        client,
        "people.csv",
        b"email,full_name,level,department,manager_email\n"
        b"nia@northwind.test,Nia New,1,Research,ada@northwind.test\n"
        b"jess@northwind.test,Jess Junior,3,Digital,\n",
    )
    people_import = PeopleImport.objects.get()
    assert response["Location"] == f"/people/import/{people_import.pk}/"
    body = client.get(response["Location"]).content.decode()
    assert "New departments will be created: Research." in body
    assert "Nia New" in body and "2 Associate → 3 Analyst" in body
    assert not Person.objects.filter(email="nia@northwind.test").exists()

    # The apply runs as a background task (inline in tests, once the request commits).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/people/import/{people_import.pk}/apply/")
    assert response["Location"] == f"/people/import/{people_import.pk}/status/"
    applied = client.get(response["Location"])
    assert applied.status_code == 200
    assert "Import applied." in applied.content.decode()
    assert [(s["label"], s["value"]) for s in _stats(applied)] == [
        ("people added", "1"),
        ("updated", "1"),
        ("of them marked as left", "0"),
        ("unchanged", "0"),
    ]
    department = Person.objects.get(email="nia@northwind.test").department
    assert department is not None and department.name == "Research"


def test_import_preview_lists_row_errors_and_offers_no_apply(world):
    client = world.client_for(world.admin)
    upload(client, "people.csv", b"email,full_name,level\nw@northwind.test,Wiz,Senior Wizard\n")
    people_import = PeopleImport.objects.get()
    response = client.get(f"/people/import/{people_import.pk}/")
    body = response.content.decode()
    assert "Row 2: level “Senior Wizard” does not exist." in body
    assertNotContains(response, "Apply import")
    client.post(f"/people/import/{people_import.pk}/apply/")
    assert not Person.objects.filter(email="w@northwind.test").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.pdf", b"%PDF", "Upload a CSV"),
        ("people.csv", b"", "empty"),
        ("people.csv", b"who,what\nA,B\n", "Required columns are missing: email, full_name"),
    ],
)
def test_import_bad_files_show_a_form_error(world, name, content, message):
    response = upload(world.client_for(world.admin), name, content)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not PeopleImport.objects.exists()


def test_import_without_a_file_is_a_form_error(world):
    response = world.client_for(world.admin).post("/people/import/", {})
    assert response.status_code == 200 and "file" in response.context["form"].errors


def test_import_xlsx_through_the_page(world):
    book = Workbook()
    book.active.append(["Email", "Full name"])
    book.active.append(["xl@northwind.test", "Xan Lee"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload(world.client_for(world.admin), "people.xlsx", buffer.getvalue())
    assert PeopleImport.objects.get().counts["new"] == 1


def test_imports_of_another_organisation_are_404(world):
    upload(world.client_for(world.admin), "p.csv", b"email,full_name\nn@northwind.test,N\n")
    people_import = PeopleImport.objects.get()
    outsider = world.client_for(world.outsider_admin)
    assert outsider.get(f"/people/import/{people_import.pk}/").status_code == 404
    assert outsider.post(f"/people/import/{people_import.pk}/apply/").status_code == 404
    assert outsider.post(f"/people/import/{people_import.pk}/cancel/").status_code == 404
    assert (
        world.client_for(world.manager).get(f"/people/import/{people_import.pk}/").status_code
        == 404
    )
    assert not Person.objects.filter(email="n@northwind.test").exists()


def test_import_page_links_the_template_and_lists_history(world, django_assert_max_num_queries):
    client = world.client_for(world.admin)
    for i in range(3):
        upload(client, f"p{i}.csv", b"email,full_name\nn@northwind.test,N\n")
    with django_assert_max_num_queries(10):
        response = client.get("/people/import/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Download a template CSV" in body
    assert "p0.csv" in body and "p2.csv" in body


def test_template_csv_imports_cleanly(world):
    client = world.client_for(world.admin)
    template = client.get("/people/import/template.csv")
    assert template["Content-Type"].startswith("text/csv")
    upload(client, "template.csv", template.content)
    people_import = PeopleImport.objects.get()
    assert people_import.preview["errors"] == []
    assert people_import.counts["new"] == 2


def _stats(response):
    import re

    body = response.content.decode()
    return [
        {"value": value, "label": label}
        for value, label in re.findall(
            r'<span class="stat__value">([^<]*)</span><span class="stat__label">([^<]*)</span>',
            body,
        )
    ]
