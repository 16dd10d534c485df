from __future__ import annotations

import pytest

from upward.notifications import services


@pytest.fixture
def make_notification():
    """A notification made through notify(), with a neutral template from the journey app."""
    counter = {"n": 0}

    def make(person, *, kind="meeting_reminder", key=None, subject="Time to book", url="/x/"):
        counter["n"] += 1
        return services.notify(
            person,
            kind=kind,
            subject=subject,
            template="journey/email/booking_reminder.txt",
            context={"person": person, "partner": person, "link": "https://x.test/"},
            url=url,
            dedupe_key=key or f"test:{counter['n']}",
        )

    return make
