from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from upward.core.errors import Conflict, DomainError
from upward.organisations.models import Level, Organisation, Person
from upward.organisations.services import create_organisation


def test_command_creates_organisation_levels_and_invited_admin(
    db, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
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
            "--levels",
            "Junior,Mid,Senior,Lead",
        )
    org = Organisation.objects.get(slug="acme")
    assert list(Level.objects.filter(organisation=org).values_list("rank", "name")) == [
        (1, "Junior"),
        (2, "Mid"),
        (3, "Senior"),
        (4, "Lead"),
    ]
    admin = Person.objects.get(organisation=org)
    assert admin.is_org_admin and admin.user is None
    assert mail.outbox[0].to == ["priya@acme.example"]
    assert "/invitation/" in capsys.readouterr().out


def test_command_refuses_a_taken_slug_with_a_clear_message(db):
    create_organisation(name="Acme", slug="acme", admin_email="a@acme.example", admin_name="A")
    with pytest.raises(CommandError, match="exists"):
        call_command(
            "create_organisation",
            "--name",
            "Acme 2",
            "--slug",
            "acme",
            "--admin-email",
            "b@acme.example",
            "--admin-name",
            "B",
            "--no-invite",
        )
    assert Organisation.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"slug": "has spaces"}, "slug"),
        ({"admin_email": "not-an-email"}, "admin_email"),
        ({"name": "  "}, "name"),
        ({"levels": ("A", "A")}, "levels"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(db, kwargs, field):
    args: dict[str, Any] = {
        "name": "Acme",
        "slug": "acme",
        "admin_email": "a@acme.example",
        "admin_name": "A",
    }
    args.update(kwargs)
    with pytest.raises(DomainError) as info:
        create_organisation(**args)
    assert info.value.field == field
    assert not Organisation.objects.exists()


def test_conflict_is_a_domain_error(db):
    create_organisation(name="Acme", slug="acme", admin_email="a@acme.example", admin_name="A")
    with pytest.raises(Conflict, match="An organisation with the short name “acme” exists"):
        create_organisation(name="X", slug="acme", admin_email="x@x.example", admin_name="X")
