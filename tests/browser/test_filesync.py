"""HR file sync in a real browser: an admin sets up a folder source, checks the file now, and
follows the run to the import preview. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

CSV = (
    "email,full_name,job_title\n"
    "ada@northwind.test,Ada Admin,Chief of staff\n"
    "nia@northwind.test,Nia New,Analyst\n"
    "<b>x@northwind.test</b>,<script>alert(1)</script>,Hostile\n"
)


@pytest.mark.django_db(transaction=True)
def test_an_admin_sets_up_file_sync_and_checks_now(world, visitor_factory, tmp_path, settings):  # type: ignore[no-untyped-def]
    settings.FILESYNC_ROOT = str(tmp_path)
    # Each organisation reads only its own folder, named by its slug.
    (tmp_path / world.org.slug).mkdir()
    (tmp_path / world.org.slug / "people-2026-12.csv").write_text(CSV)
    admin = visitor_factory("admin")
    admin.sign_in(world.admin.email)
    admin.go("/organisation/file-sync/")
    expect(admin.page.get_by_role("heading", level=1)).to_have_text("HR file sync")
    expect(admin.page.get_by_text("No runs yet")).to_be_visible()
    admin.look("empty")

    # Leavers on without the confirmation: refused with a message on the box.
    admin.page.get_by_label("A file in the shared folder").check()
    admin.page.get_by_label("File name in the shared folder").fill("people-*.csv")
    admin.page.get_by_label("Every day").check()
    admin.page.get_by_label("People missing from the file have left").check()
    admin.page.get_by_role("button", name="Save settings").click()
    expect(admin.page.get_by_text("Tick this box to confirm").last).to_be_visible()
    admin.look("confirm-leavers")
    admin.page.get_by_label("People missing from the file have left").uncheck()
    admin.page.get_by_role("button", name="Save settings").click()
    expect(admin.page.get_by_text("File sync settings saved.")).to_be_visible()

    admin.page.get_by_role("button", name="Check now").click()
    # Tests run tasks inline: the run has finished when the page comes back.
    row = admin.page.locator("table tbody tr").first
    expect(row).to_contain_text("people-2026-12.csv")
    expect(row).to_contain_text("The file has errors")
    admin.look("checked")
    row.get_by_role("link", name="people-2026-12.csv").click()
    expect(admin.page.get_by_role("heading", level=1)).to_contain_text("people-2026-12.csv")
    expect(admin.page.get_by_text("Row 4")).to_be_visible()
    admin.look("preview")
    admin.page.set_viewport_size({"width": 375, "height": 800})
    admin.go("/organisation/file-sync/")
    admin.look("narrow")
