"""May this person apply to this programme in this role? One answer for the page and the service.

The level and department rules live in `upward.programmes.eligibility.is_eligible`; this module
adds the recruitment rules around them (the programme is recruiting, the sign-up link is open,
invitation-only programmes take only invited people in the invited role). The apply page shows
the reason *before* the form, and the service checks it again inside its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from upward.organisations.models import Person
from upward.programmes.eligibility import is_eligible
from upward.programmes.models import Programme, SelectionMode, State
from upward.recruitment.models import Invitation, Role


@dataclass(frozen=True)
class RoleOption:
    role: str
    label: str
    eligible: bool
    reason: str
    invited: bool


def role_noun(role: str) -> str:
    return _("mentor") if role == Role.MENTOR else _("mentee")


def roles_noun(role: str) -> str:
    return _("mentors") if role == Role.MENTOR else _("mentees")


def invitation_for(programme: Programme, person: Person) -> Invitation | None:
    return Invitation.objects.filter(programme=programme, person=person).first()


def refusal(
    programme: Programme,
    person: Person,
    role: str,
    *,
    invitation: Invitation | None = None,
) -> str:
    """Why the person may not apply in this role, in plain words; "" when they may."""
    if role not in Role.values:
        return _("Choose whether you are applying as a mentor or as a mentee.")
    if person.organisation_id != programme.organisation_id:
        return _("This programme is only open to people in %(org)s.") % {
            "org": programme.organisation
        }
    if programme.state != State.RECRUITING:
        if programme.state == State.DRAFT:
            return _("This programme is not open for applications yet.")
        return _("Applications for this programme have closed.")
    if programme.selection_mode == SelectionMode.INVITATION:
        if invitation is None:
            return _(
                "This programme is by invitation only. If you would like to take part, "
                "contact the programme team; they may invite you or tell you about the next cohort."
            )
        if invitation.role != role:
            return _(
                "You were invited to take part as a %(role)s. This programme is by invitation "
                "only, so you can apply in that role only."
            ) % {"role": role_noun(invitation.role)}
    elif not programme.signup_open and invitation is None:
        return _("Sign-up for this programme is closed at the moment.")
    eligible, why = is_eligible(programme, person, role)
    return "" if eligible else why


def role_options(programme: Programme, person: Person) -> list[RoleOption]:
    """Both roles, each with whether the person may apply and, if not, why."""
    invitation = invitation_for(programme, person)
    options = []
    for role in Role:
        why = refusal(programme, person, role.value, invitation=invitation)
        options.append(
            RoleOption(
                role=role.value,
                label=str(role.label),
                eligible=not why,
                reason=why,
                invited=invitation is not None and invitation.role == role.value,
            )
        )
    return options
