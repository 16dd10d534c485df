"""Factories for tests. Build realistic objects with the fewest arguments."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeVar

import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from upward.accounts.models import User
from upward.organisations.models import (
    Department,
    Level,
    Organisation,
    OrganisationDomain,
    Person,
    Team,
    Topic,
)
from upward.organisations.services import DEFAULT_LEVELS
from upward.programmes.models import Programme

_M = TypeVar("_M")


class ModelFactory(DjangoModelFactory[_M]):
    """A factory whose call, `PersonFactory(...)`, is typed as the model it makes."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:
        # factory_boy's metaclass turns the call into create(); its types say the call makes a
        # factory instance, and mypy accepts no other way to say it returns the model.
        def __new__(cls, *args: Any, **kwargs: Any) -> _M: ...  # type: ignore[misc]




class OrganisationFactory(ModelFactory[Organisation]):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")

    @factory.post_generation
    def levels(obj: Organisation, create: bool, extracted: Any, **kwargs: Any) -> None:
        # A post-generation hook is called with the model instance built, not the factory.
        if not create or extracted is False:
            return
        for rank, name in enumerate(DEFAULT_LEVELS, start=1):
            Level.objects.create(organisation=obj, rank=rank, name=name)

    @factory.post_generation
    def domains(obj: Organisation, create: bool, extracted: Any, **kwargs: Any) -> None:
        # OrganisationFactory(domains=["acme.test"]): open sign-up links these addresses here.
        if create and extracted:
            for domain in extracted:
                give_domain(obj, domain)


def give_domain(organisation: Organisation, domain: str) -> OrganisationDomain:
    """The operator's `organisation_domains add`, for tests: the organisation owns `domain`."""
    return OrganisationDomain.objects.create(organisation=organisation, domain=domain.lower())


class DepartmentFactory(ModelFactory[Department]):
    class Meta:
        model = Department

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Department {n}")


class TeamFactory(ModelFactory[Team]):
    class Meta:
        model = Team

    department = factory.SubFactory(DepartmentFactory)
    organisation = factory.SelfAttribute("department.organisation")
    name = factory.Sequence(lambda n: f"Team {n}")


class TopicFactory(ModelFactory[Topic]):
    class Meta:
        model = Topic

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Topic {n}")
    kind = Topic.Kind.SKILL


class UserFactory(ModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


def level(organisation: Organisation, rank: int) -> Level:
    return Level.objects.get(organisation=organisation, rank=rank)


class PersonFactory(ModelFactory[Person]):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    full_name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    job_title = "Analyst"
    level = factory.LazyAttribute(
        lambda o: Level.objects.filter(organisation=o.organisation).first()
    )
    time_zone = "Europe/London"
    start_date = dt.date(2022, 1, 10)


def person_with_account(**kwargs: object) -> Person:
    """A directory person who has signed up (verified email, linked account)."""
    person = PersonFactory(**kwargs)
    person.user = UserFactory(email=person.email, name=person.full_name)
    person.save(update_fields=["user"])
    return person


class ProgrammeFactory(ModelFactory[Programme]):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Reverse mentoring cohort {n}")
    summary = "Junior colleagues help senior leaders grow their digital confidence."
    objective = "digital_skills"
    success_what = "Leaders' confidence discussing technology"
    success_how = "The same survey at the start and the end"
    success_target = "60% of mentees report more confidence"
    starts_on = dt.date(2027, 1, 11)
    ends_on = dt.date(2027, 7, 9)
    places = 10

    @factory.post_generation
    def managers(obj: Programme, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            obj.managers.set(extracted)
