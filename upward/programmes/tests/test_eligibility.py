import pytest

from upward.organisations.models import Department
from upward.programmes.eligibility import describe_levels, is_eligible
from upward.testing.factories import DepartmentFactory, PersonFactory, level

pytestmark = pytest.mark.django_db


def _ranges(world, *, mentor=(1, 4), mentee=(6, 9)):
    p = world.programme
    p.mentor_level_min = level(world.org, mentor[0]) if mentor[0] else None
    p.mentor_level_max = level(world.org, mentor[1]) if mentor[1] else None
    p.mentee_level_min = level(world.org, mentee[0]) if mentee[0] else None
    p.mentee_level_max = level(world.org, mentee[1]) if mentee[1] else None
    p.save()
    return p


def test_open_programme_accepts_anyone_in_the_organisation(world):
    assert is_eligible(world.programme, world.applicant, "mentor") == (True, "")
    assert is_eligible(world.programme, world.senior, "mentee") == (True, "")


def test_junior_is_an_eligible_mentor_and_not_a_mentee(world):
    p = _ranges(world)
    assert is_eligible(p, world.applicant, "mentor") == (True, "")
    ok, why = is_eligible(p, world.applicant, "mentee")
    assert not ok
    assert why == (
        "Mentees in this programme are at levels 6 Senior manager to 9 Executive; "
        "your level is 2 Associate."
    )


def test_senior_refused_as_mentor_with_the_rule_and_their_level(world):
    p = _ranges(world)
    world.admin.level = level(world.org, 7)
    ok, why = is_eligible(p, world.admin, "mentor")
    assert not ok
    assert why == (
        "Mentors in this programme are at levels 1 Apprentice to 4 Senior analyst; "
        "your level is 7 Head of."
    )


def test_range_bounds_are_inclusive(world):
    p = _ranges(world, mentor=(2, 2))
    assert is_eligible(p, world.applicant, "mentor")[0]
    p = _ranges(world, mentor=(3, 4))
    assert not is_eligible(p, world.applicant, "mentor")[0]


def test_open_ended_ranges(world):
    p = _ranges(world, mentor=(None, 3), mentee=(8, None))
    assert is_eligible(p, world.applicant, "mentor")[0]
    assert is_eligible(p, world.senior, "mentee")[0]
    ok, why = is_eligible(p, world.manager, "mentee")
    assert not ok
    assert "level 8 Director or above" in why
    _ok, why = is_eligible(p, world.manager, "mentor")
    assert "level 3 Analyst or below" in why


def test_missing_level_is_refused_with_next_step(world):
    p = _ranges(world)
    person = PersonFactory(organisation=world.org, level=None)
    ok, why = is_eligible(p, person, "mentor")
    assert not ok
    assert "no level yet" in why
    assert "organisation admin" in why


def test_missing_level_is_fine_without_a_range(world):
    person = PersonFactory(organisation=world.org, level=None)
    assert is_eligible(world.programme, person, "mentor") == (True, "")


def test_department_restriction(world):
    p = world.programme
    digital = Department.objects.get(organisation=world.org, name="Digital")
    p.mentor_departments.set([digital])
    assert is_eligible(p, world.applicant, "mentor") == (True, "")
    ok, why = is_eligible(p, world.other_applicant, "mentor")
    assert not ok
    assert why == "Mentors in this programme come from Digital; you are in Finance."
    # The mentee side is not restricted.
    assert is_eligible(p, world.other_applicant, "mentee")[0]


def test_several_departments_are_listed_in_plain_words(world):
    p = world.programme
    digital = Department.objects.get(organisation=world.org, name="Digital")
    legal = DepartmentFactory(organisation=world.org, name="Legal")
    people = DepartmentFactory(organisation=world.org, name="People")
    p.mentor_departments.set([digital, legal, people])
    _ok, why = is_eligible(p, world.other_applicant, "mentor")
    assert "come from Digital, Legal or People" in why


def test_missing_department_is_refused(world):
    p = world.programme
    p.mentor_departments.set([Department.objects.get(organisation=world.org, name="Digital")])
    person = PersonFactory(organisation=world.org, department=None)
    ok, why = is_eligible(p, person, "mentor")
    assert not ok
    assert "no department yet" in why


def test_other_organisation_and_leavers_are_refused(world):
    ok, why = is_eligible(world.programme, world.outsider_admin, "mentee")
    assert not ok
    assert "Northwind Health" in why
    world.applicant.is_active = False
    assert not is_eligible(world.programme, world.applicant, "mentor")[0]


def test_unknown_role_is_a_programming_error(world):
    with pytest.raises(ValueError, match="Unknown role 'sponsor'; expected one of"):
        is_eligible(world.programme, world.applicant, "sponsor")


def test_describe_levels(world):
    assert describe_levels(None, None) == ""
    assert describe_levels(level(world.org, 3), level(world.org, 3)) == "level 3 Analyst"
