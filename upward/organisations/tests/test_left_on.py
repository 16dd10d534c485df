"""Person.left_on: every way of leaving stamps the day, and the migration recovers it from the
audit log for people who left before the field existed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps

from upward.core.models import AuditEvent
from upward.organisations import services
from upward.organisations.models import Person
from upward.organisations.services import PersonDetails
from upward.testing.factories import person_with_account

pytestmark = pytest.mark.django_db
DAY = dt.datetime(2026, 3, 9, 12, tzinfo=dt.UTC)


def _details(person: Person, **changes: object) -> PersonDetails:
    fields = {f.name for f in dataclasses.fields(PersonDetails)}
    current = {name: getattr(person, name) for name in fields}
    current.update(changes)
    return PersonDetails(**current)  # type: ignore[arg-type]


def test_mark_as_left_and_the_form_both_stamp_the_day(world):
    other = person_with_account(organisation=world.org, full_name="Otto Other")
    with time_machine.travel(DAY, tick=False):
        services.mark_person_left(world.applicant, by=world.admin.user)
        services.update_person(other, by=world.admin.user, details=_details(other, is_active=False))
    world.applicant.refresh_from_db()
    other.refresh_from_db()
    assert world.applicant.left_on == dt.date(2026, 3, 9)
    assert other.left_on == dt.date(2026, 3, 9)
    # Coming back keeps the date (a trace of the earlier leaving); leaving again moves it.
    services.mark_person_back(world.applicant, by=world.admin.user)
    world.applicant.refresh_from_db()
    assert world.applicant.is_active and world.applicant.left_on == dt.date(2026, 3, 9)
    with time_machine.travel(DAY + dt.timedelta(days=40), tick=False):
        services.mark_person_left(world.applicant, by=world.admin.user)
    world.applicant.refresh_from_db()
    assert world.applicant.left_on == dt.date(2026, 4, 18)


def test_the_migration_recovers_the_last_leaving_from_the_audit_log(world):
    gone = person_with_account(organisation=world.org, full_name="Gina Gone")
    back = person_with_account(organisation=world.org, full_name="Bo Back")
    unknown = person_with_account(organisation=world.org, full_name="Una Unknown")
    with time_machine.travel(DAY, tick=False):
        services.mark_person_left(gone, by=world.admin.user)
        services.mark_person_left(back, by=world.admin.user)
    with time_machine.travel(DAY + dt.timedelta(days=10), tick=False):
        services.mark_person_back(back, by=world.admin.user)
    with time_machine.travel(DAY + dt.timedelta(days=20), tick=False):
        services.update_person(back, by=world.admin.user, details=_details(back, is_active=False))
    # As they stood before the field: inactive, no date; one with no audit entry at all.
    Person.objects.filter(pk=unknown.pk).update(is_active=False)
    Person.objects.update(left_on=None)
    assert AuditEvent.objects.filter(verb="person.marked_left").count() == 2
    migration = importlib.import_module("upward.organisations.migrations.0008_person_left_on")
    migration.recover_leaving_dates(apps, None)
    dates = dict(Person.objects.filter(is_active=False).values_list("full_name", "left_on"))
    assert dates == {
        "Gina Gone": dt.date(2026, 3, 9),
        "Bo Back": dt.date(2026, 3, 29),
        "Una Unknown": None,
    }
