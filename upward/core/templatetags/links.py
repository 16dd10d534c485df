"""`{% absolute_url path %}`: a page's full address for people to copy and share, from SITE_URL
(upward.core.links), the same as in emails; never from the request's Host header."""

from __future__ import annotations

from django import template

from upward.core import links

register = template.Library()


@register.simple_tag
def absolute_url(path: str) -> str:
    return links.absolute_url(path)
