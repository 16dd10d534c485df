"""Cohort spaces: members only, moderated by the programme team (the one place it reads)."""

from __future__ import annotations

from django.urls import reverse
from pytest_django.asserts import assertNotContains

from upward.core.models import AuditEvent
from upward.notes import services
from upward.notes.models import CohortPost
from upward.testing.workspace import accept

POST = "Has anyone found a good way to prepare for the first session?"


def space(programme, cohort):  # type: ignore[no-untyped-def]
    return reverse("notes:cohort_space", args=[programme.pk, cohort])


def test_accepted_mentors_read_and_post_in_the_mentor_space(pairs):
    w = pairs.world
    url = space(w.programme, "mentor")
    jess = w.client_for(w.applicant)
    response = jess.post(url, {"body": POST})
    assert response.status_code == 302
    post = CohortPost.objects.get()
    assert post.author == w.applicant and post.cohort == "mentor"
    # Another mentor of the cohort reads it.
    page = w.client_for(w.other_applicant).get(url)
    assert page.status_code == 200 and "first session" in page.content.decode()


def test_mentees_and_outsiders_cannot_open_the_mentor_space(pairs):
    w = pairs.world
    services.post_to_cohort(w.programme, "mentor", body=POST, author=w.applicant)
    url = space(w.programme, "mentor")
    for person in (w.senior, pairs.other_mentee, w.other_manager, w.outsider_admin):
        response = w.client_for(person).get(url)
        assert response.status_code == 404
        assertNotContains(response, "first session", status_code=404)
        assert w.client_for(person).post(url, {"body": "sneaky"}).status_code == 404
    assert w.client_for(None).get(url).status_code == 302
    assert CohortPost.objects.count() == 1


def test_an_unknown_cohort_or_programme_answers_404(pairs):
    w = pairs.world
    client = w.client_for(w.applicant)
    assert (
        client.get(reverse("notes:cohort_space", args=[w.programme.pk, "everyone"])).status_code
        == 404
    )
    assert client.get(space(w.other_programme, "mentor")).status_code == 404


def test_a_waitlisted_applicant_is_not_a_member(pairs):
    w = pairs.world
    application = accept(w.other_programme, w.applicant, "mentor")
    application.status = "waitlisted"
    application.save(update_fields=["status"])
    assert w.client_for(w.applicant).get(space(w.other_programme, "mentor")).status_code == 404


def test_the_mentee_space_is_separate(pairs):
    w = pairs.world
    services.post_to_cohort(w.programme, "mentee", body="Mentee thoughts", author=w.senior)
    mentee_page = w.client_for(pairs.other_mentee).get(space(w.programme, "mentee"))
    assert "Mentee thoughts" in mentee_page.content.decode()
    mentor_page = w.client_for(w.applicant).get(space(w.programme, "mentor"))
    assertNotContains(mentor_page, "Mentee thoughts")


def test_managers_moderate_hidden_posts_disappear_for_everyone_with_an_audit_entry(pairs):
    w = pairs.world
    post = services.post_to_cohort(w.programme, "mentor", body=POST, author=w.applicant)
    url = space(w.programme, "mentor")
    manager = w.client_for(w.manager)
    page = manager.get(url).content.decode()
    # The page says plainly that the programme team can read this space.
    assert "only place in Upward where the programme team can read" in page
    assert "first session" in page
    # Managers read and moderate but cannot post.
    assert manager.post(url, {"body": "From the manager"}).status_code == 302
    assert CohortPost.objects.count() == 1

    hide = reverse("notes:hide_post", args=[w.programme.pk, "mentor", post.pk])
    assert manager.get(hide).status_code == 200
    assert manager.post(hide).status_code == 302
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_by == w.manager.user
    for person in (w.applicant, w.other_applicant, w.manager):
        response = w.client_for(person).get(url)
        body = response.content.decode()
        assertNotContains(response, "first session")
        assert "The programme team hid this post" in body
    event = AuditEvent.objects.get(verb="notes.cohort_post_hidden")
    assert event.actor == w.manager.user and "first session" not in str(event.data)
    # Hiding twice is refused, not a 500.
    assert manager.post(hide).status_code == 302


def test_members_cannot_hide_posts(pairs):
    w = pairs.world
    post = services.post_to_cohort(w.programme, "mentor", body=POST, author=w.applicant)
    hide = reverse("notes:hide_post", args=[w.programme.pk, "mentor", post.pk])
    for person in (w.applicant, w.other_applicant, w.other_manager, w.outsider_admin):
        assert w.client_for(person).post(hide).status_code == 404
    post.refresh_from_db()
    assert not post.is_hidden


def test_the_organisation_admin_can_moderate_too(pairs):
    w = pairs.world
    services.post_to_cohort(w.programme, "mentee", body="A mentee post", author=w.senior)
    assert (
        "A mentee post" in w.client_for(w.admin).get(space(w.programme, "mentee")).content.decode()
    )


def test_cohort_space_query_count_is_flat(pairs, django_assert_max_num_queries):
    w = pairs.world
    for i in range(30):
        services.post_to_cohort(
            w.programme,
            "mentor",
            body=f"Post {i}",
            author=w.applicant if i % 2 else w.other_applicant,
        )
    client = w.client_for(w.applicant)
    with django_assert_max_num_queries(14):
        assert client.get(space(w.programme, "mentor")).status_code == 200
