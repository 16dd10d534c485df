"""The organisation's logo in a real browser: an admin finds it in organisation setup, a file
that is not a PNG or JPEG is refused with a reason, a logo is uploaded and shown, and removing
it asks first. Screenshots at 1280 and 375 px are saved as artifacts/screenshots/docsmail-*."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from upward.organisations.models import OrganisationLogo


def _logo_png() -> bytes:
    image = Image.new("RGBA", (900, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 230, 230), fill=(0, 122, 94, 255))
    draw.rectangle((260, 80, 880, 160), fill=(0, 122, 94, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"docsmail-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_an_admin_sets_and_removes_the_logo(visitor_factory, world):
    admin = visitor_factory("admin")
    admin.sign_in(world.admin.email)
    page = admin.page
    admin.go("/people/setup/")
    page.get_by_role("link", name="Set the logo").click()
    expect(page.get_by_role("heading", name="Organisation logo", level=1)).to_be_visible()
    expect(page.get_by_text("No logo yet")).to_be_visible()

    # A file that is not an image is refused, with the reason at the field.
    page.get_by_label("Logo (PNG or JPEG)").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": b"<svg></svg>"}]
    )
    page.get_by_role("button", name="Upload the logo").click()
    expect(page.get_by_text("Upload the logo as a PNG or JPEG image.").first).to_be_visible()
    assert page.title().startswith("Error:")
    admin.look("logo-refused")
    assert not OrganisationLogo.objects.exists()

    page.get_by_label("Logo (PNG or JPEG)").set_input_files(
        files=[{"name": "northwind.png", "mimeType": "image/png", "buffer": _logo_png()}]
    )
    page.get_by_role("button", name="Upload the logo").click()
    expect(page.get_by_text("Logo saved.")).to_be_visible()
    preview = page.get_by_role("img", name="Logo of Northwind Health")
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.naturalWidth") == 900
    # The preview never makes the page wider than the window.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    admin.look("logo-set")
    _shot(page, "logo-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, "logo-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Remove the logo").click()
    expect(page.get_by_role("heading", name="Remove the logo?")).to_be_visible()
    assert OrganisationLogo.objects.exists()
    admin.look("logo-remove-confirm")
    page.get_by_role("button", name="Remove the logo").click()
    expect(page.get_by_text("Logo removed.")).to_be_visible()
    expect(page.get_by_text("No logo yet")).to_be_visible()
    assert not OrganisationLogo.objects.exists()
