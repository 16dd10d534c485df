"""The people import in a real browser: upload, preview, apply in the background, and a status
page whose progress bar follows the job by itself (htmx polling) until the summary replaces
it. Wide and narrow screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from upward.organisations import services
from upward.organisations.models import PeopleImport

CSV = (
    b"email,full_name,job_title,department\n"
    b"nia@northwind.test,Nia New,Analyst,Research\n"
    b"jess@northwind.test,Jess Junior,Graduate analyst,Digital\n"
)


@pytest.mark.django_db(transaction=True)
def test_import_applies_in_the_background_with_a_progress_bar(world, visitor_factory, tmp_path):  # type: ignore[no-untyped-def]
    admin = visitor_factory("admin")
    admin.sign_in(world.admin.email)
    admin.go("/people/import/")
    upload = tmp_path / "people.csv"
    upload.write_bytes(CSV)
    admin.page.locator("#id_file").set_input_files(str(upload))
    admin.page.get_by_role("button", name="Upload and preview").click()
    expect(admin.page.get_by_role("heading", level=1)).to_have_text("Preview of people.csv")
    admin.page.get_by_role("button", name="Apply import").click()
    # Tests run tasks inline, so the job has finished by the time the status page loads.
    expect(admin.page.get_by_role("heading", level=1)).to_have_text("Applied people.csv")
    expect(admin.page.get_by_text("Import applied.")).to_be_visible()
    expect(admin.page.locator(".stat", has_text="people added")).to_contain_text("1")
    admin.look("import-applied")

    # A large import part-way, as the worker leaves it between two chunks.
    big = services.start_people_import(
        world.org,
        by=world.admin.user,
        filename="whole-company.csv",
        content=b"email,full_name\nzed@northwind.test,Zed Last\n",
    )
    services.queue_people_import(big, by=world.admin.user)
    PeopleImport.objects.filter(pk=big.pk).update(
        status=PeopleImport.Status.RUNNING, total_rows=100_000, processed_rows=42_000
    )
    admin.go(f"/people/import/{big.pk}/status/")
    status = admin.page.locator("#import-progress")
    expect(status).to_contain_text("Rows applied: 42,000 of 100,000 (42%)")
    meter = admin.page.get_by_label("Rows applied: 42,000 of 100,000 (42%)")
    expect(meter).to_have_attribute("value", "42000")
    admin.look("import-progress")
    admin.page.set_viewport_size({"width": 375, "height": 800})
    admin.look("import-progress-narrow")
    admin.page.set_viewport_size({"width": 1280, "height": 900})

    # The page follows the job by itself: more rows, then the summary, with no reload.
    PeopleImport.objects.filter(pk=big.pk).update(processed_rows=86_000)
    expect(status).to_contain_text("Rows applied: 86,000 of 100,000 (86%)", timeout=6000)
    PeopleImport.objects.filter(pk=big.pk).update(
        status=PeopleImport.Status.APPLIED,
        processed_rows=100_000,
        result={"new": 99_000, "updated": 800, "unchanged": 150, "left": 50},
    )
    expect(status).to_contain_text("Import applied.", timeout=6000)
    expect(admin.page.locator(".stat", has_text="people added")).to_contain_text("99,000")
    admin.look("import-progress-done")
