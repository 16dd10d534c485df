"""Small set-up helpers for programme tests."""

from __future__ import annotations

from upward.programmes.models import Programme
from upward.recruitment.models import Application


def put_in_state(programme: Programme, state: str) -> Programme:
    """Test set-up only: jump straight to a state without the lifecycle's checks."""
    Programme.objects.filter(pk=programme.pk).update(state=state)
    programme.refresh_from_db()
    return programme


def apply(programme: Programme, person, role: str, status: str = "submitted") -> Application:  # type: ignore[no-untyped-def]
    return Application.objects.create(
        programme=programme,
        person=person,
        role=role,
        status=status,
        motivation="I would like to take part.",
        consent_terms=True,
    )


def accept_pair(programme: Programme, world) -> None:  # type: ignore[no-untyped-def]
    apply(programme, world.applicant, "mentor", "accepted")
    apply(programme, world.senior, "mentee", "accepted")
