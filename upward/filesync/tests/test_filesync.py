"""File sync: fetching from the shared folder or a web address, the dry run, leavers, the
automatic apply and its limits, the schedule, the settings page and its secret."""

from __future__ import annotations

import datetime as dt
import os
import socket
import time

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from upward.core.errors import Conflict
from upward.core.models import AuditEvent
from upward.core.testing.recorder import Recorder
from upward.filesync import services
from upward.filesync.models import FileSource, FileSyncRun
from upward.notifications.scheduled import registered_jobs
from upward.organisations.models import PeopleImport, Person

HEADER = "email,full_name,job_title\n"
NOT_FOUND = (
    "No file matching “%s” was found in your organisation's folder (northwind/ in the shared "
    "folder)."
)


def directory_csv(org, *, skip: tuple[str, ...] = (), title: str = "", extra: str = "") -> str:
    """Everyone active in the organisation, as the HR export would list them."""
    lines = [HEADER]
    for person in Person.objects.filter(organisation=org, is_active=True).order_by("email"):
        if person.email in skip:
            continue
        lines.append(f"{person.email},{person.full_name},{title or person.job_title}\n")
    return "".join(lines) + extra


@pytest.fixture
def folder(tmp_path, settings, world):
    """The organisation's own folder, <root>/<slug>/, as the operator creates it."""
    root = tmp_path / "share"
    root.mkdir()
    settings.FILESYNC_ROOT = str(root)
    (root / world.org.slug).mkdir()
    return root / world.org.slug


def make_source(world, **fields) -> FileSource:
    values = {"kind": FileSource.Kind.FOLDER, "path": "people.csv", "time_zone": "UTC"}
    values.update(fields)
    return FileSource.objects.create(organisation=world.org, **values)


def run_now(source: FileSource, *, trigger=FileSyncRun.Trigger.MANUAL, by=None) -> FileSyncRun:
    run = services.start_run(source, trigger=trigger, by=by)
    services.execute_run(run.pk)
    run.refresh_from_db()
    return run


def imported(run: FileSyncRun) -> PeopleImport:
    assert run.people_import is not None
    return run.people_import


def directory(org) -> list[tuple]:
    return list(
        Person.objects.filter(organisation=org)
        .order_by("email")
        .values_list("email", "full_name", "job_title", "is_active", "updated_at")
    )


# ---------------------------------------------------------------------------------------------
# The shared folder


def test_the_newest_matching_file_is_previewed_and_nothing_changes(world, folder):
    old = folder / "people-2026-01.csv"
    old.write_text(directory_csv(world.org, title="Old title"))
    new = folder / "people-2026-02.csv"
    new.write_text(directory_csv(world.org, extra="new@northwind.test,Nia New,Analyst\n"))
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    (folder / "other.csv").write_text(directory_csv(world.org, title="Not me"))
    before = directory(world.org)

    run = run_now(make_source(world, path="people-*.csv"), by=world.admin.user)

    assert run.status == FileSyncRun.Status.PREVIEW
    assert run.filename == "people-2026-02.csv"
    assert imported(run).status == PeopleImport.Status.READY
    assert run.counts == {"new": 1, "updated": 0, "unchanged": 6, "errors": 0}
    assert directory(world.org) == before


@pytest.mark.parametrize("pattern", ["../secret.csv", "/etc/passwd", "a/../../x.csv", "**/*.csv"])
def test_a_path_outside_the_folder_is_refused(world, folder, pattern):
    (folder.parent / "secret.csv").write_text(directory_csv(world.org))
    run = run_now(make_source(world, path=pattern))
    assert run.status == FileSyncRun.Status.FAILED
    assert "inside your organisation's folder" in run.error
    assert run.people_import is None


def test_a_link_escaping_the_folder_is_refused(world, folder):
    outside = folder.parent / "elsewhere.csv"
    outside.write_text(directory_csv(world.org, extra="new@northwind.test,Nia New,Analyst\n"))
    (folder / "people.csv").symlink_to(outside)
    run = run_now(make_source(world))
    assert run.status == FileSyncRun.Status.FAILED
    assert run.error == NOT_FOUND % "people.csv"
    assert not PeopleImport.objects.filter(organisation=world.org).exists()


def test_a_link_inside_the_folder_is_followed(world, folder):
    (folder / "exports").mkdir()
    (folder / "exports" / "today.csv").write_text(directory_csv(world.org))
    (folder / "people.csv").symlink_to(folder / "exports" / "today.csv")
    assert run_now(make_source(world)).status == FileSyncRun.Status.UNCHANGED


def test_a_missing_file_is_a_clear_run_error(world, folder):
    run = run_now(make_source(world, path="people-*.csv"))
    assert run.status == FileSyncRun.Status.FAILED
    assert run.error == NOT_FOUND % "people-*.csv"
    assert run.finished_at is not None


def test_no_folder_configured_is_a_clear_run_error(world, settings):
    settings.FILESYNC_ROOT = ""
    run = run_now(make_source(world))
    assert "UPWARD_FILESYNC_ROOT" in run.error


def test_a_file_without_the_headings_is_a_clear_run_error(world, folder):
    (folder / "people.csv").write_text("mail,nom\nx@northwind.test,X\n")
    run = run_now(make_source(world))
    assert run.status == FileSyncRun.Status.FAILED
    assert "Required columns are missing: email, full_name" in run.error


def test_a_file_too_big_is_refused_before_reading(world, folder, settings):
    settings.FILESYNC_MAX_BYTES = 100
    (folder / "people.csv").write_text(directory_csv(world.org))
    run = run_now(make_source(world))
    assert run.status == FileSyncRun.Status.FAILED
    assert "larger than" in run.error


def test_an_unreadable_file_is_a_clear_run_error(world, folder):
    (folder / "people.csv").write_bytes(b"PK\x03\x04 not really a zip")
    run = run_now(make_source(world, file_format=FileSource.Format.XLSX))
    assert run.status == FileSyncRun.Status.FAILED
    assert "could not be opened" in run.error


# ---------------------------------------------------------------------------------------------
# A web address, against a real local server


def url_source(world, server: Recorder, **fields) -> FileSource:
    return make_source(world, kind=FileSource.Kind.URL, url=server.url("/hr/people.csv"), **fields)


def test_the_download_sends_the_stored_authorization(world):
    with Recorder() as server:
        server.default.body = directory_csv(world.org, extra="new@northwind.test,N,A\n").encode()
        run = run_now(url_source(world, server, auth_header="Bearer s3cret"))
    assert server.requests[0].header("Authorization") == "Bearer s3cret"
    assert server.requests[0].path == "/hr/people.csv"
    assert run.status == FileSyncRun.Status.PREVIEW
    assert run.counts["new"] == 1


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (404, "Nothing was found at the address (HTTP 404)"),
        (500, "had a problem (HTTP 500)"),
        (401, "refused access (HTTP 401)"),
    ],
)
def test_an_error_answer_is_a_clear_run_error_and_changes_nothing(world, status, words):
    before = directory(world.org)
    with Recorder() as server:
        server.reply(status, "nope")
        run = run_now(url_source(world, server))
    assert run.status == FileSyncRun.Status.FAILED
    assert words in run.error
    assert directory(world.org) == before


def test_a_download_too_big_is_refused(world, settings):
    settings.FILESYNC_MAX_BYTES = 50
    with Recorder() as server:
        server.default.body = directory_csv(world.org).encode()
        run = run_now(url_source(world, server))
    assert run.status == FileSyncRun.Status.FAILED
    assert "larger than" in run.error


def test_a_redirect_is_not_followed(world):
    with Recorder() as server:
        server.reply(302, "", headers={"Location": "http://169.254.169.254/latest"})
        run = run_now(url_source(world, server))
    assert run.status == FileSyncRun.Status.FAILED
    assert "redirect" in run.error
    assert len(server.requests) == 1


def test_a_server_that_never_answers_times_out(world, settings):
    settings.FILESYNC_TIMEOUT_SECONDS = 0.5
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    try:
        source = make_source(
            world, kind=FileSource.Kind.URL, url=f"http://127.0.0.1:{silent.getsockname()[1]}/p"
        )
        before = directory(world.org)
        run = run_now(source)
    finally:
        silent.close()
    assert run.status == FileSyncRun.Status.FAILED
    assert "did not answer within" in run.error
    assert directory(world.org) == before


def test_a_private_address_is_refused_when_the_operator_does_not_allow_it(world, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    with Recorder() as server:
        run = run_now(url_source(world, server))
    assert run.status == FileSyncRun.Status.FAILED
    assert not server.requests


# ---------------------------------------------------------------------------------------------
# Leavers, the automatic apply and its limits


def test_people_missing_from_the_file_stay_unless_switched_on(world, folder):
    (folder / "people.csv").write_text(directory_csv(world.org, skip=("kai@northwind.test",)))
    run = run_now(make_source(world), trigger=FileSyncRun.Trigger.SCHEDULE)
    assert run.status == FileSyncRun.Status.UNCHANGED
    assert Person.objects.get(email="kai@northwind.test").is_active


def test_people_missing_from_the_file_leave_when_switched_on(world, folder):
    (folder / "people.csv").write_text(directory_csv(world.org, skip=("kai@northwind.test",)))
    source = make_source(world, missing_have_left=True, auto_apply=True)
    run = run_now(source, trigger=FileSyncRun.Trigger.SCHEDULE)
    assert run.status == FileSyncRun.Status.APPLIED, run.held_because
    assert imported(run).preview["leaving"] == 1
    kai = Person.objects.get(email="kai@northwind.test")
    assert not kai.is_active and kai.left_on is not None
    assert Person.objects.filter(organisation=world.org, is_active=True).count() == 5


def test_a_manual_check_never_marks_the_checking_admin_as_left(world, folder):
    (folder / "people.csv").write_text(directory_csv(world.org, skip=("ada@northwind.test",)))
    run = run_now(make_source(world, missing_have_left=True), by=world.admin.user)
    assert run.status == FileSyncRun.Status.UNCHANGED


def test_a_leaver_found_only_by_external_id_is_matched_not_left(world, folder):
    Person.objects.filter(email="kai@northwind.test").update(external_id="E-77")
    text = directory_csv(world.org, skip=("kai@northwind.test",))
    text = text.replace(HEADER, "email,full_name,job_title,external_id\n")
    text += "kai.keen@northwind.test,Kai Keen,Analyst,E-77\n"
    (folder / "people.csv").write_text(text)
    source = make_source(world, missing_have_left=True, auto_apply=True)
    run = run_now(source, trigger=FileSyncRun.Trigger.SCHEDULE)
    assert run.status == FileSyncRun.Status.APPLIED, run.held_because
    kai = Person.objects.get(external_id="E-77")
    assert kai.email == "kai.keen@northwind.test" and kai.is_active


def test_changes_within_the_limits_are_applied(world, folder):
    (folder / "people.csv").write_text(directory_csv(world.org, title="Renamed"))
    source = make_source(world, auto_apply=True, max_changes=6)
    run = run_now(source, trigger=FileSyncRun.Trigger.SCHEDULE)
    assert run.status == FileSyncRun.Status.APPLIED
    assert set(
        Person.objects.filter(organisation=world.org).values_list("job_title", flat=True)
    ) == {"Renamed"}
    assert not mail.outbox


def test_too_many_changes_wait_for_an_admin_who_is_emailed(
    world, folder, django_capture_on_commit_callbacks
):
    (folder / "people.csv").write_text(directory_csv(world.org, title="Renamed"))
    source = make_source(world, auto_apply=True, max_changes=5)
    before = directory(world.org)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_now(source, trigger=FileSyncRun.Trigger.SCHEDULE)
    assert run.status == FileSyncRun.Status.WAITING
    assert "adds or changes 6 people, more than the 5 allowed" in run.held_because
    assert imported(run).status == PeopleImport.Status.READY
    assert directory(world.org) == before
    assert [m.to for m in mail.outbox] == [["ada@northwind.test"]]
    assert f"/people/import/{imported(run).pk}/" in str(mail.outbox[0].body)


def test_too_many_leavers_wait_for_an_admin(world, folder):
    (folder / "people.csv").write_text(
        directory_csv(world.org, skip=("kai@northwind.test", "sam@northwind.test"))
    )
    source = make_source(world, missing_have_left=True, auto_apply=True, max_leavers=1)
    run = run_now(source, trigger=FileSyncRun.Trigger.SCHEDULE)
    assert run.status == FileSyncRun.Status.WAITING
    assert "marks 2 people as left" in run.held_because
    assert Person.objects.get(email="sam@northwind.test").is_active


def test_auto_apply_off_always_waits(world, folder):
    (folder / "people.csv").write_text(directory_csv(world.org, title="Renamed"))
    run = run_now(make_source(world), trigger=FileSyncRun.Trigger.SCHEDULE)
    assert run.status == FileSyncRun.Status.WAITING


def test_a_file_with_row_errors_changes_nothing(world, folder):
    (folder / "people.csv").write_text(directory_csv(world.org, extra="bad@,Bad,Row\n"))
    run = run_now(make_source(world, auto_apply=True), trigger=FileSyncRun.Trigger.SCHEDULE)
    assert run.status == FileSyncRun.Status.INVALID
    assert run.counts["errors"] == 1


def test_a_new_preview_replaces_the_previous_unapplied_one(world, folder):
    (folder / "people.csv").write_text(directory_csv(world.org, title="Renamed"))
    source = make_source(world)
    first = run_now(source)
    second = run_now(source)
    imported(first).refresh_from_db()
    assert imported(first).status == PeopleImport.Status.CANCELLED
    assert imported(second).status == PeopleImport.Status.READY


# ---------------------------------------------------------------------------------------------
# The schedule


def test_the_job_is_registered():
    assert "filesync.run_due_sources" in [job.name for job in registered_jobs()]


def test_a_due_source_runs_once_per_slot(world, folder, django_capture_on_commit_callbacks):
    (folder / "people.csv").write_text(directory_csv(world.org))
    source = make_source(world, schedule=FileSource.Schedule.DAILY, hour=6)
    now = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: now)
        assert services.run_due_sources(dry_run=True) == {"due": 1, "started": 0}
        with django_capture_on_commit_callbacks(execute=True):
            assert services.run_due_sources() == {"due": 1, "started": 1}
            assert services.run_due_sources() == {"due": 0, "started": 0}
        runs = list(FileSyncRun.objects.filter(source=source))
        assert [r.status for r in runs] == [FileSyncRun.Status.UNCHANGED]
        assert runs[0].trigger == FileSyncRun.Trigger.SCHEDULE
        # The next day's slot runs again; a switched-off source does not.
        now = dt.datetime(2026, 12, 8, 6, 0, tzinfo=dt.UTC)
        assert services.run_due_sources(dry_run=True)["due"] == 1
        FileSource.objects.filter(pk=source.pk).update(enabled=False)
        assert services.run_due_sources()["due"] == 0


def test_slots_follow_the_sources_time_zone_and_weekday(world):
    source = FileSource(schedule=FileSource.Schedule.DAILY, hour=6, time_zone="America/New_York")
    # 10:00 UTC is 05:00 in New York: today's 06:00 has not come, so the slot is yesterday's.
    now = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
    assert services.current_slot(source, now) == "2026-12-06 06:00"
    source.schedule, source.weekday = FileSource.Schedule.WEEKLY, 0  # Mondays
    assert services.current_slot(source, now) == "2026-11-30 06:00"
    source.schedule = FileSource.Schedule.OFF
    assert services.current_slot(source, now) is None


# ---------------------------------------------------------------------------------------------
# The settings page


URL = "/organisation/file-sync/"


def form_data(**overrides) -> dict[str, str]:
    data = {
        "kind": "folder",
        "path": "people-*.csv",
        "url": "",
        "file_format": "csv",
        "schedule": "daily",
        "hour": "6",
        "weekday": "0",
        "time_zone": "Europe/London",
        "max_changes": "200",
        "max_leavers": "20",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["manager", "applicant", "senior"])
def test_only_organisation_admins_reach_the_page(world, who):
    client = world.client_for(getattr(world, who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, form_data()).status_code == 404
    assert client.post(URL + "check/").status_code == 404
    assert not FileSource.objects.exists()


def test_anonymous_is_sent_to_sign_in(world):
    response = world.client_for(None).get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_admin_sets_up_checks_and_switches_off(
    world, folder, django_capture_on_commit_callbacks
):
    client = world.client_for(world.admin)
    page = client.get(URL)
    assert page.status_code == 200 and "No runs yet" in page.content.decode()
    assert client.post(URL, form_data()).status_code == 302
    source = FileSource.objects.get(organisation=world.org)
    assert source.path == "people-*.csv" and source.enabled
    (folder / "people-1.csv").write_text(directory_csv(world.org, title="Renamed"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL + "check/")
    run = FileSyncRun.objects.get(source=source)
    assert run.status == FileSyncRun.Status.PREVIEW and run.requested_by == world.admin.user
    body = client.get(URL).content.decode()
    assert f"/people/import/{imported(run).pk}/" in body and "Review and apply" in body
    assert client.post(URL + "disable/").status_code == 302
    source.refresh_from_db()
    assert not source.enabled
    assert "Switched off" in client.get(URL).content.decode()
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"filesync.settings_changed", "filesync.run_started", "filesync.disabled"} <= verbs


def test_another_organisations_admin_sees_only_their_own(world, folder):
    source = make_source(world)
    run_now(source)
    client = world.client_for(world.outsider_admin)
    page = client.get(URL)
    assert page.status_code == 200 and "No runs yet" in page.content.decode()
    response = client.post(URL + "check/", follow=True)
    assert "Set up file sync first" in response.content.decode()
    assert client.post(URL + "disable/").status_code == 302
    source.refresh_from_db()
    assert source.enabled
    assert FileSyncRun.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"path": "../etc/passwd"}, "path", "inside your organisation's folder"),
        ({"path": ""}, "path", "Enter the file name"),
        ({"kind": "url", "url": ""}, "url", "Enter the web address"),
        ({"kind": "url", "url": "ftp://x.test/a"}, "url", "https://"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Unknown time zone"),
        ({"hour": "24"}, "hour", "valid choice"),
        ({"max_changes": "-1"}, "max_changes", "greater than or equal to 0"),
        ({"missing_have_left": "on"}, "confirm_leavers", "Tick this box"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(world, folder, overrides, field, words):
    response = world.client_for(world.admin).post(URL, form_data(**overrides))
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors[field])
    assert not FileSource.objects.exists()


def test_turning_on_leavers_needs_the_confirmation(world, folder):
    client = world.client_for(world.admin)
    data = form_data(missing_have_left="on", confirm_leavers="on")
    assert client.post(URL, data).status_code == 302
    assert FileSource.objects.get().missing_have_left
    # Once on, saving other settings does not ask again.
    assert client.post(URL, form_data(missing_have_left="on", hour="7")).status_code == 302


def test_the_authorization_value_is_encrypted_and_never_shown(world, folder):
    client = world.client_for(world.admin)
    data = form_data(kind="url", url="https://hr.example.org/p.csv", secret="Bearer topsecret")
    assert client.post(URL, data).status_code == 302
    source = FileSource.objects.get()
    assert source.auth_header == "Bearer topsecret"
    with connection.cursor() as cursor:
        cursor.execute("SELECT auth_header FROM filesync_filesource")
        (stored,) = cursor.fetchone()
    assert "topsecret" not in stored
    page = client.get(URL)
    assertContains(page, "An authorization value is stored")
    assertNotContains(page, "topsecret")
    # Saving without typing it again keeps it; the remove box clears it.
    assert client.post(URL, {**data, "secret": ""}).status_code == 302
    source.refresh_from_db()
    assert source.auth_header == "Bearer topsecret"
    assert client.post(URL, {**data, "secret": "", "clear_secret": "on"}).status_code == 302
    source.refresh_from_db()
    assert source.auth_header == ""
    for event in AuditEvent.objects.filter(verb="filesync.settings_changed"):
        assert "topsecret" not in str(event.data)


def test_a_held_run_applied_by_an_admin_shows_as_applied(
    world, folder, django_capture_on_commit_callbacks
):
    (folder / "people.csv").write_text(directory_csv(world.org, title="Renamed"))
    run = run_now(make_source(world), trigger=FileSyncRun.Trigger.SCHEDULE)
    assert run.status == FileSyncRun.Status.WAITING
    client = world.client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/people/import/{imported(run).pk}/apply/")
    assert Person.objects.get(pk=world.senior.pk).job_title == "Renamed"
    page = client.get(URL)
    assertContains(page, "badge--applied")
    assertNotContains(page, "Waiting for an admin")


def test_a_check_waits_for_a_running_one_but_not_for_a_dead_one(world, folder):
    (folder / "people.csv").write_text(directory_csv(world.org))
    source = make_source(world)
    stuck = services.start_run(source, trigger=FileSyncRun.Trigger.MANUAL)
    with pytest.raises(Conflict, match="already running"):
        services.start_run(source, trigger=FileSyncRun.Trigger.MANUAL)
    FileSyncRun.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    fresh = services.start_run(source, trigger=FileSyncRun.Trigger.MANUAL)
    stuck.refresh_from_db()
    assert stuck.status == FileSyncRun.Status.FAILED and "stopped" in stuck.error
    assert fresh.status == FileSyncRun.Status.QUEUED


# ---------------------------------------------------------------------------------------------
# Review findings: each organisation's own folder, the secret and the address, admin rights,
# the preview's leavers, the audit log's words


def other_source(world, path: str) -> FileSource:
    other_org = world.outsider_admin.organisation
    source, _ = FileSource.objects.update_or_create(
        organisation=other_org,
        defaults={"kind": FileSource.Kind.FOLDER, "path": path, "time_zone": "UTC"},
    )
    return source


@pytest.mark.parametrize(
    "pattern", ["northwind/people.csv", "*/people.csv", "*/*", "people.csv", "../northwind/x"]
)
def test_another_organisation_cannot_read_this_organisations_folder(world, folder, pattern):
    (folder / "people.csv").write_text(directory_csv(world.org))
    (folder.parent / "elsewhere").mkdir()
    run = run_now(other_source(world, pattern))
    assert run.status == FileSyncRun.Status.FAILED
    assert run.people_import is None
    assert "northwind" not in run.error.replace(pattern, "")
    if ".." not in pattern:
        # The same words as for a file that exists nowhere: nothing is revealed.
        missing = run_now(other_source(world, "nothing-here.csv"))
        assert run.error == missing.error.replace("nothing-here.csv", pattern)
        assert "your organisation's folder (elsewhere/" in run.error


def test_an_organisation_without_its_own_folder_reads_nothing(world, folder):
    (folder.parent / "people.csv").write_text(directory_csv(world.org))
    run = run_now(other_source(world, "people.csv"))
    assert run.status == FileSyncRun.Status.FAILED
    assert "No file matching “people.csv” was found in your organisation's folder" in run.error


def test_a_link_to_another_organisations_folder_is_not_followed(world, folder):
    (folder / "people.csv").write_text(directory_csv(world.org))
    (folder.parent / "elsewhere").symlink_to(folder)
    run = run_now(other_source(world, "people.csv"))
    assert run.status == FileSyncRun.Status.FAILED
    assert "No file matching" in run.error


def test_the_page_names_the_organisations_folder(world, folder):
    page = world.client_for(world.admin).get(URL)
    assertContains(page, "your organisation&#x27;s own folder, northwind/")


def test_a_new_server_does_not_get_the_stored_authorization(world, folder):
    client = world.client_for(world.admin)
    data = form_data(kind="url", url="https://hr.example.org/p.csv", secret="Bearer topsecret")
    assert client.post(URL, data).status_code == 302
    source = FileSource.objects.get()
    # Another file on the same server keeps it.
    same = {**data, "secret": "", "url": "https://HR.example.org:443/other.csv"}
    assert client.post(URL, same).status_code == 302
    source.refresh_from_db()
    assert source.auth_header == "Bearer topsecret"
    # Another server (or scheme, or port) drops it, and says so.
    for url in ["https://evil.example.net/p.csv", "https://hr.example.org:8443/p.csv"]:
        source.auth_header = "Bearer topsecret"
        source.save()
        response = client.post(URL, {**data, "secret": "", "url": url}, follow=True)
        assertContains(response, "the stored authorization value was removed")
        source.refresh_from_db()
        assert source.auth_header == "" and source.url == url
    # A value typed with the new address is kept.
    new = {**data, "secret": "Bearer other", "url": "https://new.example.com/p.csv"}
    assertNotContains(client.post(URL, new, follow=True), "value was removed")
    source.refresh_from_db()
    assert source.auth_header == "Bearer other"
    event = AuditEvent.objects.filter(verb="filesync.settings_changed").order_by("pk")[2]
    assert event.data["secret_changed"] is True


def with_admin_column(world, *, admins: set[str]) -> str:
    lines = ["email,full_name,job_title,org_admin\n"]
    for person in Person.objects.filter(organisation=world.org, is_active=True).order_by("email"):
        flag = "yes" if person.email in admins else "no"
        lines.append(f"{person.email},{person.full_name},Renamed,{flag}\n")
    return "".join(lines)


@pytest.mark.parametrize(
    "admins",
    [{"ada@northwind.test", "kai@northwind.test"}, set()],
    ids=["grants", "removes"],
)
def test_a_scheduled_run_never_changes_admin_rights_on_its_own(world, folder, admins):
    current = set(
        Person.objects.filter(organisation=world.org, is_org_admin=True).values_list(
            "email", flat=True
        )
    )
    if not admins:
        # Removing: a second admin loses the right (the last one could not anyway).
        Person.objects.filter(email="kai@northwind.test").update(is_org_admin=True)
        current.add("kai@northwind.test")
        admins = current - {"kai@northwind.test"}
    (folder / "people.csv").write_text(with_admin_column(world, admins=admins))
    source = make_source(world, auto_apply=True, max_changes=1000)
    run = run_now(source, trigger=FileSyncRun.Trigger.SCHEDULE)
    assert run.status == FileSyncRun.Status.WAITING
    assert "changes who is an organisation admin (1 person" in run.held_because
    assert Person.objects.get(email="kai@northwind.test").job_title != "Renamed"
    page = world.client_for(world.admin).get(f"/people/import/{imported(run).pk}/")
    assertContains(page, "changes organisation admin rights for 1 person")


def test_the_same_file_without_admin_changes_is_applied(world, folder):
    admins = set(
        Person.objects.filter(organisation=world.org, is_org_admin=True).values_list(
            "email", flat=True
        )
    )
    (folder / "people.csv").write_text(with_admin_column(world, admins=admins))
    run = run_now(make_source(world, auto_apply=True), trigger=FileSyncRun.Trigger.SCHEDULE)
    assert run.status == FileSyncRun.Status.APPLIED, run.held_because


def test_the_preview_shows_how_many_people_leave(world, folder):
    (folder / "people.csv").write_text(
        directory_csv(world.org, skip=("kai@northwind.test", "sam@northwind.test"))
    )
    run = run_now(make_source(world, missing_have_left=True), by=world.admin.user)
    assert run.status == FileSyncRun.Status.PREVIEW
    page = world.client_for(world.admin).get(f"/people/import/{imported(run).pk}/")
    assertContains(
        page,
        '<span class="stat__value">2</span><span class="stat__label">marked as left</span>',
        html=True,
    )
    assertContains(page, "Applying this marks 2 people as left.")
    assertContains(page, "missing from the file counts as having left")


def test_the_audit_log_names_file_sync(world, folder):
    client = world.client_for(world.admin)
    assert client.post(URL, form_data()).status_code == 302
    assert client.post(URL + "disable/").status_code == 302
    from upward.organisations.audit_log import describe

    assert describe("filesync.settings_changed") == "Changed the HR file sync settings"
    assert describe("filesync.disabled") == "Switched off HR file sync"
