"""Matching at the scale of hundreds of pairs: the review page a page at a time, the person
picker, publishing in a fixed number of queries, a run's progress and its one badge."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from upward.core.models import AuditEvent
from upward.notifications.models import Notification, OutboundEmail
from upward.organisations.models import Department, Person
from upward.pairing import services
from upward.pairing.models import MatchRule, MatchRun, Pairing
from upward.pairing.tests.helpers import Cohort, accept, grow, run
from upward.programmes.models import State
from upward.programmes.services import transition_programme
from upward.testing.factories import level, person_with_account


def run_url(cohort: Cohort, run_: MatchRun, query: str = "") -> str:
    return f"/programmes/{cohort.programme.pk}/matching/runs/{run_.pk}/{query}"


def people_url(cohort: Cohort, run_: MatchRun, query: str) -> str:
    return f"/programmes/{cohort.programme.pk}/matching/runs/{run_.pk}/people/{query}"


def rows_shown(html: str) -> int:
    """Rows of the proposal table: each carries one "Exclude" button."""
    return html.count('name="kind" value="exclude"><input')


# ---------------------------------------------------------------------------------------------
# Publishing: a fixed number of queries


def test_publishing_costs_the_same_queries_for_5_and_35_pairs(
    cohort, world, django_capture_on_commit_callbacks
):
    counts = []
    sizes = []
    for round_no, extra in enumerate((3, 35)):
        # The cohort's own two pairs come with the first round; one mentor more than mentees
        # each time, so the run leaves someone to tell (the unmatched notices are batched too).
        grow(cohort, world, mentees=extra, mentors=extra + 1, tag=f"R{round_no}")
        draft = run(cohort, by=world.manager.user)
        n_pairs = len(draft.results["pairs"])
        with CaptureQueriesContext(connection) as queries:
            with django_capture_on_commit_callbacks(execute=False):
                made = services.publish_match_run(draft, by=world.manager.user)
        assert len(made) == n_pairs
        counts.append(len(queries))
        sizes.append(n_pairs)
    assert sizes == [5, 35]
    assert counts[0] == counts[1], counts
    # Every pair was really proposed, audited, and its mentor asked (in the app and by email).
    assert Pairing.objects.filter(programme=cohort.programme, state="proposed").count() == 40
    assert AuditEvent.objects.filter(verb="pairing.proposed").count() == 40
    proposals = Notification.objects.filter(dedupe_key__startswith="pairing-proposal:")
    assert proposals.count() == 40
    assert set(proposals.values_list("recipient_id", flat=True)) == set(
        Pairing.objects.filter(programme=cohort.programme).values_list("mentor_id", flat=True)
    )
    asked = OutboundEmail.objects.filter(subject__contains="A proposed mentee for you")
    assert asked.count() == 40
    assert Notification.objects.filter(dedupe_key__startswith="application-unmatched:").exists()


def test_publishing_twice_asks_nobody_twice(cohort, world, django_capture_on_commit_callbacks):
    draft = run(cohort, by=world.manager.user)
    services.publish_match_run(draft, by=world.manager.user)
    before = Notification.objects.count()
    with pytest.raises(Exception, match="already been published"):
        services.publish_match_run(draft, by=world.manager.user)
    assert Notification.objects.count() == before


# ---------------------------------------------------------------------------------------------
# The review page: paged, searched, filtered, sorted


@pytest.fixture
def big(cohort, world) -> tuple[Cohort, MatchRun]:
    grow(cohort, world, mentees=30, mentors=31)
    return cohort, run(cohort, by=world.manager.user)


def test_review_shows_one_page_of_pairs_and_the_whole_run_summary(
    big, world, django_assert_max_num_queries
):
    cohort, draft = big
    client = world.client_for(world.manager)
    with django_assert_max_num_queries(25):
        first = client.get(run_url(cohort, draft))
    html = first.content.decode()
    assert first.status_code == 200
    assert rows_shown(html) == 25
    assertContains(first, "32 proposed pairs")  # the whole run, not the page
    assertContains(first, "Showing every pair (32). This page: 1–25.")
    assertContains(first, "Page 1 of 2")
    second = client.get(run_url(cohort, draft, "?page=2"))
    assert rows_shown(second.content.decode()) == 7
    assertContains(second, "32 proposed pairs")
    fifty = client.get(run_url(cohort, draft, "?per_page=50"))
    assert rows_shown(fifty.content.decode()) == 32
    assertNotContains(fifty, "Page 1 of", status_code=200)


def test_review_search_filters_by_name_and_keeps_filters_in_links(big, world):
    cohort, draft = big
    client = world.client_for(world.manager)
    response = client.get(run_url(cohort, draft, "?q=mentee+1&per_page=25"))
    html = response.content.decode()
    assert response.status_code == 200
    # Every word in the name: Mentee 01, 10 to 19 and 21.
    assert rows_shown(html) == 12
    assertContains(response, "12 pairs match.")
    assertNotContains(response, "Mentee 02", status_code=200)
    # A search by the mentor's name finds the pair too.
    mentor = Person.objects.get(pk=draft.results["pairs"][0]["mentor"])
    by_mentor = client.get(run_url(cohort, draft, f"?q={mentor.full_name}"))
    assert rows_shown(by_mentor.content.decode()) >= 1
    assertContains(by_mentor, mentor.full_name)
    # Paging keeps the filter.
    low = client.get(run_url(cohort, draft, "?sort=score_asc&q=m"))
    assertContains(low, "sort=score_asc")
    assertContains(low, "q=m&amp;page=2")


def test_review_low_scores_are_the_lowest_quarter_and_the_page_says_so(big, world):
    cohort, draft = big
    scores = sorted(p["score"] for p in draft.results["pairs"])
    threshold = scores[len(scores) // 4 - 1]  # 32 pairs: the 8th lowest
    client = world.client_for(world.manager)
    response = client.get(run_url(cohort, draft, "?show=low&per_page=50"))
    assert response.status_code == 200
    expected = sum(1 for s in scores if s <= threshold)
    assert rows_shown(response.content.decode()) == expected
    assertContains(response, f"A low score here is {threshold:.2f} or less")


def test_review_sorts_by_score_both_ways(big, world):
    cohort, draft = big
    client = world.client_for(world.manager)

    def scores(query: str) -> list[float]:
        html = client.get(run_url(cohort, draft, query)).content.decode()
        return [float(s) for s in re.findall(r'<td class="num"><strong>([0-9.]+)</strong>', html)]

    ascending = scores("?sort=score_asc&per_page=50")
    assert ascending == sorted(ascending) and len(ascending) == 32
    descending = scores("?sort=score_desc&per_page=50")
    assert descending == sorted(descending, reverse=True)
    by_mentee = client.get(run_url(cohort, draft, "?sort=mentee&per_page=50")).content.decode()
    assert by_mentee.index("Mentee 00") < by_mentee.index("Mentee 29") < by_mentee.index("Sofia")


def test_review_filters_by_department_of_either_side(big, world):
    cohort, draft = big
    estates = Department.objects.get(organisation=world.org, name="Estates")
    client = world.client_for(world.manager)
    response = client.get(run_url(cohort, draft, f"?department={estates.pk}&per_page=50"))
    assert response.status_code == 200
    people = Person.objects.in_bulk()
    expected = sum(
        1
        for p in draft.results["pairs"]
        if estates.pk in (people[p["mentee"]].department_id, people[p["mentor"]].department_id)
    )
    assert expected == 10  # the mentees from Estates; no mentor is in Estates
    assert rows_shown(response.content.decode()) == expected
    # Another organisation's department is not a filter here: named, and left out.
    elsewhere = Department.objects.create(organisation=world.outsider_admin.organisation, name="X")
    unknown = client.get(run_url(cohort, draft, f"?department={elsewhere.pk}"))
    assertContains(unknown, "Unknown filter: Department")
    assert rows_shown(unknown.content.decode()) == 25


def test_review_lists_people_without_a_partner_with_reasons(big, world):
    cohort, draft = big
    client = world.client_for(world.manager)
    response = client.get(run_url(cohort, draft, "?show=unmatched"))
    assertContains(response, "1 person without a partner matches.")
    idle = Person.objects.get(pk=draft.results["unmatched_mentors"][0])
    assertContains(response, idle.full_name)
    assertContains(response, "More mentors than mentees could be placed")
    nobody = client.get(run_url(cohort, draft, "?show=unmatched&q=zzz"))
    assertContains(nobody, "Nobody without a partner matches these filters.")


def test_review_htmx_filter_returns_the_results_alone_with_an_announcement(big, world):
    cohort, draft = big
    client = world.client_for(world.manager)
    response = client.get(
        run_url(cohort, draft, "?q=mentee+2"),
        headers={"HX-Request": "true", "HX-Target": "run-results"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assertNotContains(response, "<html")
    assert html.lstrip().startswith('<div id="run-results">')
    assert 'hx-swap-oob="innerHTML:#review-announce">12 pairs match.' in html
    assert "HX-Target" in response["Vary"]


def test_review_bad_filter_values_are_named_not_errors(big, world):
    cohort, draft = big
    client = world.client_for(world.manager)
    response = client.get(run_url(cohort, draft, "?show=everything&sort=random&per_page=9999"))
    assertContains(response, "Unknown filter: Show")
    assertContains(response, "Unknown filter: Sort")
    assertContains(response, "Unknown filter: Per page")
    assert rows_shown(response.content.decode()) == 25


def test_review_escapes_names(cohort, world):
    cohort.sam.full_name = "<script>alert(1)</script> Sam"
    cohort.sam.save(update_fields=["full_name"])
    draft = run(cohort, by=world.manager.user)
    client = world.client_for(world.manager)
    response = client.get(run_url(cohort, draft, "?q=%3Cscript%3E"))
    assertNotContains(response, "<script>alert(1)", status_code=200)
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt; Sam")


# ---------------------------------------------------------------------------------------------
# The person picker


def test_picker_finds_the_run_people_with_title_and_department(big, world):
    cohort, draft = big
    twin = person_with_account(
        organisation=world.org,
        full_name="Sam Senior",
        job_title="Head of Estates",
        level=level(world.org, 7),
        department=world.applicant.department,
    )
    transition_programme(cohort.programme, to=State.RECRUITING, by=None)
    accept(cohort.programme, twin, "mentee", wanted_topics=[cohort.python])
    transition_programme(cohort.programme, to=State.MATCHING, by=None)
    cohort.programme.refresh_from_db()
    draft = run(cohort, by=world.manager.user)
    client = world.client_for(world.manager)
    response = client.get(people_url(cohort, draft, "?field=mentee&pick_mentee=sam+sen"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('type="radio" name="mentee"') == 2
    assertContains(response, "Finance Director · Finance")
    assertContains(response, "Head of Estates · Digital")
    assertContains(response, "2 people match “sam sen”")


def test_picker_shows_at_most_twenty_and_says_so(big, world):
    cohort, draft = big
    client = world.client_for(world.manager)
    response = client.get(people_url(cohort, draft, "?field=mentor&pick_mentor=mentor"))
    html = response.content.decode()
    assert html.count('type="radio" name="mentor"') == 20
    assertContains(response, "Only the first 20 are shown: type more of the name.")
    none = client.get(people_url(cohort, draft, "?field=mentor&pick_mentor=nobody+here"))
    assertContains(none, "Nobody in this run matches “nobody here”.")
    empty = client.get(people_url(cohort, draft, "?field=mentor&pick_mentor="))
    assertContains(empty, "Type part of a name")


def test_picker_for_a_swap_offers_only_paired_mentees(big, world):
    cohort, draft = big
    client = world.client_for(world.manager)
    response = client.get(people_url(cohort, draft, "?field=mentee_a&pick_mentee_a=mentor"))
    assert response.status_code == 200
    assertNotContains(response, 'name="mentee_a"')
    # Every word typed must be in the name: "mentee 05" is one person.
    paired = client.get(people_url(cohort, draft, "?field=mentee_a&pick_mentee_a=mentee+05"))
    assert paired.content.decode().count('name="mentee_a"') == 1
    assertContains(paired, "Mentee 05")


def test_picker_refuses_unknown_fields_and_everyone_but_the_team(big, world):
    cohort, draft = big
    url = people_url(cohort, draft, "?field=mentee&pick_mentee=sam")
    bad = world.client_for(world.manager).get(people_url(cohort, draft, "?field=password&q=sam"))
    assert bad.status_code == 400
    for person in (cohort.jess, cohort.sam, world.other_manager, world.outsider_admin):
        response = world.client_for(person).get(url)
        assert response.status_code == 404, person
    assert world.client_for(None).get(url).status_code == 302
    # The team sees it (an organisation admin too).
    assert world.client_for(world.admin).get(url).status_code == 200


def test_picker_never_offers_people_outside_the_run(big, world):
    cohort, draft = big
    # Accepted in another programme of the same organisation, with a matching name.
    stranger = person_with_account(
        organisation=world.org, full_name="Sam Stranger", level=level(world.org, 8)
    )
    from upward.recruitment.tests.helpers import open_recruitment

    other = open_recruitment(world.other_programme, mentee_level_min=level(world.org, 6), places=5)
    accept(other, stranger, "mentee")
    response = world.client_for(world.manager).get(
        people_url(cohort, draft, "?field=mentee&pick_mentee=sam")
    )
    assertContains(response, "Sam Senior")
    assertNotContains(response, "Sam Stranger", status_code=200)


def test_pin_chosen_on_a_run_page_must_be_from_that_run(cohort, world):
    first = run(cohort, by=world.manager.user)
    late_mentee = person_with_account(
        organisation=world.org, full_name="Lou Late", level=level(world.org, 7)
    )
    late_mentor = person_with_account(
        organisation=world.org, full_name="Max Late", level=level(world.org, 1)
    )
    transition_programme(cohort.programme, to=State.RECRUITING, by=None)
    accept(cohort.programme, late_mentee, "mentee", wanted_topics=[cohort.python])
    accept(cohort.programme, late_mentor, "mentor", offered_topics=[cohort.python])
    transition_programme(cohort.programme, to=State.MATCHING, by=None)
    client = world.client_for(world.manager)
    p = cohort.programme.pk
    back = run_url(cohort, first, "?q=sam")
    response = client.post(
        f"/programmes/{p}/matching/rules/",
        {
            "kind": "pin",
            "mentee": late_mentee.pk,
            "mentor": late_mentor.pk,
            "run": first.pk,
            "next": back,
        },
        follow=True,
    )
    assertContains(response, "Choose a mentee and a mentor from this run.")
    assert not MatchRule.objects.filter(mentee=late_mentee).exists()
    assert response.redirect_chain[-1][0] == back
    # A run of another programme is not a way in.
    other_run = MatchRun.objects.create(programme=world.other_programme, status="ready")
    missing = client.post(
        f"/programmes/{p}/matching/rules/",
        {"kind": "pin", "mentee": cohort.sam.pk, "mentor": cohort.jess.pk, "run": other_run.pk},
    )
    assert missing.status_code == 404
    # From the run that has them, the pin is saved and the manager comes back to the page.
    second = run(cohort, by=world.manager.user)
    saved = client.post(
        f"/programmes/{p}/matching/rules/",
        {
            "kind": "exclude",
            "mentee": late_mentee.pk,
            "mentor": late_mentor.pk,
            "run": second.pk,
            "next": run_url(cohort, second, "?page=1"),
        },
    )
    assert saved.status_code == 302
    assert saved["Location"] == run_url(cohort, second, "?page=1")
    assert MatchRule.objects.filter(mentee=late_mentee, kind="exclude").exists()


def test_rule_form_without_a_choice_says_what_is_missing(cohort, world):
    draft = run(cohort, by=world.manager.user)
    client = world.client_for(world.manager)
    response = client.post(
        f"/programmes/{cohort.programme.pk}/matching/rules/",
        {"kind": "pin", "run": draft.pk, "next": run_url(cohort, draft)},
        follow=True,
    )
    assertContains(response, "Choose a mentee.")
    assertContains(response, "Choose a mentor.")


def test_swap_from_pickers_pins_both_new_pairs(cohort, world):
    draft = run(cohort, by=world.manager.user)
    mentor_of = {p["mentee"]: p["mentor"] for p in draft.results["pairs"]}
    client = world.client_for(world.manager)
    page = client.get(run_url(cohort, draft))
    assertContains(page, 'id="pick-mentee_a"')
    assertNotContains(page, '<select id="id_mentee_a"', status_code=200)
    chosen = {
        "mentee_a": cohort.sam.pk,
        "mentee_b": cohort.sofia.pk,
        "next": run_url(cohort, draft),
    }
    preview = client.post(run_url(cohort, draft, "swap/"), chosen)
    # First the what-if, and nothing pinned yet.
    assertContains(preview, "Yes, swap them")
    assert not MatchRule.objects.exists()
    response = client.post(run_url(cohort, draft, "swap/"), {**chosen, "confirmed": "yes"})
    assert response.status_code == 302
    pins = dict(MatchRule.objects.filter(kind="pin").values_list("mentee_id", "mentor_id"))
    assert pins == {
        cohort.sam.pk: mentor_of[cohort.sofia.pk],
        cohort.sofia.pk: mentor_of[cohort.sam.pk],
    }


# ---------------------------------------------------------------------------------------------
# Progress and badges


def test_run_records_each_stage_as_it_works(cohort, world, monkeypatch):
    from upward.pairing.services import runs as runs_module

    seen: list[tuple[str, int]] = []
    original = runs_module._report_stage

    def spy(run_id: int, stage: str) -> None:
        original(run_id, stage)
        row = MatchRun.objects.get(pk=run_id)
        seen.append((row.stage, row.progress_percent))

    monkeypatch.setattr(runs_module, "_report_stage", spy)
    done = run(cohort, by=world.manager.user)
    assert [s for s, _ in seen] == ["scoring", "solving", "explaining", "saving"]
    percents = [p for _, p in seen]
    assert percents == sorted(percents) and percents[0] > 0 and percents[-1] < 100
    assert (done.stage, done.progress_percent) == ("done", 100)


def test_busy_run_page_shows_stage_and_percentage_and_stops_polling_when_done(
    cohort, world, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("upward.pairing.services.runs.BACKGROUND_THRESHOLD", 2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = run(cohort, by=world.manager.user)
    client = world.client_for(world.manager)
    page = client.get(run_url(cohort, queued))
    assertContains(page, '<progress max="100" value="0"')
    assertContains(page, 'role="status" aria-live="polite" aria-atomic="true">Waiting to start')
    assertContains(page, 'hx-trigger="every 2s"')
    MatchRun.objects.filter(pk=queued.pk).update(
        status="running", stage="scoring", progress_percent=20, started_at=timezone.now()
    )
    partial = client.get(run_url(cohort, queued), headers={"HX-Request": "true"})
    html = partial.content.decode()
    assertNotContains(partial, "<html")
    assert '<progress max="100" value="20"' in html
    assert "20% done" in html
    assert 'hx-swap-oob="innerHTML:#run-announce">Scoring every possible pair' in html
    assert 'hx-trigger="every 2s"' in html
    MatchRun.objects.filter(pk=queued.pk).update(status="queued")  # so the task can take it
    callbacks[0]()
    done = client.get(run_url(cohort, queued), headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    assertNotContains(done, 'hx-trigger="every 2s"')
    final = client.get(run_url(cohort, queued))
    assertNotContains(final, "<progress", status_code=200)


def test_each_run_shows_one_badge(cohort, world, django_capture_on_commit_callbacks):
    older = run(cohort, by=world.manager.user)
    newer = run(cohort, by=world.manager.user)  # supersedes the older one
    client = world.client_for(world.manager)
    runs_page = client.get(f"/programmes/{cohort.programme.pk}/matching/runs/")
    html = runs_page.content.decode()
    assert runs_page.status_code == 200
    assert html.count('class="badge badge--superseded"') == 1
    assert html.count('class="badge badge--ready"') == 1
    services.publish_match_run(newer, by=world.manager.user)
    html = client.get(f"/programmes/{cohort.programme.pk}/matching/runs/").content.decode()
    assert html.count('class="badge badge--published"') == 1
    assertNotContains(
        client.get(f"/programmes/{cohort.programme.pk}/matching/runs/"), "Ready to review"
    )
    assert older.pk != newer.pk


# ---------------------------------------------------------------------------------------------
# The pairings list


def test_pairings_list_searches_by_name_and_pages_with_a_flat_budget(
    cohort, world, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    grow(cohort, world, mentees=30, mentors=30)
    services.publish_match_run(run(cohort, by=world.manager.user), by=world.manager.user)
    client = world.client_for(world.manager)
    url = f"/programmes/{cohort.programme.pk}/pairings/"
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assertContains(response, "32 pairings")
    assertContains(response, "Page 1 of 2")
    with django_assert_max_num_queries(14):
        found = client.get(url + "?q=sam+senior")
    assertContains(found, "1 pairing")
    assertContains(found, "Sam Senior")
    assertNotContains(found, "Sofia Strand", status_code=200)
    by_mentor = client.get(url + "?q=" + Pairing.objects.get(mentee=cohort.sofia).mentor.full_name)
    assertContains(by_mentor, "Sofia Strand")
    paged = client.get(url + "?q=mentee&state=live")
    assertContains(paged, "q=mentee&amp;state=live&amp;page=2")
    none = client.get(url + "?q=nobody")
    assertContains(none, "No pairing matches “nobody”")


def test_matching_page_picker_offers_accepted_participants_only(cohort, world):
    p = cohort.programme.pk
    applied_only = person_with_account(
        organisation=world.org, full_name="Sam Applied", level=level(world.org, 8)
    )
    client = world.client_for(world.manager)
    page = client.get(f"/programmes/{p}/matching/")
    assertContains(page, 'id="pick-mentee"')
    assertNotContains(page, 'name="mentee" id="id_mentee"', status_code=200)
    url = f"/programmes/{p}/matching/people/"
    found = client.get(url + "?field=mentee&pick_mentee=sam")
    assertContains(found, "Sam Senior")
    assertContains(found, "Finance Director · Finance")
    assertNotContains(found, applied_only.full_name, status_code=200)
    mentors = client.get(url + "?field=mentor&pick_mentor=sam")
    assertContains(mentors, "No accepted participant on this side matches “sam”.")
    assert client.get(url + "?field=mentee_a&q=sam").status_code == 400
    for person in (cohort.jess, world.other_manager, world.outsider_admin):
        assert world.client_for(person).get(url + "?field=mentee&q=sam").status_code == 404
