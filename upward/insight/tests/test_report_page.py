"""The programme report page, its print version and its PDF: permissions, sections, escaping."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader
from pytest_django.asserts import assertContains, assertNotContains

from upward.core.models import AuditEvent
from upward.impact.tests.helpers import at, meeting
from upward.organisations.models import OrganisationLogo
from upward.recruitment.models import Invitation

pytestmark = pytest.mark.django_db


def report_url(world, name: str = "insight:programme_report") -> str:  # type: ignore[no-untyped-def]
    return reverse(name, args=[world.programme.pk])


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize(
    "name",
    ["insight:programme_report", "insight:programme_report_print", "insight:programme_report_pdf"],
)
def test_the_team_and_org_admins_may_open_the_report_others_get_404(world, name) -> None:  # type: ignore[no-untyped-def]
    url = report_url(world, name)
    assert world.client_for(world.manager).get(url).status_code == 200
    assert world.client_for(world.admin).get(url).status_code == 200
    for person in (world.other_manager, world.applicant, world.senior, world.outsider_admin):
        assert world.client_for(person).get(url).status_code == 404, person.full_name


def test_an_empty_programme_shows_every_section_with_its_empty_state(world) -> None:  # type: ignore[no-untyped-def]
    response = world.client_for(world.manager).get(report_url(world))
    assertContains(response, "Programme report")
    assertContains(response, "Not measurable yet")
    assertContains(response, "No survey question is linked to the success measure yet")
    assertContains(response, "No invitations or applications yet.")
    assertContains(response, "No pairs have started yet")
    assertContains(response, "No goals set yet.")
    assertContains(response, "No survey answers to compare yet.")
    assertContains(response, "No pulse responses yet.")
    assertContains(response, "No commitments recorded yet.")
    assertContains(response, "No mentor time recorded yet.")
    assertContains(response, "Retention is measured 6 and 12 months after")


def test_the_programme_tabs_link_to_the_report(world) -> None:  # type: ignore[no-untyped-def]
    response = world.client_for(world.manager).get(
        reverse("programmes:detail", args=[world.programme.pk])
    )
    assertContains(response, f'href="{report_url(world)}"')


def test_the_pdf_is_a_branded_report_and_its_download_is_audited(world, pairs) -> None:  # type: ignore[no-untyped-def]
    response = world.client_for(world.manager).get(
        report_url(world, "insight:programme_report_pdf")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    assert "Northwind Health" in text
    assert "Digital confidence 2027" in text
    assert "Recruitment by role" in text
    assert "Retention after the programme" in text
    entry = AuditEvent.objects.get(verb="export.programme_report")
    assert entry.object_id == str(world.programme.pk)
    assert entry.actor == world.manager.user


def test_a_hostile_programme_name_is_text_in_page_print_and_pdf(world, pairs) -> None:  # type: ignore[no-untyped-def]
    world.programme.name = '<script>alert("x")</script>'
    world.programme.save()
    client = world.client_for(world.manager)
    for name in ("insight:programme_report", "insight:programme_report_print"):
        response = client.get(report_url(world, name))
        assertNotContains(response, '<script>alert("x")</script>')
        assertContains(response, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
    response = client.get(report_url(world, "insight:programme_report_pdf"))
    assert '<script>alert("x")</script>' in pdf_text(response.content)


def test_small_groups_are_a_dash_in_page_and_pdf(world, pairs) -> None:  # type: ignore[no-untyped-def]
    """Two mentors gave time: the average per mentor would be close to each one's own figure."""
    meeting(pairs.pairing, at("2027-01-20"), minutes=60)
    meeting(pairs.other, at("2027-01-21"), minutes=75)
    client = world.client_for(world.manager)
    response = client.get(report_url(world))
    assertContains(response, "2.2 hours")  # the total: 135 minutes
    assertContains(response, "<dt>Average per mentor</dt><dd>—</dd>", html=True)
    assertNotContains(response, "1.1 hours")  # 67.5 minutes each
    text = pdf_text(client.get(report_url(world, "insight:programme_report_pdf")).content)
    assert "2.2 hours" in text
    assert "Average per mentor —" in " ".join(text.split())
    assert "1.1 hours" not in text


def test_the_print_version_has_no_site_navigation_and_open_tables(world, pairs) -> None:  # type: ignore[no-untyped-def]
    Invitation.objects.create(programme=world.programme, person=world.applicant, role="mentor")
    response = world.client_for(world.manager).get(
        report_url(world, "insight:programme_report_print")
    )
    assertContains(response, "Programme report: Digital confidence 2027")
    assertContains(response, "Northwind Health")
    assertContains(response, '<details class="chart__table" open>')
    assertNotContains(response, 'class="topbar"')
    assertNotContains(response, 'class="subnav')


def test_charts_on_the_page_carry_no_script_or_style(world, pairs) -> None:  # type: ignore[no-untyped-def]
    Invitation.objects.create(programme=world.programme, person=world.applicant, role="mentor")
    response = world.client_for(world.manager).get(report_url(world))
    assertContains(response, 'id="chart-funnel"')
    assertContains(response, "Show as a table")
    # The report itself (the site's layout loads its own script files from static/).
    report = response.content.decode().split('<div class="report">', 1)[1]
    assert report.count("<svg") == 1
    for unsafe in ("<script", "<style", "style=", "javascript:", " onerror=", " onload="):
        assert unsafe not in report, unsafe


def test_the_pdf_carries_the_organisations_logo(world) -> None:  # type: ignore[no-untyped-def]
    image = io.BytesIO()
    Image.new("RGB", (40, 20), (31, 95, 91)).save(image, format="PNG")
    OrganisationLogo.objects.create(
        organisation=world.org, image=image.getvalue(), width=40, height=20
    )
    response = world.client_for(world.manager).get(
        report_url(world, "insight:programme_report_pdf")
    )
    assert response.status_code == 200
    first = PdfReader(io.BytesIO(response.content)).pages[0]
    assert len(first.images) == 1
