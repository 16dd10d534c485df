"""The match review in words: reasons built from the score's criteria with the topics by name,
both profiles side by side, the run report in sentences, and a swap's what-if preview that
gives exactly the scores the engine gives once the swap is made."""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from matching import Constraints, MenteeProfile, MentorProfile, Weights, score_pairs
from upward.core.errors import DomainError
from upward.organisations.models import Department, Person, Team
from upward.pairing import selectors, services
from upward.pairing.models import MatchRule
from upward.pairing.review import swap_preview
from upward.pairing.review_words import evenness, join_words, pair_story, plain_report
from upward.pairing.selectors import MatchInputs, PairRow, _contributions
from upward.pairing.tests.helpers import Cohort, add_participant, run
from upward.testing.factories import TopicFactory, level, person_with_account

# ---------------------------------------------------------------------------------------------
# Sentences against hand-made pairs, scored by the engine itself


def _pair(
    mentee: MenteeProfile,
    mentor: MentorProfile,
    *,
    topic_names: dict[str, str],
    relations: dict[str, frozenset[str]] | None = None,
    weights: Weights | None = None,
    pinned: bool = False,
) -> tuple[PairRow, MatchInputs]:
    """A review row for the pair, with the contributions the engine gives it."""
    relations = relations or {}
    (what,) = score_pairs(
        [mentee],
        [mentor],
        [(mentee.id, mentor.id)],
        weights=weights or Weights(),
        topic_relations=relations,
    )
    contributions = [
        {"criterion": c.criterion, "value": c.value, "weight": c.weight, "points": c.points}
        for c in what.explanation.contributions
    ]
    row = PairRow(
        mentee=Person(pk=int(mentee.id), full_name=mentee.name),
        mentor=Person(pk=int(mentor.id), full_name=mentor.name),
        score=what.explanation.score,
        pinned=pinned,
        contributions=_contributions(contributions),
    )
    inputs = MatchInputs(
        mentees=(mentee,),
        mentors=(mentor,),
        objective="custom",
        focus=frozenset(),
        topic_relations=relations,
        constraints=Constraints(),
        topic_names=topic_names,
    )
    return row, inputs


NAMES = {
    "1": "Data visualisation",
    "2": "Statistics",
    "3": "Cycling",
    "4": "Chess",
    "5": "Strategy",
}


def test_topics_that_connect_a_pair_are_named_with_both_people():
    row, inputs = _pair(
        MenteeProfile(
            id="10",
            level=8,
            name="Richard Ito",
            wants=frozenset({"1"}),
            offers=frozenset({"5"}),
            interests=frozenset({"3", "4"}),
            availability=frozenset({"mon-am", "thu-pm"}),
        ),
        MentorProfile(
            id="20",
            level=2,
            name="Aisha Khan",
            offers=frozenset({"1"}),
            wants=frozenset({"5"}),
            interests=frozenset({"3"}),
            availability=frozenset({"thu-pm", "fri-am"}),
        ),
        topic_names=NAMES,
    )
    story = pair_story(row, inputs)
    texts = [r.text for r in story.reasons]
    assert "Aisha Khan can share Data visualisation, which Richard Ito wants to learn." in texts
    assert "Richard Ito can share Strategy, which Aisha Khan wants to learn." in texts
    assert "They share interests: Cycling." in texts
    assert "Both are free on Thursday afternoon." in texts
    assert "Their working hours are the same." in texts  # both at UTC+0
    assert story.shared_interests == ["Cycling"]
    assert story.shared_times == ["Thursday afternoon"]
    assert story.mentee is not None and story.mentee.interests == ["Chess", "Cycling"]
    assert story.mentor is not None and story.mentor.offers == ["Data visualisation"]
    # The words and the score agree: each criterion that added points has its sentence, and
    # the points the sentences carry add up to the score.
    assert sum(r.points for r in story.reasons) == pytest.approx(row.score)
    scored = {c.criterion for c in row.contributions if c.points > 0}
    assert scored == {"topics", "reciprocity", "interests", "availability", "timezone"}


def test_a_related_topic_is_named_as_close_to_what_is_wanted():
    row, inputs = _pair(
        MenteeProfile(id="10", level=8, name="Richard Ito", wants=frozenset({"1"})),
        MentorProfile(id="20", level=2, name="Aisha Khan", offers=frozenset({"2"})),
        topic_names=NAMES,
        relations={"1": frozenset({"2"}), "2": frozenset({"1"})},
        weights=Weights(interests=0, availability=0, timezone=0, department=0, reciprocity=0),
    )
    story = pair_story(row, inputs)
    assert [r.text for r in story.reasons] == [
        "Aisha Khan offers Statistics, close to Data visualisation, which Richard Ito wants."
    ]
    assert story.reasons[0].points == pytest.approx(0.5)  # the related-topic credit


def test_a_pair_nothing_connects_says_so_and_a_criterion_worth_nothing_is_not_claimed():
    # They share an interest, but the manager gave interests no weight: no sentence claims it.
    row, inputs = _pair(
        MenteeProfile(id="10", level=8, name="Richard Ito", interests=frozenset({"3"})),
        MentorProfile(id="20", level=2, name="Aisha Khan", interests=frozenset({"3"})),
        topic_names=NAMES,
        weights=Weights(interests=0, timezone=0),
    )
    story = pair_story(row, inputs)
    assert row.score == 0
    assert [r.text for r in story.reasons] == [
        "Nothing in their answers connects them: every hard rule allows the pair and the "
        "mentor had a free place."
    ]
    assert story.shared_interests == ["Cycling"]  # still listed beside the profiles


def test_lived_experience_counts_but_is_never_named():
    row, inputs = _pair(
        MenteeProfile(id="10", level=8, name="Richard Ito", wants=frozenset({"9"})),
        MentorProfile(
            id="20",
            level=2,
            name="Aisha Khan",
            lived_experience=frozenset({"9"}),
            lived_experience_consent=True,
        ),
        topic_names=NAMES,  # the experience topic's name is not among them: never loaded
        weights=Weights(interests=0, availability=0, timezone=0, department=0, reciprocity=0),
    )
    story = pair_story(row, inputs)
    assert row.score == 1
    assert [r.text for r in story.reasons] == [
        "Aisha Khan also brings something Richard Ito wants from details used only for "
        "matching, which this page does not show."
    ]


def test_without_profiles_the_reasons_are_the_criteria_that_counted():
    row, _inputs = _pair(
        MenteeProfile(id="10", level=8, name="Richard Ito", wants=frozenset({"1"})),
        MentorProfile(id="20", level=2, name="Aisha Khan", offers=frozenset({"1"})),
        topic_names=NAMES,
        weights=Weights(interests=0, availability=0, timezone=0, department=0, reciprocity=0),
    )
    story = pair_story(row, None)
    assert [(r.text, r.points) for r in story.reasons] == [("What the mentee wants to learn", 1.0)]
    assert story.mentee is None


def test_join_words():
    assert join_words([]) == ""
    assert join_words(["a"]) == "a"
    assert join_words(["a", "b"]) == "a and b"
    assert join_words(["a", "b", "c"]) == "a, b and c"


# ---------------------------------------------------------------------------------------------
# The run report in plain words


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([], ""),
        (
            [4, 4, 2],
            "All pairs are similarly strong: none scores under half of a typical pair (4.00).",
        ),
        (
            [5, 5, 5, 5, 5, 5, 5, 1],
            "Most pairs are similarly strong; 1 pair is much weaker than the rest (under half of "
            "a typical pair's 5.00).",
        ),
        (
            [6, 6, 6, 6, 6, 6, 2, 1],
            "Most pairs are similarly strong; 2 pairs are much weaker than the rest (under half "
            "of a typical pair's 6.00).",
        ),
        (
            [5, 5, 1, 1],
            "Pairs vary a lot in strength: 2 of 4 pairs score under half of a typical pair's 3.00.",
        ),
        ([0, 0], "The pairs have little in common: a typical pair scores 0.00."),
    ],
)
def test_evenness_in_words(scores, expected):
    assert evenness(scores) == expected


def test_report_counts_first_choices_mutual_choices_and_who_is_left_and_why():
    results = {
        "report": {"n_mentees": 5},
        "pairs": [
            {"mentee": 1, "mentor": 11, "score": 4, "choice": {"mentee": 1, "mentor": 1}},
            {"mentee": 2, "mentor": 12, "score": 4, "choice": {"mentee": 1, "mentor": 2}},
            {"mentee": 3, "mentor": 13, "score": 4, "choice": {"mentee": 3, "mentor": None}},
        ],
        "choice": {
            "mentee": {"asked": 5, "ranked": 4, "first": 2, "top3": 3, "none": 1},
            "mentor": {"asked": 4, "ranked": 2, "first": 1, "top3": 2, "none": 0},
        },
        "unmatched": [
            {"mentee": 4, "reason": "no_eligible_partner"},
            {"mentee": 5, "reason": "outcompeted"},
            {"mentee": 6, "reason": "outcompeted"},
        ],
        "unmatched_mentors": [14],
        "left_out": [
            {"person_id": 7, "reason": "no_level"},
            {"person_id": 8, "reason": "unavailable"},
        ],
    }
    plain = plain_report(results)
    assert plain.matched == "3 of 5 mentees have a mentor in this proposal."
    assert plain.evenness.startswith("All pairs are similarly strong")
    assert plain.choices == [
        "Of the 4 mentees who ranked someone, 2 got their first choice, 1 another of their top 3 "
        "and 1 none of their choices.",
        "Of the 2 mentors who ranked someone, 1 got their first choice, 1 another of their top 3 "
        "and 0 none of their choices.",
        "1 pair is a mutual first choice: each ranked the other first.",
    ]
    assert plain.without_partner == [
        "1 mentee has no mentor the hard rules allow with a free place.",
        "2 mentees could have a mentor, but each mentor who fits them is a better match for "
        "someone else.",
        "1 mentor has nobody left to mentor and stays available for a later run.",
        "1 person was left out: no level in the directory.",
        "1 person was left out: away at the moment.",
    ]


def test_report_without_choices_or_anyone_left_says_so():
    plain = plain_report({"report": {"n_mentees": 1}, "pairs": [{"score": 2.0}]})
    assert plain.choices == []
    assert plain.without_partner == ["Everyone in this run has a partner."]
    assert plain.matched == "1 of 1 mentee has a mentor in this proposal."


# ---------------------------------------------------------------------------------------------
# The review page


def _run_url(cohort: Cohort, run_id: int, rest: str = "") -> str:
    return f"/programmes/{cohort.programme.pk}/matching/runs/{run_id}/{rest}"


def test_review_page_says_why_by_name_and_never_shows_lived_experience(cohort, world):
    draft = run(cohort, by=world.manager.user)
    response = world.client_for(world.manager).get(_run_url(cohort, draft.pk))
    assertContains(response, "Jess Junior can share Python, which Sam Senior wants to learn.")
    assertContains(response, "Sam Senior can share Strategy, which Jess Junior wants to learn.")
    assertContains(response, "Kai Keen can share Data literacy, which Sofia Strand wants to learn.")
    assertContains(response, "Both profiles side by side")
    assertContains(response, "How the score is worked out")
    assertContains(response, "2 of 2 mentees have a mentor in this proposal.")
    # The jargon is in the workings block only, not the report's sentences.
    html = response.content.decode()
    report = html[html.index('id="report-h"') : html.index("How the score is worked out")]
    assert "Gini" not in report and "percentile" not in report
    # Kai consented to lived experience counting in matching, never to the team seeing it here.
    assertNotContains(response, cohort.race.name)


def test_review_escapes_hostile_names_and_topics(cohort, world):
    cohort.jess.full_name = "<b>Jess</b>"
    cohort.jess.save(update_fields=["full_name"])
    cohort.python.name = "<script>py</script>"
    cohort.python.save(update_fields=["name"])
    draft = run(cohort, by=world.manager.user)
    response = world.client_for(world.manager).get(_run_url(cohort, draft.pk))
    assertContains(
        response,
        "&lt;b&gt;Jess&lt;/b&gt; can share &lt;script&gt;py&lt;/script&gt;, which Sam Senior",
    )
    assertNotContains(response, "<b>Jess</b>")
    assertNotContains(response, "<script>py</script>")
    preview = world.client_for(world.manager).post(
        _run_url(cohort, draft.pk, "swap/"),
        {"mentee_a": cohort.sam.pk, "mentee_b": cohort.sofia.pk},
    )
    assertContains(preview, "&lt;b&gt;Jess&lt;/b&gt;")
    assertNotContains(preview, "<b>Jess</b>")


def test_review_shows_shared_interests_and_free_times_by_name(cohort, world):
    org = world.org
    cycling = TopicFactory(organisation=org, name="Cycling", kind="interest")
    dataviz = TopicFactory(organisation=org, name="Data visualisation")
    dept = Department.objects.create(organisation=org, name="Research")
    aisha = person_with_account(
        organisation=org, full_name="Aisha Khan", level=level(org, 2), department=dept
    )
    richard = person_with_account(
        organisation=org,
        full_name="Richard Ito",
        level=level(org, 8),
        department=cohort.sam.department,
    )
    add_participant(
        cohort,
        aisha,
        "mentor",
        offered_topics=[dataviz],
        interests=[cycling],
        availability=["mon-am", "thu-pm"],
    )
    add_participant(
        cohort,
        richard,
        "mentee",
        wanted_topics=[dataviz],
        interests=[cycling],
        availability=["thu-pm"],
    )
    draft = run(cohort, by=world.manager.user)
    assert {(p["mentee"], p["mentor"]) for p in draft.results["pairs"]} >= {(richard.pk, aisha.pk)}
    response = world.client_for(world.manager).get(_run_url(cohort, draft.pk, "?q=aisha"))
    assertContains(
        response, "Aisha Khan can share Data visualisation, which Richard Ito wants to learn."
    )
    assertContains(response, "They share interests: Cycling.")
    assertContains(response, "Both are free on Thursday afternoon.")
    assertContains(response, "They work in different departments: Finance and Research.")
    assertContains(response, "<strong>Free times in common:</strong> Thursday afternoon")


# ---------------------------------------------------------------------------------------------
# The what-if preview of a swap


def test_swap_preview_equals_what_the_engine_gives_after_the_swap(cohort, world):
    draft = run(cohort, by=world.manager.user)
    stored = {(p["mentee"], p["mentor"]): p["score"] for p in draft.results["pairs"]}
    assert set(stored) == {(cohort.sam.pk, cohort.jess.pk), (cohort.sofia.pk, cohort.kai.pk)}
    preview = swap_preview(
        draft, selectors.review_inputs(draft), mentee_a=cohort.sam.pk, mentee_b=cohort.sofia.pk
    )
    first, second = preview.pairs
    assert (first.mentee, first.old_mentor, first.new_mentor) == (
        cohort.sam,
        cohort.jess,
        cohort.kai,
    )
    assert first.old_score == pytest.approx(stored[(cohort.sam.pk, cohort.jess.pk)])
    assert second.old_score == pytest.approx(stored[(cohort.sofia.pk, cohort.kai.pk)])
    assert preview.possible

    services.swap_mentors(
        draft, mentee_a=cohort.sam.pk, mentee_b=cohort.sofia.pk, by=world.manager.user
    )
    after = run(cohort, by=world.manager.user)
    scores = {(p["mentee"], p["mentor"]): p["score"] for p in after.results["pairs"]}
    assert scores[(cohort.sam.pk, cohort.kai.pk)] == pytest.approx(first.new_score)
    assert scores[(cohort.sofia.pk, cohort.jess.pk)] == pytest.approx(second.new_score)
    assert sum(scores.values()) == pytest.approx(preview.new_run_total)
    assert preview.change == pytest.approx(
        first.new_score + second.new_score - first.old_score - second.old_score
    )
    assert preview.change < 0  # Python and data literacy each go to the wrong mentee


def test_swap_preview_page_shows_old_and_new_scores_and_pins_nothing(cohort, world):
    draft = run(cohort, by=world.manager.user)
    preview = swap_preview(
        draft, selectors.review_inputs(draft), mentee_a=cohort.sam.pk, mentee_b=cohort.sofia.pk
    )
    response = world.client_for(world.manager).post(
        _run_url(cohort, draft.pk, "swap/"),
        {"mentee_a": cohort.sam.pk, "mentee_b": cohort.sofia.pk},
    )
    assertContains(response, "Both pairs before and after the swap")
    for pair in preview.pairs:
        assertContains(response, f"{pair.old_score:.2f}")
        assertContains(response, f"{pair.new_score:.2f}")
    assertContains(response, f"{preview.change:.2f}")
    assertContains(response, "The swap makes the proposal weaker")
    assertContains(response, 'name="confirmed" value="yes"')
    assert not MatchRule.objects.exists()


def test_a_swap_that_breaks_a_hard_rule_is_shown_and_cannot_be_confirmed(cohort, world):
    # Sam and Kai in the same team: Sam cannot have Kai as a mentor.
    team = Team.objects.create(
        organisation=world.org, department=cohort.sam.department, name="Budgets"
    )
    for person in (cohort.sam, cohort.kai):
        person.team = team
        person.save(update_fields=["team"])
    draft = run(cohort, by=world.manager.user)
    response = world.client_for(world.manager).post(
        _run_url(cohort, draft.pk, "swap/"),
        {"mentee_a": cohort.sam.pk, "mentee_b": cohort.sofia.pk},
    )
    assertContains(response, "Not allowed: same team.")
    assertContains(response, "This swap breaks a hard rule")
    assertNotContains(response, "Yes, swap them")


def test_swap_preview_refuses_outside_review(cohort, world):
    draft = run(cohort, by=world.manager.user)
    services.publish_match_run(draft, by=world.manager.user)
    draft.refresh_from_db()
    with pytest.raises(DomainError, match="no longer in review"):
        swap_preview(draft, None, mentee_a=cohort.sam.pk, mentee_b=cohort.sofia.pk)
    with pytest.raises(DomainError, match="no longer in review"):
        services.swap_mentors(
            draft, mentee_a=cohort.sam.pk, mentee_b=cohort.sofia.pk, by=world.manager.user
        )
    response = world.client_for(world.manager).post(
        _run_url(cohort, draft.pk, "swap/"),
        {"mentee_a": cohort.sam.pk, "mentee_b": cohort.sofia.pk},
        follow=True,
    )
    assertContains(response, "no longer in review")
    assert not MatchRule.objects.exists()


def test_only_the_programme_team_previews_or_swaps(cohort, world):
    draft = run(cohort, by=world.manager.user)
    url = _run_url(cohort, draft.pk, "swap/")
    data = {"mentee_a": cohort.sam.pk, "mentee_b": cohort.sofia.pk}
    for person in (world.other_manager, cohort.jess, cohort.sam, world.outsider_admin):
        for extra in ({}, {"confirmed": "yes"}):
            response = world.client_for(person).post(url, {**data, **extra})
            assertNotContains(response, "Both pairs before", status_code=404)
    anonymous = world.client_for(None).post(url, data)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert not MatchRule.objects.exists()
    admin = world.client_for(world.admin).post(url, data)
    assertContains(admin, "Both pairs before and after the swap")


def test_review_in_words_costs_the_same_queries_for_2_and_32_pairs(cohort, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from upward.pairing.tests.helpers import grow

    client = world.client_for(world.manager)
    counts = []
    for extra in (0, 30):
        if extra:
            grow(cohort, world, mentees=extra, mentors=extra + 1)
        draft = run(cohort, by=world.manager.user)
        client.get(_run_url(cohort, draft.pk))  # the session and caches warmed alike
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_run_url(cohort, draft.pk, "?per_page=50"))
        assertContains(response, "Both profiles side by side")
        assertContains(response, "have a mentor in this proposal.")
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 25, counts


def test_a_published_run_still_says_why_by_name(cohort, world, django_assert_max_num_queries):
    draft = run(cohort, by=world.manager.user)
    services.publish_match_run(draft, by=world.manager.user)
    client = world.client_for(world.manager)
    with django_assert_max_num_queries(25):
        response = client.get(_run_url(cohort, draft.pk))
    assertContains(response, "Published on")
    assertContains(response, "Jess Junior can share Python, which Sam Senior wants to learn.")
    assertContains(response, "Kai Keen can share Data literacy, which Sofia Strand wants to learn.")
    assertNotContains(response, cohort.race.name)
