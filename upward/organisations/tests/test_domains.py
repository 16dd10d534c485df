"""Email domains: set by the operator, shown to admins, and enforced on every way a person is
added (the form, the service, the import), plus the account state admins see."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from pytest_django.asserts import assertNotContains

from upward.accounts.models import AccountInvitation
from upward.accounts.services import invite_person_to_upward
from upward.core.errors import Conflict, DomainError
from upward.core.models import AuditEvent
from upward.organisations import services
from upward.organisations.domains import email_domain, normalise_domain
from upward.organisations.models import Organisation, OrganisationDomain, PeopleImport, Person
from upward.organisations.services import PersonDetails
from upward.testing.factories import OrganisationFactory, PersonFactory, give_domain, level

FOREIGN = "That address belongs to another organisation's domain."


@pytest.fixture
def victim_org(db):
    return OrganisationFactory(name="Victim Council", slug="victim", domains=["victim.test"])


# ---------------------------------------------------------------------------------------------
# Writing domains down


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Example.ORG", "example.org"),
        ("  @acme.co.uk. ", "acme.co.uk"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_domains_are_written_one_way(text, expected):
    assert normalise_domain(text) == expected


@pytest.mark.parametrize(
    "text", ["", "localhost", "acme", "a@acme.example", "-acme.example", "acme..example", "1.2.3.4"]
)
def test_things_that_are_not_domains_are_refused(text):
    with pytest.raises(ValidationError, match="is not an email domain"):
        normalise_domain(text)


def test_an_address_is_in_its_domain_whatever_the_case():
    assert email_domain("Vic@Victim.TEST") == "victim.test"
    assert email_domain("not an address") == ""


def test_the_database_keeps_one_owner_per_domain_in_lower_case(victim_org):
    other = OrganisationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationDomain.objects.create(organisation=other, domain="victim.test")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationDomain.objects.create(organisation=other, domain="Upper.test")


def test_a_domain_taken_by_another_organisation_is_refused_with_its_owner(victim_org):
    other = OrganisationFactory()
    with pytest.raises(Conflict, match="already belongs to Victim Council"):
        services.add_organisation_domain(other, domain="VICTIM.test")
    services.remove_organisation_domain(victim_org, domain="victim.test")
    assert services.add_organisation_domain(other, domain="VICTIM.test") == "victim.test"
    verbs = list(AuditEvent.objects.values_list("verb", flat=True))
    assert "organisation.domain_removed" in verbs and "organisation.domain_added" in verbs


# ---------------------------------------------------------------------------------------------
# Commands


def test_create_organisation_takes_domains(db, capsys):
    call_command(
        "create_organisation",
        "--name",
        "Acme Ltd",
        "--slug",
        "acme",
        "--admin-email",
        "priya@acme.example",
        "--admin-name",
        "Priya Shah",
        "--domain",
        "Acme.example",
        "--domain",
        "acme.co.uk",
        "--no-invite",
    )
    org = Organisation.objects.get(slug="acme")
    assert sorted(org.domains.values_list("domain", flat=True)) == ["acme.co.uk", "acme.example"]
    out = capsys.readouterr().out
    assert "Email domains: acme.co.uk, acme.example" in out
    assert "can sign up at" in out


def test_create_organisation_refuses_a_bad_or_taken_domain_and_creates_nothing(victim_org):
    base = ["--name", "Acme", "--slug", "acme", "--admin-name", "Priya Shah"]
    with pytest.raises(CommandError, match="not an email domain"):
        call_command(
            "create_organisation", *base, "--admin-email", "p@acme.test", "--domain", "acme"
        )
    with pytest.raises(CommandError, match="already belongs to Victim Council"):
        call_command(
            "create_organisation", *base, "--admin-email", "p@acme.test", "--domain", "victim.test"
        )
    # Nor may its first admin have an address another organisation owns.
    with pytest.raises(CommandError, match="another organisation's domain"):
        call_command("create_organisation", *base, "--admin-email", "p@victim.test")
    assert not Organisation.objects.filter(slug="acme").exists()


def test_create_organisation_without_a_domain_says_people_join_by_invitation(db, capsys):
    call_command(
        "create_organisation",
        *["--name", "Acme", "--slug", "acme", "--admin-name", "Priya Shah"],
        *["--admin-email", "p@acme.test", "--no-invite"],
    )
    out = capsys.readouterr().out
    assert "Email domains: none" in out and "only by invitation" in out
    assert "can sign up at" not in out


def test_organisation_domains_command_adds_lists_and_removes(victim_org, capsys):
    call_command("organisation_domains", "add", "victim", "Victim.org.test", "victim2.test")
    assert "victim.org.test now belongs to Victim Council" in capsys.readouterr().out
    call_command("organisation_domains", "list")
    out = capsys.readouterr().out
    assert "victim\tVictim Council\tvictim.org.test, victim.test, victim2.test" in out
    call_command("organisation_domains", "remove", "victim", "victim2.test")
    call_command("organisation_domains", "list", "victim")
    assert "victim2.test" not in capsys.readouterr().out.split("belongs to")[-1]
    assert sorted(victim_org.domains.values_list("domain", flat=True)) == [
        "victim.org.test",
        "victim.test",
    ]


def test_organisation_domains_command_reports_errors_clearly(victim_org, capsys):
    other = OrganisationFactory(name="Acme", slug="acme")
    with pytest.raises(CommandError, match="No organisation has the short name “nope”"):
        call_command("organisation_domains", "add", "nope", "x.test")
    with pytest.raises(CommandError, match="Some domains were not changed"):
        call_command(
            "organisation_domains", "add", "acme", "victim.test", "not_a_domain", "ok.test"
        )
    err = capsys.readouterr().err
    assert "victim.test: victim.test already belongs to Victim Council." in err
    assert "not_a_domain: “not_a_domain” is not an email domain" in err
    assert list(other.domains.values_list("domain", flat=True)) == ["ok.test"]
    with pytest.raises(CommandError, match="Some domains were not changed"):
        call_command("organisation_domains", "remove", "acme", "victim.test")
    assert "Acme does not own victim.test." in capsys.readouterr().err
    assert victim_org.domains.filter(domain="victim.test").exists()


def test_organisation_domains_command_has_help(capsys):
    with pytest.raises(SystemExit, match=r"^0$"):  # --help exits with code 0
        call_command("organisation_domains", "--help")
    out = " ".join(capsys.readouterr().out.split())
    assert "Only add a domain after checking that the organisation owns it" in out
    assert "{list,add,remove}" in out


# ---------------------------------------------------------------------------------------------
# Adding and editing people


def details(email: str, **overrides) -> PersonDetails:
    return PersonDetails(email=email, full_name="Vic Tim", **overrides)


def test_an_admin_cannot_add_a_person_in_another_organisations_domain(world, victim_org):
    with pytest.raises(DomainError, match=FOREIGN) as caught:
        services.create_person(world.org, by=world.admin.user, details=details("Vic@VICTIM.test"))
    assert caught.value.field == "email"
    # Its own domain, and domains nobody owns, are fine.
    give_domain(world.org, "northwind.test")
    services.create_person(world.org, by=world.admin.user, details=details("vic@northwind.test"))
    services.create_person(world.org, by=world.admin.user, details=details("vic@mailbox.test"))
    services.create_person(victim_org, by=None, details=details("vic@victim.test"))
    assert not Person.objects.filter(organisation=world.org, email__iexact="vic@victim.test")


def test_the_add_form_shows_the_domain_error_on_the_email_field(world, victim_org):
    response = world.client_for(world.admin).post(
        "/people/new/",
        {
            "full_name": "Vic Tim",
            "email": "vic@victim.test",
            "level": level(world.org, 2).pk,
            "time_zone": "Europe/London",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert FOREIGN in response.context["form"].errors["email"]


def test_an_admin_cannot_move_a_person_into_another_organisations_domain(world, victim_org):
    person = PersonFactory(organisation=world.org, email="nia@mailbox.test")
    with pytest.raises(DomainError, match=FOREIGN):
        services.update_person(person, by=world.admin.user, details=details("vic@victim.test"))
    person.refresh_from_db()
    assert person.email == "nia@mailbox.test"


def test_a_person_added_before_the_domain_was_claimed_stays_editable(world, victim_org):
    legacy = PersonFactory(organisation=world.org, email="vic@victim.test")
    services.update_person(
        legacy, by=world.admin.user, details=details("VIC@victim.test", job_title="Lead")
    )
    legacy.refresh_from_db()
    assert legacy.job_title == "Lead"


def test_changing_an_email_revokes_open_invitations_with_an_audit_entry(world):
    person = PersonFactory(organisation=world.org, email="nia@mailbox.test")
    invitation = invite_person_to_upward(person, by=world.admin.user)
    services.update_person(person, by=world.admin.user, details=details("nia@mailbox.test"))
    invitation.refresh_from_db()
    assert invitation.is_usable  # other changes leave it alone
    services.update_person(person, by=world.admin.user, details=details("nia2@mailbox.test"))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None and not invitation.is_usable
    event = AuditEvent.objects.get(verb="person.invitations_revoked")
    assert event.object_id == str(person.pk) and event.data["count"] == 1
    assert event.actor == world.admin.user


def test_an_invitation_remembers_its_address(world):
    person = PersonFactory(organisation=world.org, email="Nia@Mailbox.test")
    invitation = invite_person_to_upward(person, by=world.admin.user)
    assert invitation.email == "Nia@Mailbox.test"
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountInvitation.objects.filter(pk=invitation.pk).update(email="")


# ---------------------------------------------------------------------------------------------
# Import

HEADER = "email,full_name\n"


def start(world, text: str) -> PeopleImport:
    return services.start_people_import(
        world.org, by=world.admin.user, filename="people.csv", content=text.encode()
    )


def test_the_import_refuses_new_people_in_another_organisations_domain_by_row(world, victim_org):
    people_import = start(
        world, HEADER + "tom@mailbox.test,Tom\nvic@Victim.test,Vic\nann@victim.test,Ann\n"
    )
    assert people_import.status == PeopleImport.Status.INVALID
    assert people_import.preview["errors"] == [
        "Row 3: vic@Victim.test: that address belongs to another organisation's domain.",
        "Row 4: ann@victim.test: that address belongs to another organisation's domain.",
    ]
    assert not Person.objects.filter(email__iexact="tom@mailbox.test").exists()


def test_the_import_may_update_a_person_added_before_the_domain_was_claimed(world, victim_org):
    PersonFactory(organisation=world.org, email="vic@victim.test", full_name="Vic")
    people_import = start(world, HEADER + "vic@victim.test,Vic Tim\n")
    assert people_import.status == PeopleImport.Status.READY
    services.apply_people_import(people_import, by=world.admin.user)
    assert Person.objects.get(email="vic@victim.test").full_name == "Vic Tim"


def test_a_domain_claimed_between_preview_and_apply_stops_the_import(world):
    people_import = start(world, HEADER + "vic@victim.test,Vic\n")
    assert people_import.status == PeopleImport.Status.READY
    OrganisationFactory(domains=["victim.test"])
    with pytest.raises(services.ImportOutdated, match="The directory changed since the preview"):
        services.apply_people_import(people_import, by=world.admin.user)
    people_import.refresh_from_db()
    assert people_import.status == PeopleImport.Status.INVALID
    assert "Row 2: vic@victim.test" in people_import.preview["errors"][0]
    assert not Person.objects.filter(email="vic@victim.test").exists()


# ---------------------------------------------------------------------------------------------
# What admins see


def test_the_setup_page_shows_the_domains_read_only(world):
    give_domain(world.org, "northwind.test")
    give_domain(OrganisationFactory(), "elsewhere-owned.test")
    response = world.client_for(world.admin).get("/people/setup/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<strong>northwind.test</strong>" in body
    assertNotContains(response, "elsewhere-owned.test")
    assertNotContains(response, 'name="domain"')  # nothing to edit them with


def test_the_setup_page_explains_invitation_only_without_a_domain(world):
    response = world.client_for(world.admin).get("/people/setup/")
    assert response.status_code == 200
    assert "people join only by an invitation" in response.content.decode()


def test_the_person_page_shows_the_account_state(world):
    client = world.client_for(world.admin)
    person = PersonFactory(organisation=world.org, email="nia@mailbox.test", full_name="Nia N")
    url = f"/people/{person.pk}/"

    response = client.get(url)
    assert response.status_code == 200
    assert "No account yet" in response.content.decode()
    assert "Invite to Upward" in response.content.decode()

    invite_person_to_upward(person, by=world.admin.user)
    response = client.get(url)
    assert "Invited on" in response.content.decode()
    assert "Send a new invitation" in response.content.decode()
    directory = client.get("/people/")
    assert directory.status_code == 200
    assert ">Invited<" in directory.content.decode()

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=15)):
        client = world.client_for(world.admin)  # a fresh session, the old one has timed out
        response = client.get(url)
        assert "Invitation expired on" in response.content.decode()
        assert "Invitation expired" in client.get("/people/").content.decode()

    response = client.get(f"/people/{world.applicant.pk}/")
    assert "Has an account" in response.content.decode()


def test_the_directory_shows_account_states_in_a_flat_number_of_queries(
    world, django_assert_max_num_queries
):
    for n in range(15):
        person = PersonFactory(organisation=world.org, email=f"p{n}@mailbox.test")
        invite_person_to_upward(person, by=world.admin.user)
    client = world.client_for(world.admin)
    with django_assert_max_num_queries(12):
        response = client.get("/people/")
    assert response.status_code == 200
    assert response.content.decode().count(">Invited<") == 15


def test_a_quoted_address_that_reads_as_another_organisations_is_refused(world):
    # The review's finding: `"victim@northbridge.example"@evil.example` is valid email syntax
    # and passed the domain rule (its domain is evil.example), but reads as someone else's.
    from upward.organisations.services import PersonDetails, create_person

    for email in ('"sam@northwind.test"@elsewhere.test', "a@b@elsewhere.test", "sp ace@x.test"):
        with pytest.raises(DomainError, match="one @ and no quotes"):
            create_person(
                world.outsider_admin.organisation,
                by=world.outsider_admin.user,
                details=PersonDetails(email=email, full_name="Tricky Address"),
            )
