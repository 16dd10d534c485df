"""Getting the HR file: newest match in the organisation's own folder under the operator's
shared folder, or a download.

Both return the file's name and bytes or raise FetchError with a message an admin can act on.
Nothing here touches the directory.
"""

from __future__ import annotations

import glob
import http.client
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from upward.core.outbound import check_outbound_url
from upward.organisations import importing


class FetchError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Fetched:
    filename: str
    content: bytes


def max_bytes() -> int:
    return int(getattr(settings, "FILESYNC_MAX_BYTES", importing.MAX_BYTES))


def _too_big() -> FetchError:
    return FetchError(
        _("The file is larger than %(limit)s MB, so it was not read. Split the export.")
        % {"limit": max_bytes() // (1024 * 1024)}
    )


# ---------------------------------------------------------------------------------------------
# The shared folder


def folder_root() -> Path | None:
    root = str(getattr(settings, "FILESYNC_ROOT", "") or "")
    return Path(root).resolve() if root else None


def organisation_folder(slug: str) -> Path | None:
    """The only folder an organisation reads from: FILESYNC_ROOT/<organisation slug>/."""
    root = folder_root()
    if root is None or not slug or "/" in slug or "\\" in slug or slug in (".", ".."):
        return None
    return root / slug


def check_pattern(pattern: str) -> str:
    """A relative file name or glob inside the organisation's folder, else ValidationError."""
    text = pattern.strip().replace("\\", "/")
    if not text:
        raise ValidationError(_("Enter the file name, for example people.csv or people-*.csv."))
    parts = PurePosixPath(text).parts
    if text.startswith("/") or ".." in parts or (parts and ":" in parts[0]) or "**" in text:
        raise ValidationError(
            _(
                "Enter a name inside your organisation's folder, such as hr/people-*.csv: no "
                "leading slash, drive letter, “..” or “**”."
            )
        )
    return text


def fetch_folder(pattern: str, *, organisation_slug: str) -> Fetched:
    """The newest file matching `pattern` under the organisation's own folder, never elsewhere.

    Whatever the reason nothing usable matched (no such file, a link leading out of the folder,
    the folder missing), the message is the same, so it says nothing about other folders."""
    root = folder_root()
    if root is None or not root.is_dir():
        raise FetchError(
            _(
                "The shared folder is not set up on this server. Ask whoever runs Upward to set "
                "UPWARD_FILESYNC_ROOT."
            )
        )
    try:
        pattern = check_pattern(pattern)
    except ValidationError as exc:
        raise FetchError(exc.messages[0]) from exc
    not_found = FetchError(
        _(
            "No file matching “%(pattern)s” was found in your organisation's folder "
            "(%(folder)s/ in the shared folder)."
        )
        % {"pattern": pattern, "folder": organisation_slug}
    )
    base = organisation_folder(organisation_slug)
    if base is None:
        raise not_found
    # The organisation's folder must be a real folder, not a link (to another one's, say).
    real_base = Path(os.path.realpath(base))
    if real_base != base or not real_base.is_dir():
        raise not_found
    inside: list[tuple[float, Path]] = []
    for match in glob.glob(glob.escape(str(real_base)) + "/" + pattern):
        # The real place of the file, every symbolic link followed: it must still be inside.
        real = Path(os.path.realpath(match))
        if not real.is_relative_to(real_base):
            continue
        if real.is_file():
            inside.append((real.stat().st_mtime, real))
    if not inside:
        raise not_found
    _mtime, newest = max(inside)
    limit = max_bytes()
    try:
        # O_NOFOLLOW: a file swapped for a link after the check above is not followed.
        fd = os.open(newest, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            content = handle.read(limit + 1)
    except OSError as exc:
        raise FetchError(
            _("The file %(name)s could not be read (%(problem)s).")
            % {"name": newest.name, "problem": exc.strerror or type(exc).__name__}
        ) from exc
    if len(content) > limit:
        raise _too_big()
    return Fetched(filename=newest.name, content=content)


# ---------------------------------------------------------------------------------------------
# A web address


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        # A redirect could lead to an address check_outbound_url would refuse.
        raise FetchError(
            _("The address answered with a redirect. Enter the final address of the file.")
        )


def fetch_url(url: str, *, authorization: str = "") -> Fetched:
    try:
        url = check_outbound_url(url)
    except ValidationError as exc:
        raise FetchError(exc.messages[0]) from exc
    timeout = float(getattr(settings, "FILESYNC_TIMEOUT_SECONDS", 30))
    request = urllib.request.Request(url, headers={"User-Agent": "Upward file sync"})  # noqa: S310 (checked above)
    if authorization:
        request.add_header("Authorization", authorization)
    opener = urllib.request.build_opener(_NoRedirects)
    limit = max_bytes()
    try:
        with opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise _too_big()
            content = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise FetchError(_http_message(exc.code)) from exc
    except TimeoutError as exc:
        raise FetchError(
            _("The address did not answer within %(seconds)s seconds.") % {"seconds": int(timeout)}
        ) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise FetchError(
                _("The address did not answer within %(seconds)s seconds.")
                % {"seconds": int(timeout)}
            ) from exc
        raise FetchError(
            _("The address could not be reached (%(problem)s).") % {"problem": exc.reason}
        ) from exc
    except (http.client.HTTPException, OSError) as exc:
        raise FetchError(
            _("The download broke off (%(problem)s). It is tried again next time.")
            % {"problem": type(exc).__name__}
        ) from exc
    if len(content) > limit:
        raise _too_big()
    name = PurePosixPath(urllib.parse.urlsplit(url).path).name or "download"
    return Fetched(filename=name, content=content)


def _http_message(status: int) -> str:
    if status in (401, 403):
        return _(
            "The address refused access (HTTP %(status)s). Check the authorization header."
        ) % {"status": status}
    if status == 404:
        return _("Nothing was found at the address (HTTP 404). Check the address.")
    if status >= 500:
        return _(
            "The server holding the file had a problem (HTTP %(status)s). It is tried again "
            "next time."
        ) % {"status": status}
    return _("The address answered HTTP %(status)s instead of the file.") % {"status": status}
