"""The programme report page, its print version and its PDF: permissions, sections, escaping."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader
from pytest_django.asserts import assertContains, assertNotContains

from upward.core.models import AuditEvent
from upward.impact.services import add_commitment, set_commitment_status
from upward.impact.tests.helpers import at, meeting
from upward.organisations.models import OrganisationLogo
from upward.recruitment.models import Invitation
from upward.safety.services import submit_pulse
from upward.testing.factories import level, person_with_account
from upward.testing.workspace import make_pairing

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
    assertContains(response, "<dt>Total hours</dt><dd>2.2</dd>", html=True)  # 135 minutes
    assertContains(response, "<dt>Hours per mentor</dt><dd>—</dd>", html=True)
    assertNotContains(response, "<dd>1.1</dd>", html=True)  # 67.5 minutes each
    text = pdf_text(client.get(report_url(world, "insight:programme_report_pdf")).content)
    assert "Total hours 2.2" in " ".join(text.split())
    assert "Hours per mentor —" in " ".join(text.split())
    assert "mentor 1.1" not in " ".join(text.split())


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


SECRET_PLAN = "Secret plan: move the board meeting"
SECRET_PULSE = "Secret pulse: I felt unsafe"


def test_commitments_show_as_counts_never_their_text(world, pairs) -> None:  # type: ignore[no-untyped-def]
    """Six leaders, one commitment each: counts by status and theme, small themes hidden."""
    owners = [(pairs.pairing, pairs.mentee), (pairs.other, pairs.other_mentee)]
    for i in range(4):
        mentor = person_with_account(
            organisation=world.org, level=level(world.org, 2), email=f"cm{i}@northwind.test"
        )
        mentee = person_with_account(
            organisation=world.org, level=level(world.org, 8), email=f"ce{i}@northwind.test"
        )
        owners.append((make_pairing(world.programme, mentor=mentor, mentee=mentee), mentee))
    for i, (pairing, owner) in enumerate(owners):
        item = add_commitment(
            pairing,
            owner=owner,
            kind="commitment",
            text=f"{SECRET_PLAN} {i}",
            theme="hiring" if i < 5 else "meetings",
            by=None,
        )
        if i < 2:
            set_commitment_status(item, status="done", by=None)
    client = world.client_for(world.manager)
    response = client.get(report_url(world))
    assertContains(response, "6 commitments")
    assertContains(response, "from 6 leaders;")
    # Two done and four not reported yet: both under five, so by status only dashes.
    assertContains(response, "done or in progress: —.")
    assertContains(response, 'id="chart-commitments"')
    # Five of six are about hiring: showing that 5 would tell that the sixth is about meetings,
    # so secondary suppression hides the hiring count with the small one.
    assertContains(
        response,
        '<tr><th scope="row">Hiring and promotion</th><td class="num">—</td></tr>',
        html=True,
    )
    assertNotContains(response, SECRET_PLAN)
    text = pdf_text(client.get(report_url(world, "insight:programme_report_pdf")).content)
    assert "6 commitments" in text
    assert SECRET_PLAN not in text


def test_a_pulse_from_fewer_than_five_shows_no_averages_and_never_a_comment(world, pairs) -> None:  # type: ignore[no-untyped-def]
    for days in (30, 20, 10):
        held = meeting(pairs.pairing, timezone.now() - dt.timedelta(days=days))
        submit_pulse(
            held,
            person=pairs.mentor,
            spoke_openly=1,
            felt_listened_to=2,
            worth_my_time=2,
            comment=SECRET_PULSE,
            by=pairs.mentor.user,
        )
    client = world.client_for(world.manager)
    response = client.get(report_url(world))
    assertContains(response, "Averages show once at least 5 mentors have answered.")
    assertNotContains(response, "I could speak openly")
    assertNotContains(response, SECRET_PULSE)
    text = pdf_text(client.get(report_url(world, "insight:programme_report_pdf")).content)
    assert "Averages show once at least 5 mentors have answered." in text
    assert SECRET_PULSE not in text
