"""What an htmx action tells a screen-reader user (docs/accessibility.md).

`announce(response, text)` asks the page to read `text` from its live region (#announcer in
base.html, filled by static/js/a11y.js) once the swapped content has settled. The message is
plain text: it goes into the live region with textContent, never as HTML.
"""

from __future__ import annotations

from django.http import HttpResponse
from django_htmx.http import trigger_client_event


def announce(response: HttpResponse, text: str) -> HttpResponse:
    return trigger_client_event(response, "announce", {"message": str(text)}, after="settle")
