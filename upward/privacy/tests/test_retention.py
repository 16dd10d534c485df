from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from upward.core.models import AuditEvent
from upward.impact.models import Commitment, ThankYouNote
from upward.notes.models import CohortPost, MeetingNote, Message, SharedNote
from upward.notifications.models import OutboundEmail
from upward.notifications.scheduled import registered_jobs
from upward.organisations.models import PeopleImport
from upward.privacy import retention
from upward.privacy.models import RetentionRule
from upward.privacy.retention import apply_retention, months_before
from upward.programmes.models import Programme
from upward.recruitment.models import Application
from upward.safety.models import CheckIn, Concern, PairingExit, PulseResponse
from upward.surveys.models import Answer, Question, Response, Survey
from upward.testing.pairs import Pairs
from upward.testing.workspace import make_meeting

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)  # when the clock of each category starts


def _end_programme(pairs: Pairs) -> None:
    Programme.objects.filter(pk=pairs.world.programme.pk).update(
        state="completed", ended_on=T.date()
    )


def _notes(pairs: Pairs) -> Callable[[], int]:
    meeting = make_meeting(pairs.pairing, days=-3)
    SharedNote.objects.create(pairing=pairs.pairing, title="t", body="b", created_by=pairs.mentor)
    MeetingNote.objects.create(meeting=meeting, author=pairs.mentor, body="private")
    _end_programme(pairs)
    return lambda: SharedNote.objects.count() + MeetingNote.objects.count()


def _messages(pairs: Pairs) -> Callable[[], int]:
    Message.objects.create(pairing=pairs.pairing, sender=pairs.mentor, body="hi")
    CohortPost.objects.create(
        programme=pairs.world.programme, cohort="mentor", author=pairs.mentor, body="post"
    )
    _end_programme(pairs)
    return lambda: Message.objects.count() + CohortPost.objects.count()


def _pair_writing(pairs: Pairs) -> Callable[[], int]:
    Commitment.objects.create(
        pairing=pairs.pairing, programme=pairs.world.programme, owner=pairs.mentee, text="I will"
    )
    ThankYouNote.objects.create(pairing=pairs.pairing, author=pairs.mentee, text="Thanks")
    _end_programme(pairs)
    # The wording is encrypted: compare it in Python.
    return lambda: (
        sum(c.text == "I will" for c in Commitment.objects.all()) + ThankYouNote.objects.count()
    )


def _survey_text(pairs: Pairs) -> Callable[[], int]:
    survey = Survey.objects.create(
        programme=pairs.world.programme,
        title="End",
        timing="end",
        is_anonymous=True,
        state="closed",
        closed_at=T,
    )
    question = Question.objects.create(survey=survey, position=1, item_key="q", kind="text")
    response = Response.objects.create(
        survey=survey, is_anonymous=True, pseudonym="x", role="mentor"
    )
    Answer.objects.create(response=response, question=question, text="free words")
    # The answer row stays (its numbers feed the report); its text goes.
    return lambda: Answer.objects.exclude(text="").count()


def _safety(pairs: Pairs) -> Callable[[], int]:
    programme, pairing = pairs.world.programme, pairs.pairing
    meeting = make_meeting(pairing, days=-3)
    Concern.objects.create(programme=programme, pairing=pairing, raised_by=pairs.mentor, text="c")
    CheckIn.objects.create(programme=programme, pairing=pairing, due_on=T.date(), notes="n")
    PulseResponse.objects.create(
        meeting=meeting,
        pairing=pairing,
        mentor=pairs.mentor,
        spoke_openly=3,
        felt_listened_to=3,
        worth_my_time=3,
    )
    PairingExit.objects.create(
        pairing=pairs.other, left_by=pairs.other_mentor, role="mentor", category="time", reason="r"
    )
    _end_programme(pairs)
    return lambda: (
        Concern.objects.count()
        + CheckIn.objects.count()
        + PulseResponse.objects.count()
        + PairingExit.objects.exclude(reason="").count()
    )


def _not_selected(pairs: Pairs) -> Callable[[], int]:
    with time_machine.travel(T, tick=False):
        Application.objects.create(
            programme=pairs.world.other_programme,
            person=pairs.world.manager,
            role="mentee",
            status="declined",
            consent_terms=True,
        )
    return lambda: Application.objects.filter(status="declined").count()


def _imports(pairs: Pairs) -> Callable[[], int]:
    with time_machine.travel(T, tick=False):
        PeopleImport.objects.create(organisation=pairs.world.org, filename="p.csv")
    return PeopleImport.objects.count


def _outbox(pairs: Pairs) -> Callable[[], int]:
    with time_machine.travel(T, tick=False):
        OutboundEmail.objects.create(
            to=["sam@northwind.test"],
            person=pairs.mentee,
            subject="s",
            body="b",
            state="sent",
            sent_at=T,
            finished_at=T,
        )
        # Still waiting to go: never removed, however old.
        OutboundEmail.objects.create(
            to=["sam@northwind.test"], person=pairs.mentee, subject="s", body="b"
        )
    return lambda: OutboundEmail.objects.filter(state="sent").count()


BUILDERS: dict[str, Callable[[Pairs], Callable[[], int]]] = {
    "notes": _notes,
    "messages": _messages,
    "pair_writing": _pair_writing,
    "survey_text": _survey_text,
    "safety": _safety,
    "not_selected": _not_selected,
    "imports": _imports,
    "outbox": _outbox,
}


def test_every_category_has_a_test() -> None:
    assert set(BUILDERS) == set(retention.BY_KEY)


@pytest.mark.parametrize("key", sorted(BUILDERS))
def test_each_category_is_kept_until_its_time_and_removed_after(pairs, key: str) -> None:  # type: ignore[no-untyped-def]
    remaining = BUILDERS[key](pairs)
    present = remaining()
    assert present > 0
    months = retention.BY_KEY[key].default
    assert months is not None
    boundary = T.replace(
        year=T.year + (T.month - 1 + months) // 12, month=(T.month - 1 + months) % 12 + 1
    )
    with time_machine.travel(boundary - dt.timedelta(days=1), tick=False):
        assert apply_retention()[key] == 0
    assert remaining() == present
    with time_machine.travel(boundary + dt.timedelta(minutes=1), tick=False):
        assert apply_retention()[key] == present
    assert remaining() == 0


def test_a_dry_run_counts_and_removes_nothing(pairs) -> None:  # type: ignore[no-untyped-def]
    remaining = _messages(pairs)
    with time_machine.travel(T + dt.timedelta(days=800), tick=False):
        counts = apply_retention(dry_run=True)
    assert counts["messages"] == 2 and remaining() == 2


def test_an_organisation_s_own_rule_wins_over_the_default(pairs) -> None:  # type: ignore[no-untyped-def]
    remaining = _imports(pairs)
    RetentionRule.objects.create(organisation=pairs.world.org, category="imports", months=6)
    with time_machine.travel(T + dt.timedelta(days=100), tick=False):
        apply_retention()
    assert remaining() == 1
    with time_machine.travel(T + dt.timedelta(days=200), tick=False):
        apply_retention()
    assert remaining() == 0


def test_kept_means_kept_where_allowed(pairs) -> None:  # type: ignore[no-untyped-def]
    remaining = _pair_writing(pairs)
    RetentionRule.objects.create(organisation=pairs.world.org, category="pair_writing", months=None)
    with time_machine.travel(T + dt.timedelta(days=3000), tick=False):
        assert apply_retention()["pair_writing"] == 0
    assert remaining() == 2


def test_other_organisations_rules_do_not_apply(pairs) -> None:  # type: ignore[no-untyped-def]
    remaining = _imports(pairs)
    outsider_org = pairs.world.outsider_admin.organisation
    RetentionRule.objects.create(organisation=outsider_org, category="imports", months=1)
    RetentionRule.objects.create(organisation=pairs.world.org, category="imports", months=12)
    with time_machine.travel(T + dt.timedelta(days=100), tick=False):
        apply_retention()
    assert remaining() == 1


def test_months_before_keeps_the_day_or_takes_the_month_s_last() -> None:
    assert months_before(dt.datetime(2026, 3, 31, tzinfo=dt.UTC), 1).date() == dt.date(2026, 2, 28)
    assert months_before(dt.datetime(2026, 1, 15, tzinfo=dt.UTC), 13).date() == dt.date(
        2024, 12, 15
    )


def test_the_command_reports_counts_per_category(pairs) -> None:  # type: ignore[no-untyped-def]
    _imports(pairs)
    out = StringIO()
    with time_machine.travel(T + dt.timedelta(days=100), tick=False):
        call_command("apply_retention", "--dry-run", stdout=out)
    assert "imports (People import files): would remove 1" in out.getvalue()
    assert PeopleImport.objects.count() == 1
    out = StringIO()
    with time_machine.travel(T + dt.timedelta(days=100), tick=False):
        call_command("apply_retention", stdout=out)
    assert "imports (People import files): removed 1" in out.getvalue()
    assert PeopleImport.objects.count() == 0


def test_it_is_a_scheduled_job() -> None:
    assert "privacy.apply_retention" in {job.name for job in registered_jobs()}


# --- the settings page -------------------------------------------------------------------------

URL = "/privacy/retention/"


def _form(**overrides: str) -> dict[str, str]:
    values = {c.key: str(c.default or "") for c in retention.CATEGORIES}
    values.update(overrides)
    return values


def test_the_page_shows_the_defaults_and_saves_rules(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client_for(world.admin)
    page = client.get(URL)
    assert page.status_code == 200 and b"Survey free-text answers" in page.content
    response = client.post(URL, _form(messages="18", pair_writing=""))
    assert response.status_code == 302
    assert retention.rules_for(world.org)["messages"] == 18
    assert retention.rules_for(world.org)["pair_writing"] is None
    assert AuditEvent.objects.filter(verb="privacy.retention_set").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("messages", "0", "from 1 to 120"),
        ("messages", "121", "from 1 to 120"),
        ("messages", "1.5", "whole number"),
        ("messages", "soon", "whole number"),
        ("messages", "", "must be removed"),
    ],
)
def test_the_page_refuses_bad_months(world, field: str, value: str, error: str) -> None:  # type: ignore[no-untyped-def]
    response = world.client_for(world.admin).post(URL, _form(**{field: value}))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not RetentionRule.objects.exists()


def test_the_setup_page_links_to_the_rules(world) -> None:  # type: ignore[no-untyped-def]
    page = world.client_for(world.admin).get("/people/setup/")
    assert page.status_code == 200 and URL.encode() in page.content


@pytest.mark.parametrize("who", ["manager", "applicant", "senior"])
def test_only_org_admins_reach_the_page(world, who: str) -> None:  # type: ignore[no-untyped-def]
    client = world.client_for(getattr(world, who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, _form(messages="2")).status_code == 404
    assert not RetentionRule.objects.exists()
