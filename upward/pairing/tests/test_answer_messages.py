"""After answering a proposal, the flash message acknowledges the answer and the page's box says
what happens next: the two never say the same thing twice."""

from __future__ import annotations

from pytest_django.asserts import assertContains

from upward.pairing.tests.helpers import pairing_of, published


def test_a_mentor_who_accepts_reads_each_thing_once(
    cohort, world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort)
    pairing = pairing_of(cohort, cohort.sam)
    jess = world.client_for(cohort.jess)
    with django_capture_on_commit_callbacks(execute=True):
        page = jess.post(f"/pairings/{pairing.pk}/answer/", {"decision": "accept"}, follow=True)
    assertContains(page, "Thank you for accepting.", count=1, status_code=200)
    assertContains(page, "has been asked to confirm", count=1)
    assertContains(page, "Thank you", count=1)


def test_a_mentee_who_confirms_is_thanked_once(
    cohort, world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort)
    pairing = pairing_of(cohort, cohort.sam)
    with django_capture_on_commit_callbacks(execute=True):
        world.client_for(cohort.jess).post(
            f"/pairings/{pairing.pk}/answer/", {"decision": "accept"}
        )
        page = world.client_for(cohort.sam).post(
            f"/pairings/{pairing.pk}/answer/", {"decision": "accept"}, follow=True
        )
    assertContains(page, "Thank you for confirming your pairing with Jess Junior.", status_code=200)
    assertContains(page, "Your pairing is active.", count=1)
    assertContains(page, "has started", count=0)
