"""The HTML part every email carries beside its text: one layout, one call to action.

The text part stays the email's source of truth (it is what the outbox always sends and what the
in-app notice shows). The HTML part is made from it here: the organisation's name at the top, the
text as paragraphs, one button-styled link to the action, and a footer saying why the person got
the email and, when they have an account, where to change which emails they get.

Autoescape stays on: every name, title and organisation name in the text was written by
someone, so it is printed as text, never as markup. Styles are inline because mail programs
ignore style sheets; the site's Content-Security-Policy does not apply to email.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from upward.core.links import absolute_url, is_own_site


@dataclass(frozen=True)
class Action:
    """The one thing the email asks the reader to do: a label and an absolute link."""

    label: str
    url: str


@dataclass(frozen=True)
class ListItem:
    text: str
    url: str = ""


@dataclass(frozen=True)
class Block:
    """A paragraph of the text, or a list when every line of it is an item ("- …"), each
    optionally followed by its link on an indented line (the weekly summary)."""

    text: str = ""
    items: tuple[ListItem, ...] = field(default=())


ITEM = re.compile(r"^- (?P<text>.+)$")
ITEM_LINK = re.compile(r"^\s+(?P<url>https?://\S+)$")


def _block(paragraph: str) -> Block:
    items: list[ListItem] = []
    for line in paragraph.splitlines():
        item, link = ITEM.match(line), ITEM_LINK.match(line)
        if item:
            items.append(ListItem(item["text"].strip()))
        elif link and items and not items[-1].url and is_own_site(link["url"]):
            # Only links to our own pages become links: never one a line break in someone's
            # text could slip in.
            items[-1] = ListItem(items[-1].text, link["url"])
        else:
            return Block(text=paragraph)
    return Block(items=tuple(items))


def default_reason() -> str:
    return _("You are getting this email because you take part in a programme run in Upward.")


def preferences_url() -> str:
    return absolute_url(reverse("notifications:preferences"))


def blocks(text: str, *, without: str = "") -> tuple[list[Block], list[Block]]:
    """`paragraphs`, with each list of items ("- …") made a list."""
    before, after = paragraphs(text, without=without)
    return [_block(p) for p in before], [_block(p) for p in after]


def paragraphs(text: str, *, without: str = "") -> tuple[list[str], list[str]]:
    """The text's paragraphs (split at blank lines) for the HTML part, as the ones before the
    button and the ones after it.

    A line that only carries the action's link ("Open it in Upward: https://…") is left out
    and the button goes where it stood, so the HTML part shows one call to action where the
    text asks for it (at the end when the text has no such line). The text's own footer,
    below a "--" line, is left out too: the HTML footer says the same.
    """
    blocks: list[str] = []
    current: list[str] = []
    button_after: int | None = None
    for line in text.strip().splitlines():
        if line.strip() == "--":
            break
        if without and (line.strip() == without or line.rstrip().endswith(" " + without)):
            if button_after is None:
                # After the paragraph that leads to the link ("… are here:"), if any.
                button_after = len(blocks) + (1 if current else 0)
            continue
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    if button_after is None:
        return blocks, []
    return blocks[:button_after], blocks[button_after:]


def render_html(
    *,
    subject: str,
    text: str,
    action: Action | None = None,
    organisation: str = "",
    reason: str = "",
    preferences: str = "",
) -> str:
    """The HTML part of an email whose text part is `text`."""
    if action is not None and not action.url.startswith(("https://", "http://")):
        action = None  # only ever a web link: never javascript: or a relative path
    before, after = blocks(text, without=action.url if action else "")
    return render_to_string(
        "notifications/email/layout.html",
        {
            "subject": subject,
            "paragraphs": before,
            "after": after,
            "action": action,
            "organisation": organisation,
            "reason": reason or default_reason(),
            "preferences": preferences,
        },
    )
