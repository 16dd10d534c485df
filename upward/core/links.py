"""Links to Upward's own pages: made absolute in one place, stored relative everywhere.

Emails, invitations and calendar files leave the site, so their links must be absolute:
`absolute_url(path)` joins a path to `settings.SITE_URL` (set per deployment; `make run` derives
it from HOST and PORT). Anything stored in the database (a notification's link) keeps only the
path, so it still works after the site moves to another host or port: `relative_path(url)`
turns a link to our own site into its path, and refuses a link to anybody else's.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

# Host names that always mean "this machine": links stored by a development server on another
# port, or before SITE_URL was set, point here.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ForeignLinkError(ValueError):
    """A link that points outside Upward where only our own pages are allowed."""


def absolute_url(path: str) -> str:
    """The absolute address of one of our pages, for text that leaves the site."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"absolute_url() takes a path that starts with one '/', not {path!r}")
    return settings.SITE_URL.rstrip("/") + path


def own_hosts() -> set[str]:
    """Host names (without port) that are this site's: SITE_URL's, ALLOWED_HOSTS' and local."""
    hosts = set(LOCAL_HOSTS)
    site_host = urlsplit(settings.SITE_URL).hostname
    if site_host:
        hosts.add(site_host.lower())
    for host in settings.ALLOWED_HOSTS:
        if host and host != "*" and not host.startswith("."):
            hosts.add(host.lower())
    return hosts


def is_own_site(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    return parts.hostname.lower() in own_hosts()


def relative_path(url: str) -> str:
    """The path (with query and fragment) of a link to our own site; "" stays "".

    A path is returned unchanged. An absolute link to this site, whatever its port or scheme,
    loses its scheme and host. Anything else (another site, a protocol-relative `//host`,
    a `javascript:` link) raises ForeignLinkError: stored links never leave the site.
    """
    if not url:
        return ""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    if not is_own_site(url):
        raise ForeignLinkError(f"Only links to Upward's own pages can be stored, not {url!r}")
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    if parts.fragment:
        path += f"#{parts.fragment}"
    return path
