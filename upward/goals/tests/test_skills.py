"""The skills framework, the start and end assessments, the progression chart."""

from __future__ import annotations

import pytest
from django.urls import reverse

from upward.core.errors import Conflict, DomainError
from upward.goals import selectors, services
from upward.goals.models import Assessment, Rating, Skill


def test_the_framework_starts_from_defaults_for_the_objective(pairs):
    w = pairs.world
    digital = [s.name for s in services.ensure_framework(w.programme)]
    assert "Using AI tools day to day" in digital
    inclusion = [s.name for s in services.ensure_framework(w.other_programme)]
    assert "Talking about race with confidence" in inclusion
    # Seeding happens once.
    services.ensure_framework(w.programme)
    assert Skill.objects.filter(programme=w.programme).count() == len(digital)
    assert all(len(s.levels) == 5 for s in Skill.objects.all())


def test_self_assessment_start_and_end_with_the_change(pairs):
    skills = services.ensure_framework(pairs.world.programme)
    a, b = skills[0], skills[1]
    services.save_assessment(
        pairs.pairing,
        subject=pairs.mentee,
        kind="baseline",
        ratings={a.pk: 1, b.pk: 2},
        person=pairs.mentee,
    )
    services.save_assessment(
        pairs.pairing,
        subject=pairs.mentee,
        kind="final",
        ratings={a.pk: 4, b.pk: 2},
        person=pairs.mentee,
    )
    rows = {
        r.skill.pk: r
        for r in selectors.skill_rows(
            pairs.pairing, skills, subject=pairs.mentee, viewer=pairs.mentee
        )
    }
    assert (rows[a.pk].self_baseline, rows[a.pk].self_final, rows[a.pk].change) == (1, 4, 3)
    # Saving again replaces, it does not duplicate.
    services.save_assessment(
        pairs.pairing, subject=pairs.mentee, kind="final", ratings={a.pk: 5}, person=pairs.mentee
    )
    assert Assessment.objects.filter(kind="final").count() == 1
    assert Rating.objects.filter(assessment__kind="final").count() == 1


@pytest.mark.parametrize("level", [0, 6, -1, "high"])
def test_ratings_must_be_1_to_5(pairs, level):
    skill = services.ensure_framework(pairs.world.programme)[0]
    with pytest.raises(DomainError, match="1 to 5"):
        services.save_assessment(
            pairs.pairing,
            subject=pairs.mentee,
            kind="baseline",
            ratings={skill.pk: level},
            person=pairs.mentee,
        )
    response = pairs.world.client_for(pairs.mentee).post(
        reverse("goals:rate", args=[pairs.pairing.pk, "baseline", "me"]),
        {f"skill_{skill.pk}": str(level)},
    )
    assert response.status_code == 200
    assert not Rating.objects.exists()


def test_ratings_of_another_programmes_skill_are_refused(pairs):
    foreign = services.ensure_framework(pairs.world.other_programme)[0]
    with pytest.raises(DomainError, match="That skill is not part of this programme's framework"):
        services.save_assessment(
            pairs.pairing,
            subject=pairs.mentee,
            kind="baseline",
            ratings={foreign.pk: 3},
            person=pairs.mentee,
        )


def test_partner_view_is_visible_to_the_person_rated_but_self_ratings_stay_private(pairs):
    skills = services.ensure_framework(pairs.world.programme)
    s = skills[0]
    services.save_assessment(
        pairs.pairing, subject=pairs.mentee, kind="baseline", ratings={s.pk: 2}, person=pairs.mentee
    )
    services.save_assessment(
        pairs.pairing, subject=pairs.mentee, kind="baseline", ratings={s.pk: 3}, person=pairs.mentor
    )
    as_mentee = selectors.skill_rows(
        pairs.pairing, skills, subject=pairs.mentee, viewer=pairs.mentee
    )[0]
    assert (as_mentee.self_baseline, as_mentee.partner_baseline) == (2, 3)
    as_mentor = selectors.skill_rows(
        pairs.pairing, skills, subject=pairs.mentee, viewer=pairs.mentor
    )[0]
    assert as_mentor.self_baseline is None and as_mentor.partner_baseline == 3


def test_rating_through_the_page_and_the_chart(pairs):
    skills = services.ensure_framework(pairs.world.programme)
    client = pairs.world.client_for(pairs.mentee)
    form = client.get(
        reverse("goals:rate", args=[pairs.pairing.pk, "baseline", "me"])
    ).content.decode()
    assert "Using AI tools day to day" in form and "New to this" in form
    client.post(
        reverse("goals:rate", args=[pairs.pairing.pk, "baseline", "me"]),
        {f"skill_{skills[0].pk}": "2"},
    )
    client.post(
        reverse("goals:rate", args=[pairs.pairing.pk, "final", "me"]),
        {f"skill_{skills[0].pk}": "4"},
    )
    page = client.get(reverse("goals:skills", args=[pairs.pairing.pk])).content.decode()
    assert "<svg" in page and 'role="img"' in page
    assert "<circle" in page
    assert "+2" in page  # the change in the text alternative (table)
    # Nothing rated: the form says so, no 500.
    response = client.post(reverse("goals:rate", args=[pairs.pairing.pk, "final", "partner"]), {})
    assert response.status_code == 200 and "Rate at least one skill" in response.content.decode()
    assert (
        client.get(reverse("goals:rate", args=[pairs.pairing.pk, "middle", "me"])).status_code
        == 404
    )


def test_managers_edit_the_framework(pairs):
    w = pairs.world
    client = w.client_for(w.manager)
    url = reverse("goals:framework", args=[w.programme.pk])
    assert "Using AI tools day to day" in client.get(url).content.decode()
    levels = {f"level_{i}": f"Level {i} text" for i in range(1, 6)}
    response = client.post(
        reverse("goals:new_skill", args=[w.programme.pk]),
        {"name": "Prompt writing", "description": "", **levels},
    )
    assert response.status_code == 302
    skill = Skill.objects.get(name="Prompt writing")
    assert skill.levels[4] == "Level 5 text"
    # Duplicate names are refused with a message.
    response = client.post(
        reverse("goals:new_skill", args=[w.programme.pk]), {"name": "prompt WRITING", **levels}
    )
    assert response.status_code == 200 and "already has a skill" in response.content.decode()
    # A rated skill cannot be removed.
    services.save_assessment(
        pairs.pairing,
        subject=pairs.mentee,
        kind="baseline",
        ratings={skill.pk: 3},
        person=pairs.mentee,
    )
    with pytest.raises(Conflict, match="Participants have already rated themselves on this skill"):
        services.remove_skill(skill, by=w.manager.user)
    client.post(reverse("goals:remove_skill", args=[w.programme.pk, skill.pk]))
    assert Skill.objects.filter(pk=skill.pk).exists()
    # Others cannot touch it.
    for person in (w.other_manager, w.outsider_admin, pairs.mentor):
        c = w.client_for(person)
        assert c.get(url).status_code == 404
        assert (
            c.get(reverse("goals:edit_skill", args=[w.programme.pk, skill.pk])).status_code == 404
        )
        assert (
            c.post(reverse("goals:remove_skill", args=[w.programme.pk, skill.pk])).status_code
            == 404
        )


def test_skills_page_query_count(pairs, django_assert_max_num_queries):
    skills = services.ensure_framework(pairs.world.programme)
    services.save_assessment(
        pairs.pairing,
        subject=pairs.mentee,
        kind="baseline",
        ratings={s.pk: 2 for s in skills},
        person=pairs.mentee,
    )
    client = pairs.world.client_for(pairs.mentee)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("goals:skills", args=[pairs.pairing.pk]))
    assert response.status_code == 200
