"""The programme team and admins never see what a pair wrote: not on any page they can reach,
not in the admin site, not in the audit log."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from pytest_django.asserts import assertNotContains

from upward.accounts.models import User
from upward.core.models import AuditEvent
from upward.goals import services as goals
from upward.notes import services
from upward.testing.workspace import make_meeting

NOTE = "NOTE-Confidential-about-the-reorganisation"
REVISION = "REVISION-earlier-words"
MESSAGE = "MESSAGE-I-felt-excluded-at-the-offsite"
PRIVATE = "PRIVATE-my-own-reflection"
GOAL = "GOAL-Speak-up-about-race-at-board"
TASK = "TASK-Book-coffee-with-HR"
SECRETS = [NOTE, REVISION, MESSAGE, PRIVATE, GOAL, TASK]


def _write_everything(pairs):  # type: ignore[no-untyped-def]
    import datetime as dt

    note = services.create_shared_note(
        pairs.pairing, title="Title " + NOTE, body=REVISION, author=pairs.mentor
    )
    services.update_shared_note(
        note, title="Title " + NOTE, body=NOTE, base_version=1, person=pairs.mentee
    )
    services.send_message(pairs.pairing, body=MESSAGE, author=pairs.mentee)
    services.save_meeting_note(make_meeting(pairs.pairing), body=PRIVATE, author=pairs.mentor)
    goal = goals.create_goal(
        pairs.pairing,
        owner=pairs.mentee,
        statement=GOAL,
        measure=GOAL + " measured",
        target_date=dt.date.today() + dt.timedelta(days=30),
        person=pairs.mentee,
    )
    goals.add_task(
        goal,
        title=TASK,
        due_on=dt.date.today() + dt.timedelta(days=3),
        owner=pairs.mentor,
        person=pairs.mentee,
    )
    return note


def _urls(pairs, note):  # type: ignore[no-untyped-def]
    p = pairs.world.programme
    names = [
        ("dashboard", []),
        ("programmes:detail", [p.pk]),
        ("programmes:list", []),
        ("pairing:pairings", [p.pk]),
        ("pairing:matching", [p.pk]),
        ("goals:overview", [p.pk]),
        ("goals:framework", [p.pk]),
        ("resources:library", []),
        ("notes:cohort_space", [p.pk, "mentor"]),
        ("notes:cohort_space", [p.pk, "mentee"]),
        ("notes:shared_notes", [pairs.pairing.pk]),
        ("notes:shared_note", [pairs.pairing.pk, note.pk]),
        ("notes:messages", [pairs.pairing.pk]),
        ("goals:goals", [pairs.pairing.pk]),
        ("goals:workbook", [pairs.pairing.pk]),
        ("pairing:pairing", [pairs.pairing.pk]),
    ]
    urls = []
    for name, args in names:
        try:
            urls.append(reverse(name, args=args))
        except NoReverseMatch:
            continue  # a page another app has not built yet
    return urls


def test_no_note_message_goal_or_task_text_reaches_the_programme_team(pairs):
    w = pairs.world
    note = _write_everything(pairs)
    reached = 0
    for person in (w.manager, w.admin, w.other_manager, w.outsider_admin):
        client = w.client_for(person)
        for url in _urls(pairs, note):
            response = client.get(url)
            for secret in SECRETS:
                # The sweep reads 404s too (`reached` checks it saw enough pages), so the status
                # is the one each page answered; bytes, since not every page is text.
                assertNotContains(
                    response,
                    secret.encode(),
                    status_code=response.status_code,
                    msg_prefix=str((person.full_name, url, secret)),
                )
            reached += response.status_code == 200
    assert reached >= 8  # the sweep really saw manager pages, not only 404s


def test_the_goals_overview_shows_counts_not_words(pairs):
    w = pairs.world
    _write_everything(pairs)
    response = w.client_for(w.manager).get(reverse("goals:overview", args=[w.programme.pk]))
    body = response.content.decode()
    assert "Jess Junior" in body and "Sam Senior" in body
    assert "0 of 1" in body  # tasks done of tasks
    assertNotContains(response, GOAL)
    assertNotContains(response, TASK)


def test_the_admin_site_lists_note_rows_without_their_content(pairs):
    note = _write_everything(pairs)
    superuser = User.objects.create_superuser("root@northwind.test", "pw-for-tests-only")
    from django.test import Client

    from upward.core.testing.two_factor import force_login_with_two_factor

    client = Client()
    force_login_with_two_factor(client, superuser)  # the admin admits no session without it
    pages = [
        reverse("admin:notes_sharednote_changelist"),
        reverse("admin:notes_sharednote_change", args=[note.pk]),
        reverse("admin:notes_message_changelist"),
        reverse("admin:notes_meetingnote_changelist"),
        reverse("admin:notes_cohortpost_changelist"),
        reverse("admin:core_auditevent_changelist") if _registered("core_auditevent") else None,
    ]
    for url in filter(None, pages):
        response = client.get(url)
        assert response.status_code == 200, url
        for secret in SECRETS:
            assertNotContains(response, secret, msg_prefix=str((url, secret)))
    # Goals and tasks are not in the admin at all.
    assert client.get("/admin/goals/goal/").status_code == 404


def _registered(name: str) -> bool:
    try:
        reverse(f"admin:{name}_changelist")
    except NoReverseMatch:
        return False
    return True


def test_audit_entries_never_hold_content(pairs):
    _write_everything(pairs)
    for event in AuditEvent.objects.all():
        for secret in SECRETS:
            assert secret not in str(event.data)
