"""The meeting email never greets its reader and then names them as someone else
("Hello Richard Allen, Richard Allen has booked…")."""

from __future__ import annotations

import pytest
from django.core import mail

from upward.journey.tests.helpers import book

pytestmark = pytest.mark.django_db


def test_the_organiser_reads_you_and_the_partner_reads_the_organisers_name(
    pairs, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        book(pairs)
    bodies = {m.to[0]: str(m.body) for m in mail.outbox}
    organiser = bodies[pairs.mentee.email]  # the senior mentee books in this programme
    partner = bodies[pairs.mentor.email]
    assert organiser.startswith(f"Hello {pairs.mentee.full_name},")
    assert "You have booked a mentoring meeting" in organiser
    assert f"{pairs.mentee.full_name} has booked" not in organiser
    assert partner.startswith(f"Hello {pairs.mentor.full_name},")
    assert f"{pairs.mentee.full_name} has booked a mentoring meeting" in partner
