"""The email about a new safeguarding contact greets its reader once: the new contact reads
"has named you", everyone else reads the contact's name."""

from __future__ import annotations

from django.core import mail

from upward.safety import services


def test_the_new_contact_is_told_about_themselves_as_you(
    world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    contact = world.senior
    with django_capture_on_commit_callbacks(execute=True):
        services.add_safeguarding_contact(world.org, person=contact, by=None)
    bodies = {m.to[0]: str(m.body) for m in mail.outbox}
    own = bodies[contact.email]
    assert "has named you a safeguarding contact" in own
    assert f"has named {contact.full_name}" not in own
    others = [body for to, body in bodies.items() if to != contact.email]
    assert others, "the org admin hears of it too"
    assert all(f"has named {contact.full_name} a safeguarding contact" in body for body in others)
