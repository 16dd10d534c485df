"""Every main page of the foundation, as the person who would use it, in a real browser.

Each page is screenshotted into artifacts/screenshots/ and checked with axe-core (serious and
critical violations fail). The assertions check that each page shows what it is for, so a page
that renders the wrong thing (or an error page) fails here, not only in a screenshot review.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from upward.organisations.models import Topic
from upward.recruitment.models import Application
from upward.recruitment.tests.helpers import apply, open_recruitment, question
from upward.testing.factories import TopicFactory

BAD_CSV = (
    "email,full_name,job_title,level,manager_email\n"
    "new.starter@northwind.test,New Starter,Analyst,3,\n"
    "not-an-email,Nobody Known,Analyst,3,\n"
    "lee@northwind.test,,Designer,42,nobody@northwind.test\n"
)


def _recruiting(world):  # type: ignore[no-untyped-def]
    """world.programme open for recruitment, with topics, a question and two applications."""
    for name in ("Data analysis", "Social media"):
        TopicFactory(organisation=world.org, name=name, kind=Topic.Kind.SKILL)
    programme = open_recruitment(
        world.programme,
        mentor_level_max=world.applicant.level,
        mentee_level_min=world.senior.level,
    )
    question(programme, text="What would you like your partner to know about you?", required=False)
    applied = apply(programme, world.applicant, role="mentor")
    apply(programme, world.senior, role="mentee", motivation="I want to hear what I miss.")
    return programme, applied


def _heading(visitor, name) -> None:  # type: ignore[no-untyped-def]
    heading = visitor.page.get_by_role("heading", level=1)
    assert re.search(name, heading.inner_text(), re.I), heading.inner_text()


@pytest.mark.django_db(transaction=True)
def test_directory_and_setup_pages(visitor_factory, world):
    admin = visitor_factory("admin")
    admin.sign_in(world.admin.email)

    admin.go("/people/")
    _heading(admin, "People")
    assert admin.page.get_by_role("link", name="Jess Junior").is_visible()
    admin.look("people")

    admin.page.get_by_role("link", name="Jess Junior").click()
    admin.page.wait_for_url(re.compile(r"/people/\d+/$"))
    _heading(admin, "Jess Junior")
    admin.look("person")

    admin.go(f"/people/{world.applicant.pk}/edit/")
    assert admin.page.get_by_label("Full name").input_value() == "Jess Junior"
    admin.look("person-edit")

    admin.go("/people/new/")
    admin.page.get_by_role("button", name=re.compile("^(Add|Save)")).click()
    assert admin.page.locator(".errorlist").first.is_visible()
    admin.look("person-new-errors")

    admin.go("/people/import/")
    _heading(admin, "Import people")
    admin.look("import")
    admin.page.locator("input[type=file]").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": BAD_CSV.encode()}
    )
    admin.page.get_by_role("button", name="Upload and preview").click()
    admin.page.wait_for_url(re.compile(r"/people/import/\d+/$"))
    assert admin.page.get_by_text(re.compile("row 3", re.I)).first.is_visible()
    admin.look("import-preview-errors")

    admin.go("/people/setup/")
    _heading(admin, "setup")
    admin.look("setup")
    admin.go("/people/setup/topics/new/")
    admin.look("topic-new")


@pytest.mark.django_db(transaction=True)
def test_programme_pages(visitor_factory, world):
    programme, _ = _recruiting(world)
    admin = visitor_factory("admin")
    admin.sign_in(world.admin.email)

    admin.go("/programmes/")
    assert admin.page.get_by_role("link", name=programme.name).is_visible()
    admin.look("list")
    admin.go("/programmes/?state=active")
    assert admin.page.get_by_role("heading", name="No programmes at this stage").is_visible()
    admin.look("list-empty-filter")

    admin.go("/programmes/new/")
    admin.page.get_by_role("button", name="Create draft").click()
    assert admin.page.get_by_role("alert").first.is_visible()
    admin.look("create-errors")

    admin.go(f"/programmes/{programme.pk}/")
    _heading(admin, programme.name)
    assert admin.page.get_by_text("Sign-up is open.").is_visible()
    admin.look("detail")

    admin.go(f"/programmes/{programme.pk}/edit/")
    _heading(admin, "Design")
    admin.look("edit")
    admin.go(f"/programmes/{programme.pk}/questions/")
    assert admin.page.get_by_role(
        "cell", name="What would you like your partner to know about you?", exact=True
    ).is_visible()
    admin.look("questions")
    admin.go(f"/programmes/{programme.pk}/managers/")
    _heading(admin, "Managers")
    admin.look("managers")
    admin.go(f"/programmes/{programme.pk}/move/matching/")
    admin.look("confirm-move")

    admin.go(f"/programmes/join/{programme.signup_token}/")
    assert admin.page.get_by_role("link", name="Apply now").first.is_visible()
    admin.look("public")


@pytest.mark.django_db(transaction=True)
def test_recruitment_pages(visitor_factory, world):
    programme, application = _recruiting(world)

    manager = visitor_factory("manager")
    manager.sign_in(world.manager.email)
    manager.go(f"/programmes/{programme.pk}/applications/")
    assert manager.page.get_by_role("link", name="Jess Junior").is_visible()
    assert manager.page.get_by_role("link", name="Sam Senior").is_visible()
    manager.look("review")
    manager.go(f"/programmes/{programme.pk}/applications/?q=nobody-at-all")
    assert manager.page.get_by_role("heading", name=re.compile("No applications match")).count()
    manager.look("review-no-match")
    manager.go(f"/programmes/{programme.pk}/applications/{application.pk}/")
    _heading(manager, "Jess Junior")
    manager.page.get_by_label("Decline").check()
    manager.page.get_by_role("button", name=re.compile("^Save decision")).click()
    # expect() waits for the page the button leads to; is_visible() asked before it came.
    expect(manager.page.get_by_text("Write a short, kind message").first).to_be_visible()
    manager.look("review-detail-error")
    manager.go(f"/programmes/{programme.pk}/invitations/")
    _heading(manager, "invit")
    manager.look("invitations")

    applicant = visitor_factory("applicant")
    applicant.sign_in(world.applicant.email)
    applicant.look("dashboard")
    applicant.go(f"/applications/{application.pk}/")
    assert applicant.page.locator(".badge", has_text="Submitted").is_visible()
    applicant.look("my-application")
    applicant.page.get_by_role("link", name="Change answers").click()
    applicant.page.wait_for_url(re.compile(r"/edit/$"))
    _heading(applicant, "Change your application")
    applicant.look("edit-application")
    applicant.go(f"/applications/{application.pk}/withdraw/")
    assert applicant.page.get_by_role("button", name=re.compile("withdraw", re.I)).is_visible()
    applicant.look("withdraw-confirm")
    assert Application.objects.get(pk=application.pk).status == "submitted"


@pytest.mark.django_db(transaction=True)
def test_account_pages(visitor_factory, world):
    visitor = visitor_factory("anonymous")
    visitor.go("/accounts/login/")
    _heading(visitor, "Sign in")
    visitor.look("sign-in")
    visitor.go("/accounts/signup/")
    _heading(visitor, "Create|Sign up")
    visitor.look("sign-up")
    visitor.page.get_by_label("Work email").fill("new.person@northwind.test")
    visitor.page.get_by_label("Password", exact=True).fill("correct horse battery")
    visitor.page.get_by_label("Type the password again").fill("a different one")
    visitor.page.get_by_role("button", name="Create account").click()
    again = visitor.page.get_by_label("Type the password again")
    assert again.get_attribute("aria-invalid") == "true"
    assert visitor.page.locator(".errorlist").first.is_visible()
    assert visitor.page.get_by_label("Work email").input_value() == "new.person@northwind.test"
    visitor.look("sign-up-errors")
    visitor.go("/accounts/password/reset/")
    _heading(visitor, "password")
    visitor.look("password-reset")
    visitor.page.get_by_label("Email").fill(world.applicant.email)
    visitor.page.get_by_role("button", name=re.compile("reset", re.I)).click()
    visitor.page.wait_for_url(re.compile(r"/password/reset/done/$"))
    visitor.look("password-reset-sent")

    person = visitor_factory("person")
    person.sign_in(world.applicant.email)
    person.go("/accounts/email/")
    assert person.page.get_by_text(world.applicant.email).first.is_visible()
    person.look("email")
    person.go("/accounts/password/change/")
    _heading(person, "password")
    person.look("password-change")
    person.go("/accounts/2fa/")
    _heading(person, "Two-factor")
    person.look("mfa")


@pytest.mark.django_db(transaction=True)
def test_key_pages_on_a_phone(visitor_factory, world):
    programme, _ = _recruiting(world)
    phone = visitor_factory("phone-admin")
    phone.page.set_viewport_size({"width": 390, "height": 844})
    phone.sign_in(world.admin.email)
    for path, name in [
        ("/people/", "people"),
        (f"/programmes/{programme.pk}/", "programme"),
        (f"/programmes/{programme.pk}/applications/", "review"),
    ]:
        phone.go(path)
        phone.look(name)
        # Nothing may push the page sideways: wide tables scroll inside their own box.
        overflow = phone.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than the phone screen"

    applicant = visitor_factory("phone-applicant")
    applicant.page.set_viewport_size({"width": 390, "height": 844})
    applicant.go(f"/programmes/join/{programme.signup_token}/")
    applicant.look("public")
    applicant.sign_in(world.other_applicant.email)
    applicant.go(f"/join/{programme.signup_token}/apply/?role=mentor")
    applicant.look("apply")
    overflow = applicant.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
