"""The organisation's logo: upload rules, saving and removal (services for one small concept).

Only PNG and JPEG are accepted, at most MAX_BYTES, and only what Pillow can open and verify as
that format: the extension and the browser's content type are not trusted. The image is then
scaled down to fit MAX_SIDE and saved again as a PNG, so what is stored is an image Upward made
itself, without the original's metadata.
"""

from __future__ import annotations

import io
import warnings

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from upward.core.audit import record
from upward.core.errors import DomainError
from upward.core.types import Actor
from upward.organisations.models import Organisation, OrganisationLogo

MAX_BYTES = 1024 * 1024
# The longest side kept: plenty for a logo printed a few centimetres wide.
MAX_SIDE = 1200
MIN_SIDE = 16
# Refuse images that would take a lot of memory to open (a "decompression bomb").
MAX_PIXELS = 25_000_000
FORMATS = {"PNG", "JPEG"}


def clean_logo(upload: UploadedFile) -> tuple[bytes, int, int]:
    """The PNG to store and its size, or DomainError saying what is wrong with the upload."""
    if upload.size is None or upload.size == 0:
        raise DomainError(_("The file is empty."), field="logo")
    if upload.size > MAX_BYTES:
        raise DomainError(_("The logo must be 1 MB or smaller."), field="logo")
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    upload.seek(0)
    not_an_image = DomainError(_("Upload the logo as a PNG or JPEG image."), field="logo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise not_an_image
                if probe.width * probe.height > MAX_PIXELS:
                    raise DomainError(
                        _("The image is too large: keep it under 5,000 pixels a side."),
                        field="logo",
                    )
                probe.verify()
            # verify() leaves the image unusable: open it again to read the pixels.
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()
                if min(opened.size) < MIN_SIDE:
                    raise DomainError(
                        _("The image is too small: make it at least 16 pixels on each side."),
                        field="logo",
                    )
                clean = opened.convert("RGBA" if _has_alpha(opened) else "RGB")
                clean.thumbnail((MAX_SIDE, MAX_SIDE))
                out = io.BytesIO()
                clean.save(out, format="PNG", optimize=True)
                return out.getvalue(), clean.width, clean.height
    except DomainError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise not_an_image from exc


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def set_organisation_logo(
    organisation: Organisation, *, upload: UploadedFile, by: Actor
) -> OrganisationLogo:
    png, width, height = clean_logo(upload)
    with transaction.atomic():
        logo, created = OrganisationLogo.objects.update_or_create(
            organisation=organisation, defaults={"image": png, "width": width, "height": height}
        )
        record(
            "organisation.logo_set",
            organisation,
            by=by,
            organisation=organisation,
            data={"replaced": not created, "width": width, "height": height},
        )
    return logo


def remove_organisation_logo(organisation: Organisation, *, by: Actor) -> bool:
    with transaction.atomic():
        deleted, _rows = OrganisationLogo.objects.filter(organisation=organisation).delete()
        if deleted:
            record("organisation.logo_removed", organisation, by=by, organisation=organisation)
    return bool(deleted)


def logo_png(organisation: Organisation) -> bytes | None:
    """The stored PNG, for a document; None when the organisation has not set one."""
    data = (
        OrganisationLogo.objects.filter(organisation=organisation)
        .values_list("image", flat=True)
        .first()
    )
    return bytes(data) if data else None


def current_logo(organisation: Organisation) -> OrganisationLogo | None:
    """The logo's record without its bytes (for the settings page), or None."""
    return OrganisationLogo.objects.filter(organisation=organisation).defer("image").first()
