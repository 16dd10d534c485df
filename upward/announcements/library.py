"""Ready-made announcements for the moments programme guides say to mark: the launch, the
kick-off, a mid-point check and the closing celebration. Written in our own words; the manager
edits them before sending. `{programme}`, `{starts_on}` and `{ends_on}` are filled in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from upward.announcements.models import TITLE_MAX


@dataclass(frozen=True)
class ReadyMade:
    key: str
    label: StrOrPromise
    audience: str
    title: StrOrPromise
    body: StrOrPromise


READY_MADE: tuple[ReadyMade, ...] = (
    ReadyMade(
        "launch",
        _("Launch: the programme is under way"),
        "everyone",
        _("Welcome to {programme}"),
        _(
            "Thank you for joining {programme}. It runs from {starts_on} to {ends_on}.\n\n"
            "Reverse mentoring turns the usual direction round: the mentor brings their own "
            "experience and the mentee, usually more senior, comes to listen and learn. Both "
            "of you give time, and both of you gain.\n\n"
            "Over the next few days you will hear who you are paired with. Until then, have a "
            "look at the resource library and think about what you hope to take from the "
            "programme.\n\n"
            "If anything worries you at any point, the programme team is here to help."
        ),
    ),
    ReadyMade(
        "kick-off",
        _("Kick-off: first meetings"),
        "everyone",
        _("Time for your first meeting"),
        _(
            "Your pairings for {programme} are in place. Now is a good time to book your first "
            "meeting, if you have not already.\n\n"
            "A first meeting works best when it is about getting to know each other: what you "
            "each do, what you hope for, and how you would like to work together. Agree how "
            "often you will meet and write it into your agreement, so you both know what to "
            "expect.\n\n"
            "Remember that what is said in your meetings stays between the two of you, unless "
            "someone could come to harm."
        ),
    ),
    ReadyMade(
        "mid-point",
        _("Mid-point check: how is it going?"),
        "everyone",
        _("Halfway through {programme}"),
        _(
            "We are about halfway through {programme}, which ends on {ends_on}.\n\n"
            "Take a moment with your partner to look back at what you set out to do. What has "
            "changed for you so far? Is there something you still want to explore before the "
            "end?\n\n"
            "If meetings have become hard to fit in, that is common at this stage. Try a "
            "shorter meeting, or tell the programme team if you would like some help."
        ),
    ),
    ReadyMade(
        "closing",
        _("Closing celebration: thank you"),
        "everyone",
        _("Thank you for taking part in {programme}"),
        _(
            "{programme} comes to an end on {ends_on}. Thank you for the time, honesty and "
            "care you brought to it.\n\n"
            "Before you finish, talk with your partner about what you each learned and what "
            "you will do differently from now on. Please also answer the closing survey: it "
            "shows what the programme changed, and helps shape the next one.\n\n"
            "We will be in touch about how we will mark the end together."
        ),
    ),
)

READY_MADE_BY_KEY = {item.key: item for item in READY_MADE}


def filled(item: ReadyMade, programme: Any) -> dict[str, str]:
    """The ready-made title and message with the programme's name and dates in them."""
    values = {
        "programme": programme.name,
        "starts_on": date_format(programme.starts_on, "j F Y"),
        "ends_on": date_format(programme.ends_on, "j F Y"),
    }
    # format_map on our own text only; the programme's name is a value, never a template.
    return {
        "title": str(item.title).format_map(values)[:TITLE_MAX],
        "body": str(item.body).format_map(values),
        "audience": item.audience,
    }
