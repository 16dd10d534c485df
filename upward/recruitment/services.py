"""Recruitment writes: applications, decisions, personal invitations.

Every service runs in one transaction, writes an audit entry and sends its emails only after
commit. Lived-experience topics are special-category data: they live in the consent app (the
person's "About you" answers), are asked for only where the programme switches matching on,
are stored only with the applicant's consent to matching, and never appear in audit data or
emails. The application's own lived-experience columns are legacy and no longer written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from upward.consent import services as consent_services
from upward.consent.purposes import Purpose
from upward.core import audit
from upward.core.errors import Conflict, DomainError, InvalidTransition, NotEligible
from upward.core.fields import sealed_for
from upward.core.links import absolute_url
from upward.core.models import AuditEvent
from upward.core.types import Actor
from upward.notifications.services import BulkNotice, absolute, notify, notify_many
from upward.organisations.models import Person, Topic
from upward.programmes.eligibility import is_eligible
from upward.programmes.models import Programme, Question, SelectionMode, State
from upward.recruitment.eligibility import invitation_for, refusal, role_noun, roles_noun
from upward.recruitment.models import (
    AVAILABILITY_SLOTS,
    Answer,
    Application,
    Invitation,
    Role,
    new_invitation_token,
)
from upward.recruitment.selectors import DECISION_FROM, decidable, manager_refusal
from upward.recruitment.signals import application_withdrawn

Status = Application.Status

# Decisions a manager can make; from which statuses is DECISION_FROM (in selectors).
DECISIONS = (Status.ACCEPTED, Status.WAITLISTED, Status.DECLINED)
WITHDRAWABLE = (Status.SUBMITTED, Status.WAITLISTED, Status.ACCEPTED)
# Decisions and withdrawals stay possible while pairs are being matched (waiting-list moves).
DECIDING_STATES = (State.RECRUITING, State.MATCHING)


def _status_phrase(status: str) -> str:
    return {
        Status.SUBMITTED: _("waiting for a decision"),
        Status.ACCEPTED: _("accepted"),
        Status.WAITLISTED: _("on the waiting list"),
        Status.DECLINED: _("declined"),
        Status.WITHDRAWN: _("withdrawn"),
    }[Status(status)]


class OverCapacity(Conflict):
    """Accepting would go beyond the programme's places for the role; ask to confirm."""

    def __init__(self, message: str, *, role: str, accepted: int, places: int) -> None:
        super().__init__(message)
        self.role = role
        self.accepted = accepted
        self.places = places


# ---------------------------------------------------------------------------------------------
# Input checks shared by submit and update


@dataclass
class _Clean:
    motivation: str
    offered: list[int]
    wanted: list[int]
    interests: list[int]
    lived: list[int]
    # None: not asked (the programme does not use it, a mentee, or a caller that leaves it).
    lived_consent: bool | None
    availability: list[str]
    preferred_times: str
    works_with: list[int]
    answers: dict[int, str] = field(default_factory=dict)


def _ids(values: Iterable[Any], *, field_name: str) -> list[int]:
    ids = []
    for value in values or ():
        raw = getattr(value, "pk", value)
        try:
            ids.append(int(raw))
        except (TypeError, ValueError) as exc:
            raise DomainError(
                _("“%(value)s” is not a valid choice.") % {"value": raw}, field=field_name
            ) from exc
    return sorted(set(ids))


def _topics(
    programme: Programme, values: Iterable[Any], *, kind: str, field_name: str
) -> list[int]:
    ids = _ids(values, field_name=field_name)
    if not ids:
        return []
    found = set(
        Topic.objects.filter(
            pk__in=ids, organisation_id=programme.organisation_id, kind=kind
        ).values_list("pk", flat=True)
    )
    if len(found) != len(ids):
        raise DomainError(
            _(
                "Some of the topics chosen are not in %(org)s's list for this question. "
                "Choose from the topics shown."
            )
            % {"org": programme.organisation},
            field=field_name,
        )
    return ids


def _answers(programme: Programme, role: str, answers: Mapping[Any, Any] | None) -> dict[int, str]:
    """Check the answers against the programme's questions for this role."""
    questions = {
        q.pk: q for q in Question.objects.filter(programme=programme, audience__in=["both", role])
    }
    given: dict[int, str] = {}
    for key, value in (answers or {}).items():
        qid = getattr(key, "pk", key)
        try:
            qid = int(qid)
        except (TypeError, ValueError) as exc:
            raise DomainError(_("An answer was given to an unknown question.")) from exc
        if qid not in questions:
            raise DomainError(_("An answer was given to a question this form does not ask."))
        given[qid] = str(value or "").strip()
    for qid, question in questions.items():
        value = given.get(qid, "")
        if question.required and not value:
            raise DomainError(
                _("Please answer “%(question)s”.") % {"question": question.text},
                field=f"question_{qid}",
            )
        if value and question.kind == Question.Kind.CHOICE:
            allowed = [str(c) for c in question.choices or []]
            if value not in allowed:
                raise DomainError(
                    _("Choose one of the options given for “%(question)s”.")
                    % {"question": question.text},
                    field=f"question_{qid}",
                )
    return {qid: value for qid, value in given.items() if value}


def _clean(
    programme: Programme,
    person: Person,
    role: str,
    *,
    motivation: str,
    offered_topics: Iterable[Any],
    wanted_topics: Iterable[Any],
    interests: Iterable[Any],
    lived_experience_topics: Iterable[Any],
    lived_experience_consent: bool | None,
    availability: Iterable[str],
    preferred_times: str,
    works_with: Iterable[Any],
    answers: Mapping[Any, Any] | None,
) -> _Clean:
    motivation = (motivation or "").strip()
    if not motivation:
        raise DomainError(
            _("Tell the programme team briefly why you would like to take part."),
            field="motivation",
        )
    slots = [str(s) for s in availability or ()]
    unknown = sorted(set(slots) - set(AVAILABILITY_SLOTS))
    if unknown:
        raise DomainError(
            _("“%(slot)s” is not a weekly slot; choose mornings or afternoons, Monday to Friday.")
            % {"slot": unknown[0]},
            field="availability",
        )
    colleagues = _ids(works_with, field_name="works_with")
    if colleagues:
        if person.pk in colleagues:
            raise DomainError(
                _("You do not need to list yourself among the people you work with."),
                field="works_with",
            )
        found = Person.objects.filter(
            pk__in=colleagues, organisation_id=programme.organisation_id
        ).count()
        if found != len(colleagues):
            raise DomainError(
                _("Choose colleagues from %(org)s's directory.") % {"org": programme.organisation},
                field="works_with",
            )
    lived: list[int] = []
    # Only mentors share lived experience, only where the programme uses it in matching, and
    # only with explicit consent. Without consent the topics are dropped here so they are never
    # stored.
    asked = (
        role == Role.MENTOR
        and programme.special_category_matching
        and lived_experience_consent is not None
    )
    consent = bool(lived_experience_consent) if asked else None
    if consent:
        lived = _topics(
            programme,
            lived_experience_topics,
            kind=Topic.Kind.EXPERIENCE,
            field_name="lived_experience_topics",
        )
    return _Clean(
        motivation=motivation,
        offered=_topics(
            programme, offered_topics, kind=Topic.Kind.SKILL, field_name="offered_topics"
        ),
        wanted=_topics(programme, wanted_topics, kind=Topic.Kind.SKILL, field_name="wanted_topics"),
        interests=_topics(programme, interests, kind=Topic.Kind.INTEREST, field_name="interests"),
        lived=lived,
        lived_consent=consent,
        availability=[s for s in AVAILABILITY_SLOTS if s in set(slots)],
        preferred_times=(preferred_times or "").strip()[:200],
        works_with=colleagues,
        answers=_answers(programme, role, answers),
    )


def _write(application: Application, data: _Clean, *, by: Actor) -> None:
    application.offered_topics.set(data.offered)
    application.wanted_topics.set(data.wanted)
    application.interests.set(data.interests)
    if data.lived_consent is not None:
        # The form shows the current consent ticked, so an unticked box is a withdrawal.
        if data.lived_consent:
            consent_services.set_lived_experience(application.person, data.lived, by=by)
        consent_services.record_consent(
            application.person, Purpose.MATCHING, granted=data.lived_consent, by=by
        )
    application.works_with.set(data.works_with)
    application.answers.all().delete()
    Answer.objects.bulk_create(
        Answer(application=application, question_id=qid, value=value)
        for qid, value in data.answers.items()
    )


def _accepted_count(programme: Programme, role: str, *, excluding: int | None = None) -> int:
    qs = Application.objects.filter(programme=programme, role=role, status=Status.ACCEPTED)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return qs.count()


def _waiting_count(programme: Programme, role: str) -> int:
    return Application.objects.filter(
        programme=programme, role=role, status=Status.WAITLISTED
    ).count()


def _give_freed_place(programme: Programme, role: str) -> Application | None:
    """Open selection: a place freed by a withdrawal goes to whoever has waited longest.
    `submitted_at` is when they joined the list: applying again after withdrawing starts a new
    wait at the back. Runs under the programme lock taken by the caller."""
    if programme.selection_mode != SelectionMode.OPEN:
        return None
    if _accepted_count(programme, role) >= programme.places:
        return None
    longest = (
        Application.objects.select_for_update()
        .select_related("person", "programme__organisation")
        .filter(programme=programme, role=role, status=Status.WAITLISTED)
        .order_by("submitted_at", "pk")
        .first()
    )
    if longest is None:
        return None
    longest.status = Status.ACCEPTED
    # Replaces any waiting-list message, which no longer applies.
    longest.decision_reason = _("A place came free and you were next on the waiting list.")
    longest.reviewed_at = timezone.now()
    longest.reviewed_by = None
    longest.save(
        update_fields=["status", "decision_reason", "reviewed_at", "reviewed_by", "updated_at"]
    )
    audit.record(
        "application.decided",
        longest,
        by=None,
        organisation=programme.organisation,
        data={"from": Status.WAITLISTED, "to": Status.ACCEPTED, "freed_place": True},
    )
    _email_decision(longest)
    return longest


def _lock_programme(programme: Programme) -> Programme:
    # Serialises capacity checks for the programme (a row lock on PostgreSQL; SQLite's
    # IMMEDIATE transactions already serialise writers).
    return Programme.objects.select_for_update().select_related("organisation").get(pk=programme.pk)


# ---------------------------------------------------------------------------------------------
# Applications


def submit_application(
    programme: Programme,
    person: Person,
    *,
    role: str,
    motivation: str,
    consent_terms: bool,
    offered_topics: Iterable[Any] = (),
    wanted_topics: Iterable[Any] = (),
    interests: Iterable[Any] = (),
    lived_experience_topics: Iterable[Any] = (),
    lived_experience_consent: bool | None = None,
    availability: Iterable[str] = (),
    preferred_times: str = "",
    works_with: Iterable[Any] = (),
    answers: Mapping[Any, Any] | None = None,
    by: Actor,
) -> Application:
    """Apply to a programme. Open programmes accept at once while places remain."""
    role = str(role)
    if not consent_terms:
        raise DomainError(
            _("Please agree to the programme's terms to apply."), field="consent_terms"
        )
    with transaction.atomic():
        programme = _lock_programme(programme)
        # Checked under the programme lock, so an admin naming this person a manager at the
        # same moment is serialised with it (set_programme_managers checks the other way).
        why = manager_refusal(programme, person)
        if why:
            raise NotEligible(why)
        invitation = invitation_for(programme, person)
        why = refusal(programme, person, role, invitation=invitation)
        if why:
            raise NotEligible(why, field="role")
        data = _clean(
            programme,
            person,
            role,
            motivation=motivation,
            offered_topics=offered_topics,
            wanted_topics=wanted_topics,
            interests=interests,
            lived_experience_topics=lived_experience_topics,
            lived_experience_consent=lived_experience_consent,
            availability=availability,
            preferred_times=preferred_times,
            works_with=works_with,
            answers=answers,
        )
        status = Status.SUBMITTED
        if programme.selection_mode == SelectionMode.OPEN:
            # Someone already waiting is ahead of this applicant for any free place, so a
            # newcomer (or someone who withdrew and applies again) never jumps the list.
            taken = _accepted_count(programme, role) + _waiting_count(programme, role)
            status = Status.WAITLISTED if taken >= programme.places else Status.ACCEPTED

        fields = {
            "role": role,
            "status": status,
            "motivation": data.motivation,
            "availability": data.availability,
            "preferred_times": data.preferred_times,
            "consent_terms": True,
            "decision_reason": "",
            "internal_note": "",
            "reviewed_by": None,
            "reviewed_at": timezone.now() if status != Status.SUBMITTED else None,
        }
        existing = _existing_application(programme, person)
        if existing is not None and existing.status != Status.WITHDRAWN:
            raise Conflict(_already_applied(existing))
        if existing is not None:
            # One row per person and programme: applying again after withdrawing reuses it.
            application = existing
            for name, value in fields.items():
                setattr(application, name, value)
            application.submitted_at = timezone.now()
            application.save()
            verb = "application.resubmitted"
        else:
            try:
                # A savepoint, so a concurrent duplicate leaves the outer transaction usable.
                with transaction.atomic():
                    application = Application.objects.create(
                        programme=programme, person=person, **fields
                    )
            except IntegrityError as exc:
                raise Conflict(
                    _(
                        "You have already applied to this programme. Open your application "
                        "from your dashboard to see or change it."
                    )
                ) from exc
            verb = "application.submitted"
        _write(application, data, by=by)
        audit.record(
            verb,
            application,
            by=by,
            organisation=programme.organisation,
            data={"role": role, "status": status},
        )
        _email_application_received(application)
    return application


def _application_context(application: Application) -> dict[str, Any]:
    """What the applicant's emails about their application say (never lived-experience data)."""
    programme = application.programme
    return {
        "name": application.person.full_name,
        "programme": programme.name,
        "organisation": programme.organisation.name,
        "status": application.status,
        "role": role_noun(application.role),
        "link": absolute_url(reverse("recruitment:my_application", args=[application.pk])),
    }


def _email_application_received(application: Application) -> None:
    # Through notify(), so the applicant's preferences apply. Never include lived-experience data.
    person = application.person
    programme = application.programme
    context = _application_context(application)
    submitted = application.submitted_at.isoformat() if application.submitted_at else ""
    notify(
        person,
        kind="application",
        subject=_("We have your application to %(programme)s") % {"programme": programme.name},
        template="recruitment/email/received.txt",
        context=context,
        url=reverse("recruitment:my_application", args=[application.pk]),
        # Applying again after withdrawing is a new submission, so it is confirmed again.
        dedupe_key=f"application-received:{application.pk}:{submitted}",
    )


def _existing_application(programme: Programme, person: Person) -> Application | None:
    return (
        Application.objects.select_for_update().filter(programme=programme, person=person).first()
    )


def _already_applied(application: Application) -> str:
    return _(
        "You have already applied to this programme as a %(role)s (your application is "
        "%(status)s). "
        "Open your application from your dashboard to see or change it."
    ) % {"role": role_noun(application.role), "status": _status_phrase(application.status)}


def update_application(
    application: Application,
    *,
    motivation: str,
    consent_terms: bool,
    offered_topics: Iterable[Any] = (),
    wanted_topics: Iterable[Any] = (),
    interests: Iterable[Any] = (),
    lived_experience_topics: Iterable[Any] = (),
    lived_experience_consent: bool | None = None,
    availability: Iterable[str] = (),
    preferred_times: str = "",
    works_with: Iterable[Any] = (),
    answers: Mapping[Any, Any] | None = None,
    by: Actor,
) -> Application:
    """The applicant changes their answers. Allowed until the programme team has decided."""
    if not consent_terms:
        raise DomainError(
            _("Please agree to the programme's terms to keep your application."),
            field="consent_terms",
        )
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("programme__organisation", "person")
            .get(pk=application.pk)
        )
        programme = application.programme
        if application.status != Status.SUBMITTED:
            raise InvalidTransition(
                _(
                    "Your application can no longer be changed because it is %(status)s. "
                    "Contact the programme team if something has changed."
                )
                % {"status": _status_phrase(application.status)}
            )
        if programme.state != State.RECRUITING:
            raise InvalidTransition(
                _("Applications for this programme have closed, so it can no longer be changed.")
            )
        data = _clean(
            programme,
            application.person,
            application.role,
            motivation=motivation,
            offered_topics=offered_topics,
            wanted_topics=wanted_topics,
            interests=interests,
            lived_experience_topics=lived_experience_topics,
            lived_experience_consent=lived_experience_consent,
            availability=availability,
            preferred_times=preferred_times,
            works_with=works_with,
            answers=answers,
        )
        application.motivation = data.motivation
        application.availability = data.availability
        application.preferred_times = data.preferred_times
        application.save()
        _write(application, data, by=by)
        audit.record("application.updated", application, by=by, organisation=programme.organisation)
    return application


def withdraw_application(application: Application, *, by: Actor) -> Application:
    with transaction.atomic():
        # The programme lock first (as in submit and decide), so the freed place is counted
        # against the same numbers every other writer sees.
        _lock_programme(application.programme)
        application = (
            Application.objects.select_for_update()
            .select_related("programme__organisation")
            .get(pk=application.pk)
        )
        if application.status not in WITHDRAWABLE:
            raise InvalidTransition(
                _("This application is already %(status)s.")
                % {"status": _status_phrase(application.status)}
            )
        if application.programme.state not in DECIDING_STATES:
            raise InvalidTransition(
                _(
                    "The programme has started, so applications can no longer be withdrawn. "
                    "Talk to the programme team if you need to step back."
                )
            )
        previous = application.status
        application.status = Status.WITHDRAWN
        application.save(update_fields=["status", "updated_at"])
        audit.record(
            "application.withdrawn",
            application,
            by=by,
            organisation=application.programme.organisation,
            data={"from": previous},
        )
        # Inside the transaction: the apps above (pairing) close what hangs off the application
        # together with it, or not at all.
        application_withdrawn.send(sender=Application, application=application, by=by)
        if previous == Status.ACCEPTED:
            _give_freed_place(application.programme, application.role)
    return application


def _is_own(application: Application, by: Actor) -> bool:
    user_id = getattr(by, "pk", None) if getattr(by, "is_authenticated", False) else None
    return user_id is not None and application.person.user_id == user_id


def decide_application(
    application: Application,
    *,
    decision: str,
    reason: str = "",
    by: Actor,
    allow_overfill: bool = False,
    internal_note: str | None = None,
) -> Application:
    """Accept, waitlist or decline. `reason` is the message the applicant reads."""
    if decision not in DECISIONS:
        raise DomainError(_("Choose accept, waiting list or decline."), field="decision")
    reason = (reason or "").strip()
    if decision == Status.DECLINED and not reason:
        raise DomainError(
            _("Write a short, kind message explaining the decision; the applicant will read it."),
            field="reason",
        )
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("programme__organisation", "person")
            .get(pk=application.pk)
        )
        # A second line behind the access rule (nobody manages a programme they take part in).
        if _is_own(application, by):
            raise DomainError(
                _(
                    "You cannot decide on your own application. Another manager of the "
                    "programme must make this decision."
                )
            )
        programme = _lock_programme(application.programme)
        if programme.state not in DECIDING_STATES:
            raise InvalidTransition(
                _("Decisions can be made only while the programme is recruiting or matching.")
            )
        allowed = DECISION_FROM.get(application.status, ())
        if decision not in allowed:
            if decision == application.status:
                raise InvalidTransition(
                    _("This application is already %(status)s.")
                    % {"status": _status_phrase(application.status)}
                )
            raise InvalidTransition(
                _("An application that is %(status)s cannot be changed.")
                % {"status": _status_phrase(application.status)}
            )
        if decision == Status.ACCEPTED:
            accepted = _accepted_count(programme, application.role, excluding=application.pk)
            if accepted >= programme.places and not allow_overfill:
                raise OverCapacity(
                    ngettext(
                        "The %(places)s place for %(role)s is taken (%(accepted)s accepted). "
                        "Accepting will go over the number of places; confirm if you mean it.",
                        "All %(places)s places for %(role)s are taken (%(accepted)s accepted). "
                        "Accepting will go over the number of places; confirm if you mean it.",
                        programme.places,
                    )
                    % {
                        "places": programme.places,
                        "role": roles_noun(application.role),
                        "accepted": accepted,
                    },
                    role=application.role,
                    accepted=accepted,
                    places=programme.places,
                )
        previous = application.status
        application.status = decision
        application.decision_reason = reason
        if internal_note is not None:
            application.internal_note = internal_note.strip()
        application.reviewed_by = by if getattr(by, "is_authenticated", False) else None
        application.reviewed_at = timezone.now()
        application.save()
        audit.record(
            "application.decided",
            application,
            by=by,
            organisation=programme.organisation,
            data={"from": previous, "to": decision, "overfill": bool(allow_overfill)},
        )
        _email_decision(application)
    return application


@dataclass(frozen=True)
class BulkDecisionResult:
    decided: int


def bulk_fingerprint(ids: Iterable[int]) -> str:
    """A short digest of a set of applications, so a confirmation can tell the set changed."""
    joined = ",".join(str(i) for i in sorted(ids))
    return hashlib.sha256(joined.encode()).hexdigest()[:20]


def decide_applications(
    programme: Programme,
    candidates: QuerySet[Application],
    *,
    decision: str,
    reason: str = "",
    by: Actor,
    allow_overfill: bool = False,
    fingerprint: str | None = None,
) -> BulkDecisionResult:
    """One decision for many applications at once, in a fixed number of queries.

    Applications the decision cannot change (already decided that way, declined, withdrawn,
    or the manager's own) are left as they are and counted in `left`. With `fingerprint`, the
    changeable set must still be the one the manager confirmed, or StaleSelection is raised.
    Accepting checks the places for each role for the whole set: all or nothing.
    """
    if decision not in DECISIONS:
        raise DomainError(_("Choose accept, waiting list or decline."), field="decision")
    reason = (reason or "").strip()
    if decision == Status.DECLINED and not reason:
        raise DomainError(
            _(
                "Write a short, kind message explaining the decision; every applicant declined "
                "will read it."
            ),
            field="reason",
        )
    with transaction.atomic():
        programme = _lock_programme(programme)
        if programme.state not in DECIDING_STATES:
            raise InvalidTransition(
                _("Decisions can be made only while the programme is recruiting or matching.")
            )
        changeable = decidable(programme, candidates, decision=decision, by=by)
        applications = list(
            changeable.select_for_update(of=("self",))
            .select_related("person")
            .order_by("submitted_at", "id")
        )
        if fingerprint is not None and bulk_fingerprint(a.pk for a in applications) != fingerprint:
            raise StaleSelection(
                ngettext(
                    "The applications have changed since you looked: %(n)s can now be changed "
                    "by this decision. Nothing was saved; check the new count and confirm again.",
                    "The applications have changed since you looked: %(n)s can now be changed "
                    "by this decision. Nothing was saved; check the new count and confirm again.",
                    len(applications),
                )
                % {"n": len(applications)},
                count=len(applications),
            )
        if decision == Status.ACCEPTED:
            _check_places_for(programme, applications, allow_overfill=allow_overfill)
        now = timezone.now()
        reviewer = by if getattr(by, "is_authenticated", False) else None
        previous = {a.pk: a.status for a in applications}
        Application.objects.filter(pk__in=previous).update(
            status=decision,
            # Encrypted: update() has no instance, so the text is sealed for the organisation.
            decision_reason=sealed_for(programme.organisation_id, reason),
            reviewed_by=reviewer,
            reviewed_at=now,
            updated_at=now,
        )
        AuditEvent.objects.bulk_create(
            AuditEvent(
                organisation=programme.organisation,
                actor=reviewer,
                verb="application.decided",
                object_type=Application._meta.label_lower,
                object_id=str(a.pk),
                data={
                    "from": previous[a.pk],
                    "to": decision,
                    "overfill": bool(allow_overfill),
                    "bulk": True,
                },
            )
            for a in applications
        )
        for a in applications:
            a.status, a.decision_reason, a.reviewed_at = decision, reason, now
            a.programme = programme
        notify_many([_decision_notice(a) for a in applications], kind="application")
    return BulkDecisionResult(decided=len(applications))


class StaleSelection(Conflict):
    """The set a bulk decision would change is not the one the manager confirmed."""

    def __init__(self, message: str, *, count: int) -> None:
        super().__init__(message)
        self.count = count


def _check_places_for(
    programme: Programme, applications: list[Application], *, allow_overfill: bool
) -> None:
    if allow_overfill:
        return
    adding: dict[str, int] = {}
    for a in applications:
        if a.status != Status.ACCEPTED:
            adding[a.role] = adding.get(a.role, 0) + 1
    accepted = dict(
        Application.objects.filter(programme=programme, status=Status.ACCEPTED)
        .values("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    for role, n in adding.items():
        already = accepted.get(role, 0)
        if already + n > programme.places:
            raise OverCapacity(
                ngettext(
                    "Accepting them would make %(total)s %(role)s accepted for %(places)s "
                    "place. Tick the box to accept beyond the places, or accept fewer.",
                    "Accepting them would make %(total)s %(role)s accepted for %(places)s "
                    "places. Tick the box to accept beyond the places, or accept fewer.",
                    programme.places,
                )
                % {
                    "total": already + n,
                    "role": roles_noun(role),
                    "places": programme.places,
                },
                role=role,
                accepted=already,
                places=programme.places,
            )


def _decision_notice(application: Application) -> BulkNotice:
    subject, dedupe_key = _decision_subject_and_key(application)
    return BulkNotice(
        person=application.person,
        subject=subject,
        template="recruitment/email/decision.txt",
        context={**_application_context(application), "message": application.decision_reason},
        url=reverse("recruitment:my_application", args=[application.pk]),
        dedupe_key=dedupe_key,
    )


def _decision_subject_and_key(application: Application) -> tuple[str, str]:
    subjects = {
        Status.ACCEPTED: _("Your place on %(programme)s"),
        Status.WAITLISTED: _("You are on the waiting list for %(programme)s"),
        Status.DECLINED: _("Your application to %(programme)s"),
    }
    subject = subjects[Status(application.status)] % {"programme": application.programme.name}
    reviewed = application.reviewed_at.isoformat() if application.reviewed_at else ""
    return subject, f"application-decision:{application.pk}:{application.status}:{reviewed}"


def _email_decision(application: Application) -> None:
    # Built from plain values now, sent after commit. Never include lived-experience data.
    person = application.person
    programme = application.programme
    context = {**_application_context(application), "message": application.decision_reason}
    subjects = {
        Status.ACCEPTED: _("Your place on %(programme)s"),
        Status.WAITLISTED: _("You are on the waiting list for %(programme)s"),
        Status.DECLINED: _("Your application to %(programme)s"),
    }
    subject = subjects[Status(application.status)] % {"programme": programme.name}
    # Through notify(): recorded in the app, emailed after commit per the person's choices. One
    # notification per decision (status and review time), however often the call is retried.
    reviewed = application.reviewed_at.isoformat() if application.reviewed_at else ""
    notify(
        person,
        kind="application",
        subject=subject,
        template="recruitment/email/decision.txt",
        context=context,
        url=reverse("recruitment:my_application", args=[application.pk]),
        dedupe_key=f"application-decision:{application.pk}:{application.status}:{reviewed}",
    )


# ---------------------------------------------------------------------------------------------
# Invitations


@dataclass
class InvitationResult:
    invited: list[Person] = field(default_factory=list)
    already_invited: list[Person] = field(default_factory=list)
    already_applied: list[Person] = field(default_factory=list)
    not_eligible: list[tuple[Person, str]] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.already_invited) + len(self.already_applied) + len(self.not_eligible)


def invite_people(
    programme: Programme,
    people: Iterable[Person],
    *,
    role: str,
    message: str = "",
    by: Actor,
) -> InvitationResult:
    """Invite chosen people to apply in a role. Skips (and reports) those who cannot be invited."""
    role = str(role)
    if role not in Role.values:
        raise DomainError(
            _("Choose whether to invite them as mentors or as mentees."), field="role"
        )
    people = list(people)
    if not people:
        raise DomainError(_("Choose at least one person to invite."), field="people")
    if any(p.organisation_id != programme.organisation_id for p in people):
        raise DomainError(
            _("You can invite only people in %(org)s's directory.")
            % {"org": programme.organisation},
            field="people",
        )
    message = (message or "").strip()
    result = InvitationResult()
    with transaction.atomic():
        programme = _lock_programme(programme)
        if programme.state != State.RECRUITING:
            raise InvalidTransition(
                _(
                    "Open recruitment before inviting people: the invitation links to the "
                    "application form, which opens with recruitment."
                )
            )
        ids = [p.pk for p in people]
        existing = {
            invitation.person_id: invitation
            for invitation in Invitation.objects.select_for_update().filter(
                programme=programme, person_id__in=ids
            )
        }
        # An expired invitation is renewed rather than skipped: asking the team for a new link
        # is what its page tells the person to do.
        now = timezone.now()
        invited_ids = {pk for pk, inv in existing.items() if not inv.is_expired(now)}
        applied_ids = set(
            Application.objects.filter(programme=programme, person_id__in=ids)
            .exclude(status=Status.WITHDRAWN)
            .values_list("person_id", flat=True)
        )
        people = list(
            Person.objects.filter(pk__in=ids).select_related("level", "department", "user")
        )
        manager_ids = set(programme.managers.filter(pk__in=ids).values_list("pk", flat=True))
        to_create = []
        for person in people:
            if person.pk in applied_ids:
                result.already_applied.append(person)
                continue
            if person.pk in manager_ids:
                result.not_eligible.append(
                    (person, _("they manage this programme, so they cannot take part in it"))
                )
                continue
            if person.pk in invited_ids:
                result.already_invited.append(person)
                continue
            if not person.is_active:
                result.not_eligible.append((person, _("marked as having left")))
                continue
            eligible, why = is_eligible(programme, person, role)
            if not eligible:
                result.not_eligible.append((person, why))
                continue
            to_create.append(person)
        for person in to_create:
            expired = existing.get(person.pk)
            if expired is not None:
                expired.token = new_invitation_token()
                expired.created_at = now
                expired.role = role
                expired.message = message
                expired.invited_by = by
                expired.save()
                result.invited.append(person)
                _email_invitation(expired, programme, person, by)
                continue
            try:
                with transaction.atomic():
                    invitation = Invitation.objects.create(
                        programme=programme,
                        person=person,
                        role=role,
                        message=message,
                        invited_by=by,
                    )
            except IntegrityError:
                # Invited by someone else a moment ago.
                result.already_invited.append(person)
                continue
            result.invited.append(person)
            _email_invitation(invitation, programme, person, by)
        audit.record(
            "programme.people_invited",
            programme,
            by=by,
            data={"role": role, "invited": len(result.invited), "skipped": result.skipped},
        )
    return result


def _email_invitation(
    invitation: Invitation, programme: Programme, person: Person, by: Actor
) -> None:
    context = {
        "name": person.full_name,
        "programme": programme,
        "organisation": programme.organisation.name,
        "role": role_noun(invitation.role),
        "message": invitation.message,
        "by": by.get_full_name() if by is not None else "",
        "link": absolute_url(reverse("recruitment:invitation_accept", args=[invitation.token])),
        "commitment": programme.commitment,
    }
    notify(
        person,
        kind="application",
        subject=_("You are invited to %(programme)s") % {"programme": programme.name},
        template="recruitment/email/invitation.txt",
        context=context,
        url=reverse("recruitment:invitation_accept", args=[invitation.token]),
        # A renewed invitation has a new creation time, so its new link is sent too.
        dedupe_key=f"invitation:{invitation.pk}:{invitation.created_at.isoformat()}",
    )


# ---------------------------------------------------------------------------------------------
# Telling people left without a partner


def tell_unmatched(programme: Programme, person_ids: Iterable[int]) -> int:
    """A published run left these accepted applicants without a partner: tell each, kindly,
    what happens next. Once per person and programme, however many runs leave them out.
    Returns how many were told now."""
    applications = (
        Application.objects.filter(
            programme=programme,
            person_id__in=list(person_ids),
            status=Application.Status.ACCEPTED,
            person__is_active=True,
        )
        .select_related("person", "programme__organisation")
        .order_by("pk")
    )
    # One batch for everyone a run leaves out: a fixed number of queries however many.
    notices = []
    for application in applications:
        context = _application_context(application)
        path = reverse("recruitment:my_application", args=[application.pk])
        notices.append(
            BulkNotice(
                person=application.person,
                subject=_("About your partner in %(programme)s") % {"programme": programme.name},
                template="recruitment/email/unmatched.txt",
                context={**context, "link": absolute(path)},
                url=path,
                dedupe_key=f"application-unmatched:{programme.pk}:{application.person_id}",
            )
        )
    return len(notify_many(notices, kind="application"))
