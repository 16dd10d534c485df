"""The people import applied as a background job: progress, the status page, one job at a
time per organisation, leavers, and a job that stops part-way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from upward.core.errors import DomainError
from upward.core.models import AuditEvent
from upward.organisations import services
from upward.organisations.models import PeopleImport, Person
from upward.organisations.signals import person_left

# Reports come before their line managers, and the chain crosses chunks of two.
FIVE = (
    "email,full_name,manager_email\n"
    "e@northwind.test,Eve Five,d@northwind.test\n"
    "d@northwind.test,Dan Four,c@northwind.test\n"
    "c@northwind.test,Cat Three,b@northwind.test\n"
    "b@northwind.test,Bo Two,a@northwind.test\n"
    "a@northwind.test,Al One,ada@northwind.test\n"
)


def start(world, text: str) -> PeopleImport:
    return services.start_people_import(
        world.org, by=world.admin.user, filename="people.csv", content=text.encode()
    )


def status_url(people_import: PeopleImport) -> str:
    return f"/people/import/{people_import.pk}/status/"


@pytest.fixture
def chunks_of_two(monkeypatch):
    monkeypatch.setattr(services, "IMPORT_CHUNK_SIZE", 2)


def test_confirming_queues_the_job_and_the_task_applies_it(
    world, django_capture_on_commit_callbacks
):
    people_import = start(world, FIVE)
    client = world.client_for(world.admin)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"/people/import/{people_import.pk}/apply/")
    assert response.status_code == 302
    assert response["Location"] == status_url(people_import)
    # Nothing is written inside the request: the task is only enqueued once it commits.
    people_import.refresh_from_db()
    assert people_import.status == PeopleImport.Status.QUEUED
    assert people_import.started_by == world.admin.user
    assert people_import.total_rows == 5 and people_import.processed_rows == 0
    assert not Person.objects.filter(email="a@northwind.test").exists()
    assert len(callbacks) == 1

    callbacks[0]()  # the immediate task backend runs the job here

    people_import.refresh_from_db()
    assert people_import.status == PeopleImport.Status.APPLIED
    assert (people_import.processed_rows, people_import.total_rows) == (5, 5)
    assert people_import.result == {"new": 5, "updated": 0, "unchanged": 0, "left": 0}
    manager = Person.objects.get(email="e@northwind.test").manager
    assert manager is not None and manager.email == "d@northwind.test"


def test_progress_moves_chunk_by_chunk_and_managers_are_written_first(world, chunks_of_two):
    people_import = start(world, FIVE)
    seen: list[tuple[int, int]] = []
    real_write_chunk = services._write_chunk

    def spy(organisation, rows, *args, **kwargs):
        stored = PeopleImport.objects.get(pk=people_import.pk)
        seen.append((stored.processed_rows, stored.total_rows))
        # Every manager named by a row of this chunk exists already, or is in this chunk.
        emails = {r.email for r in rows}
        for row in rows:
            manager = row.final["manager_email"]
            assert manager in emails or Person.objects.filter(email=manager).exists()
        return real_write_chunk(organisation, rows, *args, **kwargs)

    services._write_chunk = spy
    try:
        services.apply_people_import(people_import, by=world.admin.user)
    finally:
        services._write_chunk = real_write_chunk
    assert seen == [(0, 5), (2, 5), (4, 5)]
    people_import.refresh_from_db()
    assert people_import.percent_done == 100
    chain: Person | None = Person.objects.get(email="e@northwind.test")
    names = []
    while chain is not None:
        names.append(chain.full_name)
        chain = chain.manager
    assert names == ["Eve Five", "Dan Four", "Cat Three", "Bo Two", "Al One", "Ada Admin"]


def test_the_status_page_shows_progress_and_polls_while_the_job_runs(world):
    people_import = start(world, FIVE)
    services.queue_people_import(people_import, by=world.admin.user)
    # As the worker leaves it after two chunks of 2,000 rows out of 5,000.
    PeopleImport.objects.filter(pk=people_import.pk).update(
        status=PeopleImport.Status.RUNNING, total_rows=5000, processed_rows=4000
    )
    client = world.client_for(world.admin)
    response = client.get(status_url(people_import))
    assertContains(response, "Rows applied: 4,000 of 5,000 (80%)")
    assertContains(
        response,
        '<progress id="import-meter" class="import-progress__meter" max="5000" value="4000">',
    )
    assertContains(response, 'hx-trigger="every 2s"')
    assertContains(response, 'role="status" aria-live="polite"')
    assert response["Vary"].count("HX-Request") == 1

    fragment = client.get(status_url(people_import), headers={"HX-Request": "true"})
    assertContains(fragment, "Rows applied: 4,000 of 5,000", status_code=200)
    assertNotContains(fragment, "<html", status_code=200)


def test_polling_stops_with_the_summary_once_the_job_ends(world):
    people_import = start(world, FIVE)
    services.apply_people_import(people_import, by=world.admin.user)
    client = world.client_for(world.admin)
    fragment = client.get(status_url(people_import), headers={"HX-Request": "true"})
    # htmx stops polling on 286 and still swaps in the summary.
    assert fragment.status_code == 286
    assert "Import applied." in fragment.content.decode()
    page = client.get(status_url(people_import))
    assertContains(page, "Import applied.")
    # The heading says it is done, not "Applying".
    assertContains(page, f"<h1>Applied {people_import.filename}</h1>", html=True)
    assertNotContains(page, "hx-trigger", status_code=200)


@pytest.mark.parametrize("who", ["manager", "applicant", "senior", "outsider_admin"])
def test_only_the_organisations_admins_see_the_job(world, who):
    people_import = start(world, FIVE)
    client = world.client_for(getattr(world, who))
    assert client.get(status_url(people_import)).status_code == 404
    fragment = client.get(status_url(people_import), headers={"HX-Request": "true"})
    assert fragment.status_code == 404
    assert client.post(f"/people/import/{people_import.pk}/apply/").status_code == 404
    people_import.refresh_from_db()
    assert people_import.status == PeopleImport.Status.READY


def test_a_second_apply_for_the_same_organisation_waits_for_the_first(world):
    first = start(world, FIVE)
    services.queue_people_import(first, by=world.admin.user)
    second = start(world, "email,full_name\nz@northwind.test,Zed\n")
    client = world.client_for(world.admin)
    response = client.post(f"/people/import/{second.pk}/apply/", follow=True)
    assertContains(response, "“people.csv” is being applied to this directory now.")
    second.refresh_from_db()
    assert second.status == PeopleImport.Status.READY
    # The database holds the rule even for code that skips the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        PeopleImport.objects.filter(pk=second.pk).update(status=PeopleImport.Status.RUNNING)
    # Once the first has run, the second may go.
    services.run_people_import(first.pk)
    services.apply_people_import(second, by=world.admin.user)
    assert Person.objects.filter(email="z@northwind.test").exists()


def test_another_organisation_can_apply_at_the_same_time(world):
    first = start(world, FIVE)
    services.queue_people_import(first, by=world.admin.user)
    theirs = services.start_people_import(
        world.outsider_admin.organisation,
        by=world.outsider_admin.user,
        filename="theirs.csv",
        content=b"email,full_name\nnew@elsewhere.test,New There\n",
    )
    services.apply_people_import(theirs, by=world.outsider_admin.user)
    theirs.refresh_from_db()
    assert theirs.status == PeopleImport.Status.APPLIED


def test_a_job_whose_worker_died_no_longer_blocks_the_directory(world):
    first = start(world, FIVE)
    services.queue_people_import(first, by=world.admin.user)
    PeopleImport.objects.filter(pk=first.pk).update(
        status=PeopleImport.Status.RUNNING,
        processed_rows=2,
        progress_at=timezone.now() - dt.timedelta(hours=1),
    )
    second = start(world, "email,full_name\nz@northwind.test,Zed\n")
    services.apply_people_import(second, by=world.admin.user)
    first.refresh_from_db()
    assert first.status == PeopleImport.Status.FAILED
    assert "stopped answering" in first.error
    assert first.rows == []


def test_a_job_that_fails_part_way_keeps_earlier_chunks_and_says_how_far_it_got(
    world, chunks_of_two
):
    people_import = start(world, FIVE)
    real_write_chunk = services._write_chunk
    calls = []

    def fail_on_the_second_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_write_chunk(*args, **kwargs)

    services._write_chunk = fail_on_the_second_chunk
    try:
        with pytest.raises(Exception, match="stopped after 2 of 5 rows"):
            services.apply_people_import(people_import, by=world.admin.user)
    finally:
        services._write_chunk = real_write_chunk

    people_import.refresh_from_db()
    assert people_import.status == PeopleImport.Status.FAILED
    assert (people_import.processed_rows, people_import.result["new"]) == (2, 2)
    # The first chunk (the two most senior, managers first) is in; nothing of the second is.
    assert sorted(
        Person.objects.filter(email__in=["a@northwind.test", "b@northwind.test"]).values_list(
            "email", flat=True
        )
    ) == ["a@northwind.test", "b@northwind.test"]
    assert not Person.objects.filter(
        email__in=["c@northwind.test", "d@northwind.test", "e@northwind.test"]
    ).exists()
    assert AuditEvent.objects.filter(verb="people_import.failed").exists()

    page = world.client_for(world.admin).get(status_url(people_import))
    assertContains(page, "This import stopped before the end.")
    assertContains(page, "Rows applied: 2 of 5.")
    assertContains(page, "Upload the file again")

    # Uploading the same file again applies the rest; the rows already in are unchanged.
    again = start(world, FIVE)
    assert again.counts == {"new": 3, "updated": 0, "unchanged": 2, "errors": 0}
    services.apply_people_import(again, by=world.admin.user)
    manager = Person.objects.get(email="c@northwind.test").manager
    assert manager is not None and manager.email == "b@northwind.test"


def test_leavers_go_through_the_leaver_flow_and_are_counted(world):
    heard = []

    def listener(sender, person, by, **kwargs):
        heard.append(person.email)

    person_left.connect(listener)
    try:
        people_import = start(
            world,
            f"email,full_name,active\n{world.applicant.email},{world.applicant.full_name},no\n",
        )
        services.apply_people_import(people_import, by=world.admin.user)
    finally:
        person_left.disconnect(listener)
    assert heard == [world.applicant.email]
    people_import.refresh_from_db()
    assert people_import.result == {"new": 0, "updated": 1, "unchanged": 0, "left": 1}
    world.applicant.refresh_from_db()
    assert not world.applicant.is_active


def test_a_refused_apply_goes_back_to_the_preview_with_the_reason(
    world, django_capture_on_commit_callbacks
):
    people_import = start(world, FIVE)
    # Someone adds Al by hand after the preview: he is no longer new.
    services.create_person(
        world.org,
        by=world.admin.user,
        details=services.PersonDetails(email="a@northwind.test", full_name="Al Uno"),
    )
    client = world.client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/people/import/{people_import.pk}/apply/")
    people_import.refresh_from_db()
    assert people_import.status == PeopleImport.Status.READY
    assert people_import.processed_rows == 0
    page = client.get(status_url(people_import))
    assertContains(page, "Nothing was imported.")
    assertContains(page, "The directory changed since the preview.")
    preview = client.get(f"/people/import/{people_import.pk}/")
    assertContains(preview, "The directory changed since the preview.")
    assertContains(preview, "Apply import")
    assert not Person.objects.filter(email="e@northwind.test").exists()


def test_a_job_marked_as_stopped_meanwhile_writes_no_more_chunks(world, chunks_of_two):
    people_import = start(world, FIVE)
    real_write_chunk = services._write_chunk

    def stopped_after_the_first(*args, **kwargs):
        written = real_write_chunk(*args, **kwargs)
        # Another admin's apply found this job stale and marked it as stopped.
        PeopleImport.objects.filter(pk=people_import.pk).update(status=PeopleImport.Status.FAILED)
        return written

    services._write_chunk = stopped_after_the_first
    try:
        with pytest.raises(DomainError, match="stopped before it finished"):
            services.apply_people_import(people_import, by=world.admin.user)
    finally:
        services._write_chunk = real_write_chunk
    people_import.refresh_from_db()
    assert people_import.status == PeopleImport.Status.FAILED
    assert people_import.processed_rows == 2
    assert (
        Person.objects.filter(
            email__endswith="@northwind.test", full_name__in=["Al One", "Bo Two"]
        ).count()
        == 2
    )
    assert not Person.objects.filter(email="c@northwind.test").exists()
