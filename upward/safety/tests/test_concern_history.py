"""A concern's history reads as sentences, never as the audit trail's event codes."""

from __future__ import annotations

from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from upward.safety import services
from upward.safety.models import Concern

CONCERN = "CONCERN-he-talks-over-me"


def _history_page(pairs, concern):  # type: ignore[no-untyped-def]
    manager = pairs.world.client_for(pairs.world.manager)
    return manager.get(reverse("safety:concern", args=[pairs.world.programme.pk, concern.pk]))


def test_history_tells_who_did_what_in_words(pairs) -> None:  # type: ignore[no-untyped-def]
    concern = services.raise_concern(
        pairs.pairing, person=pairs.mentor, text=CONCERN, by=pairs.mentor.user
    )
    manager_user = pairs.world.manager.user
    services.move_concern(concern, to="acknowledged", by=manager_user)
    services.move_concern(concern, to="resolved", by=manager_user)
    services.move_concern(concern, to="acknowledged", by=manager_user)

    page = _history_page(pairs, concern)

    manager_name = pairs.world.manager.full_name
    assertContains(page, f"Raised by the mentor, {pairs.mentor.full_name}", status_code=200)
    assertContains(page, f"Acknowledged by {manager_name}")
    assertContains(page, f"Marked as resolved by {manager_name}")
    assertContains(page, f"Reopened by {manager_name}")
    assertNotContains(page, "safety.concern_", status_code=200)


def test_a_concern_raised_by_the_mentee_says_so(pairs) -> None:  # type: ignore[no-untyped-def]
    concern = services.raise_concern(
        pairs.pairing, person=pairs.mentee, text=CONCERN, by=pairs.mentee.user
    )
    page = _history_page(pairs, concern)
    assertContains(page, f"Raised by the mentee, {pairs.mentee.full_name}", status_code=200)
    assertNotContains(page, "Raised by the mentor", status_code=200)


def test_a_change_by_a_deleted_account_still_reads_as_a_sentence(pairs) -> None:  # type: ignore[no-untyped-def]
    concern = services.raise_concern(
        pairs.pairing, person=pairs.mentor, text=CONCERN, by=pairs.mentor.user
    )
    services.move_concern(concern, to="acknowledged", by=None)
    assert Concern.objects.get().state == "acknowledged"
    page = _history_page(pairs, concern)
    assertContains(page, "Acknowledged by someone who no longer has an account", status_code=200)
