"""The organisation's logo: only a real PNG or JPEG, within the limits, set by an admin."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from upward.core.errors import DomainError
from upward.core.models import AuditEvent
from upward.organisations import logo
from upward.organisations.models import OrganisationLogo

pytestmark = pytest.mark.django_db

URL = "/people/setup/logo/"


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (400, 120), **save: object) -> bytes:
    mode = "RGBA" if fmt == "PNG" else "RGB"
    image = Image.new(mode, size, (31, 78, 121, 255) if mode == "RGBA" else (31, 78, 121))
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def upload(data: bytes, name: str = "logo.png", kind: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=kind)


def test_the_admin_uploads_a_logo_and_sees_it(world):
    client = world.client_for(world.admin)
    page = client.get(URL)
    assertContains(page, "No logo yet")
    response = client.post(URL, {"logo": upload(image_bytes())}, follow=True)
    assertContains(response, "Logo saved")
    assertContains(response, 'alt="Logo of Northwind Health"')
    stored = OrganisationLogo.objects.get(organisation=world.org)
    assert (stored.width, stored.height) == (400, 120)
    image = client.get("/people/setup/logo/image.png")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert bytes(image.content).startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(verb="organisation.logo_set").count() == 1


def test_a_jpeg_is_stored_as_a_clean_png_without_its_metadata(world):
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    data = image_bytes("JPEG", (3000, 1000), exif=exif.tobytes())
    stored = logo.set_organisation_logo(
        world.org, upload=upload(data, "logo.jpg", "image/jpeg"), by=None
    )
    png = bytes(stored.image)
    assert png.startswith(b"\x89PNG")
    assert b"Camera maker" not in png
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (1200, 400)  # scaled to fit, proportions kept


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (image_bytes("GIF"), "logo.gif", "PNG or JPEG"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "logo.png",
            "PNG or JPEG",
        ),
        (b"\x89PNG\r\n\x1a\nnot really a png", "logo.png", "PNG or JPEG"),
        (b"", "logo.png", "empty"),
        (image_bytes(size=(10, 10)), "logo.png", "too small"),
        (b"\x89PNG" + b"0" * (1024 * 1024), "logo.png", "1 MB or smaller"),
    ],
    ids=["gif", "svg-named-png", "broken-png", "empty", "tiny", "too-big"],
)
def test_bad_uploads_are_refused_with_a_reason(world, data, name, message):
    client = world.client_for(world.admin)
    response = client.post(URL, {"logo": upload(data, name)})
    assert response.status_code == 400
    assertContains(response, message, status_code=400)
    assert not OrganisationLogo.objects.exists()


def test_a_decompression_bomb_is_refused(world):
    # Few bytes, a huge pixel count: refused before the pixels are decoded.
    data = image_bytes(size=(6000, 6000), optimize=True)
    with pytest.raises(DomainError, match="too large"):
        logo.clean_logo(upload(data))


def test_removing_asks_first_then_removes(world):
    logo.set_organisation_logo(world.org, upload=upload(image_bytes()), by=None)
    client = world.client_for(world.admin)
    confirm = client.get("/people/setup/logo/remove/")
    assertContains(confirm, "Remove the logo?")
    assert OrganisationLogo.objects.exists()
    response = client.post("/people/setup/logo/remove/", follow=True)
    assertContains(response, "Logo removed")
    assert not OrganisationLogo.objects.exists()
    assert client.get("/people/setup/logo/image.png").status_code == 404


@pytest.mark.parametrize("who", ["manager", "applicant"])
def test_only_the_organisations_admins_may_see_or_change_it(world, who):
    logo.set_organisation_logo(world.org, upload=upload(image_bytes()), by=None)
    client = world.client_for(getattr(world, who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"logo": upload(image_bytes())}).status_code == 404
    assert client.post("/people/setup/logo/remove/").status_code == 404
    assert client.get("/people/setup/logo/image.png").status_code == 404
    assert OrganisationLogo.objects.filter(organisation=world.org).exists()


def test_another_organisations_admin_only_ever_reaches_their_own(world):
    logo.set_organisation_logo(world.org, upload=upload(image_bytes()), by=None)
    client = world.client_for(world.outsider_admin)
    page = client.get(URL)
    assertContains(page, "No logo yet")
    assertNotContains(page, "Northwind")
    assert client.get("/people/setup/logo/image.png").status_code == 404
    client.post("/people/setup/logo/remove/")
    assert OrganisationLogo.objects.filter(organisation=world.org).exists()


def test_the_setup_page_links_to_the_logo(world):
    page = world.client_for(world.admin).get("/people/setup/")
    assertContains(page, 'href="/people/setup/logo/"')
    assertNotContains(page, "No logo yet")
