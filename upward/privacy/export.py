"""Access: everything Upward holds about a person, decrypted for them, nothing about others.

Built from a registry of sections, one per kind of record. Each section names the foreign keys
to Person or User it covers (`covers`); the fields of every model that point at a person and are
in no section are on `SKIPPED`, each with its reason. `tests/test_export.py` fails when a model
points at a person from a field that is in neither, so a new model cannot be forgotten.

Partners appear by name only; the team's notes about the person, who else flagged what, other
people's answers and anonymous survey answers never appear.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.db.models import Q
from django.utils.translation import gettext as _

from upward.accounts.models import AccountInvitation, ApiToken
from upward.consent.models import AboutYou, ConsentEvent
from upward.core.models import AuditEvent
from upward.goals.models import Assessment, Goal, Task
from upward.impact.models import Commitment, RecordShare, ThankYouNote
from upward.journey.models import CalendarFeed, EventResponse, Meeting
from upward.notes.models import CohortPost, MeetingNote, Message, SharedNote, SharedNoteRevision
from upward.notifications.models import (
    ChatMessage,
    ChatPreference,
    Notification,
    NotificationPreference,
    OutboundEmail,
)
from upward.organisations.models import Person, Topic, Unavailability
from upward.pairing.models import Chooser, Pairing
from upward.programmes.models import Programme
from upward.recruitment.models import Application, Invitation
from upward.safety.models import (
    Concern,
    PairingExit,
    PulseResponse,
    RematchRequest,
    SafeguardingContact,
)
from upward.surveys.models import Response, Submission

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Section:
    key: str
    title: str  # translated when the export is built
    covers: tuple[str, ...]  # "app_label.Model.field" foreign keys to Person or User
    rows: Callable[[Person | None, Any], Rows]
    note: str = ""


def _d(value: Any) -> Any:
    """Dates and times stay as they are: the page formats them, the file writes ISO 8601."""
    return value


def as_json(value: Any) -> Any:
    """`json.dumps` default for the file: dates and times in ISO 8601, anything else as text."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _name(person: Person | None) -> str:
    return person.full_name if person is not None else ""


def _partner(pairing: Pairing, person: Person) -> str:
    return _name(pairing.mentee if pairing.mentor_id == person.pk else pairing.mentor)


def _profile(p: Person | None, user: Any) -> Rows:
    if p is None:
        return []
    return [
        {
            _("Name"): p.full_name,
            _("Email"): p.email,
            _("Organisation"): p.organisation.name,
            _("Job title"): p.job_title,
            _("Level"): str(p.level or ""),
            _("Department"): getattr(p.department, "name", ""),
            _("Team"): getattr(p.team, "name", ""),
            _("Line manager"): _name(p.manager),
            _("Location"): p.location,
            _("Time zone"): p.time_zone,
            _("Start date"): _d(p.start_date),
            _("Works here"): p.is_active,
            _("Organisation admin"): p.is_org_admin,
        }
    ]


def _account(p: Person | None, user: Any) -> Rows:
    rows: Rows = [
        {
            _("Account email"): user.email,
            _("Account name"): getattr(user, "name", ""),
            _("Joined"): _d(user.date_joined),
            _("Last sign-in"): _d(user.last_login),
        }
    ]
    rows += [
        {_("Email address"): a.email, _("Confirmed"): a.verified, _("Primary"): a.primary}
        for a in EmailAddress.objects.filter(user=user)
    ]
    # The kind of each authenticator only: its secret stays a secret.
    rows += [{_("Two-factor method"): a.type} for a in Authenticator.objects.filter(user=user)]
    # Single sign-on links: which provider, since when (the provider's own data stays there).
    rows += [
        {_("Signs in through"): a.provider, _("Linked"): _d(a.date_joined)}
        for a in SocialAccount.objects.filter(user=user)
    ]
    # Personal API tokens: what each may do and when it was used, never its secret or hash.
    rows += [
        {
            _("API token"): t.name,
            _("Scopes"): list(t.scopes),
            _("Made"): _d(t.created_at),
            _("Last used"): _d(t.last_used_at),
            _("Revoked"): _d(t.revoked_at),
        }
        for t in ApiToken.objects.filter(user=user)
    ]
    return rows


def _applications(p: Person | None, user: Any) -> Rows:
    rows = []
    for a in Application.objects.filter(person=p).select_related("programme"):
        rows.append(
            {
                _("Programme"): a.programme.name,
                _("Role"): a.get_role_display(),
                _("Status"): a.get_status_display(),
                _("Submitted"): _d(a.submitted_at),
                _("Motivation"): a.motivation,
                _("Preferred times"): a.preferred_times,
                _("Topics you offered"): [t.name for t in a.offered_topics.all()],
                _("Topics you wanted"): [t.name for t in a.wanted_topics.all()],
                _("Interests"): [t.name for t in a.interests.all()],
                _("Lived experience you consented to share"): (
                    [t.name for t in a.lived_experience_topics.all()]
                    if a.lived_experience_consent
                    else []
                ),
                _("People you said you work with"): [_name(w) for w in a.works_with.all()],
                _("Decision message"): a.decision_reason,
                _("Answers"): [
                    {_("Question"): ans.question.text, _("Answer"): ans.value}
                    for ans in a.answers.select_related("question")
                ]
                if hasattr(a, "answers")
                else [],
            }
        )
    return rows


def _invitations(p: Person | None, user: Any) -> Rows:
    rows: Rows = [
        {
            _("Invited to"): i.programme.name,
            _("Role"): i.get_role_display(),
            _("Message"): i.message,
            _("Sent"): _d(i.created_at),
        }
        for i in Invitation.objects.filter(person=p).select_related("programme")
    ]
    rows += [
        {_("Account invitation sent"): _d(i.created_at), _("Accepted"): _d(i.accepted_at)}
        for i in AccountInvitation.objects.filter(person=p)
    ]
    return rows


def _pairings(p: Person | None, user: Any) -> Rows:
    if p is None:
        return []
    pairings = Pairing.objects.filter(Q(mentor=p) | Q(mentee=p)).select_related(
        "programme", "mentor", "mentee"
    )
    rows: Rows = [
        {
            _("Programme"): x.programme.name,
            _("Your role"): _("mentor") if x.mentor_id == p.pk else _("mentee"),
            _("Partner"): _partner(x, p),
            _("State"): x.get_state_display(),
            _("Since"): _d(x.created_at),
            _("Ended"): _d(x.closed_at),
        }
        for x in pairings
    ]
    for chooser in Chooser.objects.filter(person=p).select_related("round__programme"):
        rows.append(
            {
                _("Partner choice in"): chooser.round.programme.name,
                _("Your ranking"): [
                    {_("Rank"): o.rank, _("Partner"): _name(o.partner)}
                    for o in chooser.options.select_related("partner").order_by("rank")
                    if o.rank
                ],
            }
        )
    return rows


def _meetings(p: Person | None, user: Any) -> Rows:
    if p is None:
        return []
    meetings = Meeting.objects.filter(Q(pairing__mentor=p) | Q(pairing__mentee=p)).select_related(
        "pairing__mentor", "pairing__mentee", "organiser"
    )
    return [
        {
            _("Starts"): _d(m.starts_at),
            _("With"): _partner(m.pairing, p),
            _("Status"): m.get_status_display(),
            _("Organised by you"): m.organiser_id == p.pk,
            _("Place"): m.place,
        }
        for m in meetings.order_by("starts_at")
    ]


def _shared_notes(p: Person | None, user: Any) -> Rows:
    rows: Rows = [
        {_("Title"): n.title, _("Text"): n.body, _("Written"): _d(n.created_at)}
        for n in SharedNote.objects.filter(created_by=p)
    ]
    rows += [
        {_("Version you saved"): r.number, _("Title"): r.title, _("Text"): r.body}
        for r in SharedNoteRevision.objects.filter(saved_by=p).exclude(note__created_by=p)
    ]
    return rows


def _private_notes(p: Person | None, user: Any) -> Rows:
    return [
        {_("Meeting"): _d(n.meeting.starts_at), _("Text"): n.body, _("Written"): _d(n.created_at)}
        for n in MeetingNote.objects.filter(author=p).select_related("meeting")
    ]


def _messages(p: Person | None, user: Any) -> Rows:
    rows: Rows = [
        {_("To"): _partner(m.pairing, p), _("Sent"): _d(m.sent_at), _("Text"): m.body}  # type: ignore[arg-type]
        for m in Message.objects.filter(sender=p).select_related(
            "pairing__mentor", "pairing__mentee"
        )
    ]
    rows += [
        {
            _("Cohort space post in"): c.programme.name,
            _("Written"): _d(c.created_at),
            _("Text"): c.body,
        }
        for c in CohortPost.objects.filter(author=p).select_related("programme")
    ]
    return rows


def _goals(p: Person | None, user: Any) -> Rows:
    rows: Rows = [
        {
            _("Goal"): g.statement,
            _("Measure"): g.measure,
            _("Why"): g.why,
            _("Status"): g.get_status_display(),
            _("Yours"): g.owner_id == getattr(p, "pk", None),
        }
        for g in Goal.objects.filter(Q(owner=p) | Q(created_by=p))
    ]
    rows += [
        {_("Task"): t.title, _("Due"): _d(t.due_on), _("Done"): _d(t.done_at)}
        for t in Task.objects.filter(Q(owner=p) | Q(created_by=p))
    ]
    rows += [
        {
            _("Skills assessment"): a.get_kind_display(),
            _("Ratings"): {r.skill.name: r.level for r in a.ratings.select_related("skill")},
        }
        for a in Assessment.objects.filter(rater=p)
    ]
    return rows


def _commitments(p: Person | None, user: Any) -> Rows:
    rows: Rows = [
        {_("Commitment"): c.text, _("Due"): _d(c.due_on), _("Status"): c.get_status_display()}
        for c in Commitment.objects.filter(owner=p)
    ]
    if p is not None:
        notes = ThankYouNote.objects.filter(
            Q(author=p) | Q(pairing__mentor=p) | Q(pairing__mentee=p)
        ).select_related("author")
        rows += [
            {
                _("Thank-you note"): _("written by you")
                if n.author_id == p.pk
                else _name(n.author),
                _("Text"): n.text,
            }
            for n in notes
        ]
    rows += [
        {_("Contribution record shared with"): _name(s.line_manager), _("Sent"): _d(s.created_at)}
        for s in RecordShare.objects.filter(mentor=p).select_related("line_manager")
    ]
    return rows


def _safety(p: Person | None, user: Any) -> Rows:
    """Only what the person raised or answered themselves; never the team's notes about them."""
    rows: Rows = [
        {
            _("Concern you raised"): c.text,
            _("State"): c.get_state_display(),
            _("Raised"): _d(c.created_at),
        }
        for c in Concern.objects.filter(raised_by=p)
    ]
    rows += [
        {
            _("Safety pulse"): _d(r.created_at),
            _("Spoke openly"): r.spoke_openly,
            _("Felt listened to"): r.felt_listened_to,
            _("Worth my time"): r.worth_my_time,
            _("Asked for a word"): r.wants_support,
            _("Comment"): r.comment,
        }
        for r in PulseResponse.objects.filter(mentor=p)
    ]
    rows += [
        {
            _("You ended a pairing"): _d(e.created_at),
            _("Reason"): e.get_category_display(),
            _("In your words"): e.reason,
        }
        for e in PairingExit.objects.filter(left_by=p)
    ]
    rows += [
        {_("You asked for a new partner"): _d(r.created_at), _("Status"): r.get_status_display()}
        for r in RematchRequest.objects.filter(person=p)
    ]
    rows += [
        {_("Safeguarding contact since"): _d(s.created_at)}
        for s in SafeguardingContact.objects.filter(person=p)
    ]
    return rows


def _notifications(p: Person | None, user: Any) -> Rows:
    rows: Rows = [
        {
            _("Notification"): n.subject,
            _("Text"): n.body,
            _("Sent"): _d(n.created_at),
            _("Read"): _d(n.read_at),
        }
        for n in Notification.objects.filter(recipient=p)
    ]
    rows += [
        {_("Notification choice"): x.kind, _("Delivery"): x.get_delivery_display()}
        for x in NotificationPreference.objects.filter(person=p)
    ]
    rows += [
        {_("Email"): e.subject, _("Written"): _d(e.created_at), _("State"): e.get_state_display()}
        for e in OutboundEmail.objects.filter(person=p)
    ]
    rows += [
        {_("Slack direct messages"): _("on") if x.slack_direct else _("off")}
        for x in ChatPreference.objects.filter(person=p)
    ]
    rows += [
        {
            _("Chat message"): m.get_destination_display(),
            _("Written"): _d(m.created_at),
            _("State"): m.get_state_display(),
        }
        for m in ChatMessage.objects.filter(person=p)
    ]
    return rows


def _activity(p: Person | None, user: Any) -> Rows:
    rows: Rows = [
        {_("Event"): r.event.title, _("Your answer"): r.answer, _("Attended"): r.attended}
        for r in EventResponse.objects.filter(person=p).select_related("event")
    ]
    rows += [
        {_("Time away from"): _d(u.starts_on), _("Until"): _d(u.ends_on), _("Note"): u.note}
        for u in Unavailability.objects.filter(person=p)
    ]
    rows += [
        {_("Calendar feed created"): _d(f.created_at), _("Last used"): _d(f.last_used_at)}
        for f in CalendarFeed.objects.filter(person=p)
    ]
    rows += [{_("Programme you manage"): x.name} for x in Programme.objects.filter(managers=p)]
    return rows


def _surveys(p: Person | None, user: Any) -> Rows:
    rows: Rows = [
        {_("Survey answered"): s.survey.title, _("When"): _d(s.submitted_at)}
        for s in Submission.objects.filter(person=p).select_related("survey")
    ]
    for r in Response.objects.filter(person=p, is_anonymous=False).select_related("survey"):
        rows.append(
            {
                _("Your answers to"): r.survey.title,
                _("Answers"): [
                    {
                        _("Question"): a.question.text,
                        _("Answer"): a.text or a.choices or a.number,
                    }
                    for a in r.answers.select_related("question")
                ],
            }
        )
    return rows


def _consents(p: Person | None, user: Any) -> Rows:
    rows: Rows = []
    about = AboutYou.objects.filter(person=p).first()
    if about is not None:
        rows.append(
            {
                _("Ethnicity"): about.ethnicity,
                _("Gender identity"): about.gender_identity,
                _("Sexual orientation"): about.sexual_orientation,
                _("Disability"): about.disability,
                _("Social background"): about.social_background,
                _("Age band"): about.age_band,
                _("Lived experience"): (
                    _("Prefer not to say")
                    if about.lived_prefer_not
                    else [t.name for t in Topic.objects.filter(pk__in=about.lived_topic_ids())]
                ),
                _("Shared with your partner"): about.shared_with_partner,
                _("Updated"): about.updated_at,
            }
        )
    rows += [
        {
            _("Consent for"): e.get_purpose_display(),
            _("Given"): e.granted,
            _("Wording version"): e.version,
            _("When"): e.at,
        }
        for e in ConsentEvent.objects.filter(person=p).order_by("at", "id")
    ]
    return rows


def _audit(p: Person | None, user: Any) -> Rows:
    return [
        {_("Action"): e.verb, _("On"): e.object_type, _("When"): _d(e.created_at)}
        for e in AuditEvent.objects.filter(actor=user).order_by("created_at")
    ]


SECTIONS: tuple[Section, ...] = (
    Section("profile", "Your directory entry", ("organisations.Person.user",), _profile),
    Section(
        "account",
        "Your account",
        (
            "account.EmailAddress.user",
            "mfa.Authenticator.user",
            "accounts.ApiToken.user",
            "socialaccount.SocialAccount.user",
        ),
        _account,
    ),
    Section(
        "applications", "Your applications", ("recruitment.Application.person",), _applications
    ),
    Section(
        "invitations",
        "Invitations you received",
        ("recruitment.Invitation.person", "accounts.AccountInvitation.person"),
        _invitations,
    ),
    Section(
        "pairings",
        "Your pairings and partner choices",
        ("pairing.Pairing.mentor", "pairing.Pairing.mentee", "pairing.Chooser.person"),
        _pairings,
    ),
    Section(
        "meetings",
        "Your meetings",
        ("journey.Meeting.organiser", "journey.Meeting.proposed_by"),
        _meetings,
    ),
    Section(
        "shared_notes",
        "Shared notes you wrote",
        ("notes.SharedNote.created_by", "notes.SharedNoteRevision.saved_by"),
        _shared_notes,
    ),
    Section(
        "private_notes", "Your private meeting notes", ("notes.MeetingNote.author",), _private_notes
    ),
    Section(
        "messages",
        "Messages and posts you wrote",
        ("notes.Message.sender", "notes.CohortPost.author"),
        _messages,
    ),
    Section(
        "goals",
        "Goals, tasks and skills ratings",
        (
            "goals.Goal.owner",
            "goals.Goal.created_by",
            "goals.Task.owner",
            "goals.Task.created_by",
            "goals.Assessment.rater",
        ),
        _goals,
    ),
    Section(
        "commitments",
        "Commitments, thank-you notes and shared records",
        ("impact.Commitment.owner", "impact.ThankYouNote.author", "impact.RecordShare.mentor"),
        _commitments,
    ),
    Section(
        "safety",
        "Safety items you raised",
        (
            "safety.Concern.raised_by",
            "safety.PulseResponse.mentor",
            "safety.PairingExit.left_by",
            "safety.RematchRequest.person",
            "safety.SafeguardingContact.person",
        ),
        _safety,
    ),
    Section(
        "notifications",
        "Notifications and emails",
        (
            "notifications.Notification.recipient",
            "notifications.NotificationPreference.person",
            "notifications.OutboundEmail.person",
            "notifications.ChatPreference.person",
            "notifications.ChatMessage.person",
        ),
        _notifications,
    ),
    Section(
        "activity",
        "Events, time away, calendar and programmes you manage",
        (
            "journey.EventResponse.person",
            "organisations.Unavailability.person",
            "journey.CalendarFeed.person",
            "programmes.Programme.managers",
        ),
        _activity,
    ),
    Section(
        "surveys",
        "Surveys",
        ("surveys.Submission.person", "surveys.Response.person"),
        _surveys,
        note=(
            "Answers to anonymous surveys are stored without your name, so they are not shown "
            "here. Start and end answers carry a coded key, made with a secret the database "
            "does not hold, so they can be compared; Upward uses it only to remove your groups "
            "from them when you withdraw consent."
        ),
    ),
    Section(
        "consents",
        "About you and your consents",
        ("consent.AboutYou.person", "consent.ConsentEvent.person"),
        _consents,
    ),
    Section("audit", "Actions you took that were recorded", ("core.AuditEvent.actor",), _audit),
)

# Fields that point at a person but are not exported, each with its reason.
_STAFF_ACTION = "who on the team did this: the action is in the audit section"
SKIPPED: dict[str, str] = {
    "admin.LogEntry.user": "the admin site's own log of staff edits; the audit section covers it",
    "organisations.Person.manager": "other people's entries that name this person as manager",
    "organisations.PeopleImport.uploaded_by": _STAFF_ACTION,
    "organisations.PeopleImport.started_by": _STAFF_ACTION,
    "accounts.AccountInvitation.invited_by": _STAFF_ACTION,
    "accounts.ApiToken.created_by": _STAFF_ACTION,
    "filesync.FileSyncRun.requested_by": _STAFF_ACTION,
    "webhooks.Endpoint.created_by": _STAFF_ACTION,
    "scim.ScimIdentity.person": "the identity system's copy of directory data shown in the directory",
    "programmes.StateChange.by": _STAFF_ACTION,
    "recruitment.Application.reviewed_by": _STAFF_ACTION,
    "recruitment.Application.works_with": "other people's applications naming this person",
    "recruitment.Invitation.invited_by": _STAFF_ACTION,
    "pairing.MatchRule.mentee": "the team's matching rules about pairs: not the person's data to see",
    "pairing.MatchRule.mentor": "the team's matching rules about pairs: not the person's data to see",
    "pairing.MatchRule.created_by": _STAFF_ACTION,
    "pairing.MatchRun.ran_by": _STAFF_ACTION,
    "pairing.MatchRun.published_by": _STAFF_ACTION,
    "pairing.PairingStateChange.by": _STAFF_ACTION,
    "pairing.MatchSetup.saved_by": _STAFF_ACTION,
    "pairing.ChoiceRound.opened_by": _STAFF_ACTION,
    "pairing.ChoiceRound.closed_by": _STAFF_ACTION,
    "pairing.ChoiceOption.partner": "how other people ranked this person: their choices",
    "journey.JourneyTemplate.created_by": _STAFF_ACTION,
    "journey.JourneyVersion.published_by": _STAFF_ACTION,
    "journey.ProgrammeJourney.updated_by": _STAFF_ACTION,
    "journey.PairAgreement.updated_by": "the pair's shared agreement; its last editor only",
    "journey.Meeting.created_by": "the meetings section covers the person's meetings",
    "journey.MeetingAgendaItem.done_by": "a tick on the pair's shared agenda",
    "journey.Event.organiser": "a programme event the person organised for others",
    "notes.SharedNote.updated_by": "the note's last editor; notes they wrote are exported",
    "notes.CohortPost.hidden_by": _STAFF_ACTION,
    "goals.Assessment.subject": "ratings by the partner about the person are the partner's",
    "resources.Resource.created_by": _STAFF_ACTION,
    "resources.SavedItem.saved_by": "a bookmark on the pair's shared list",
    "surveys.Survey.created_by": _STAFF_ACTION,
    "surveys.SuccessMeasure.set_by": _STAFF_ACTION,
    "safety.SafetySettings.updated_by": _STAFF_ACTION,
    "safety.RematchRequest.closed_by": _STAFF_ACTION,
    "safety.ConcernNote.author": "the safety team's notes: never exported (docs/safety.md)",
    "safety.FlagSnooze.by": _STAFF_ACTION,
    "safety.CheckIn.person": "the safety team's check-ins about the person: the team's notes",
    "safety.CheckIn.lead": "check-ins the person led for the safety team: about others",
    "safety.CheckIn.created_by": _STAFF_ACTION,
    "safety.SafeguardingContact.added_by": _STAFF_ACTION,
    "notifications.Digest.person": "the weekly email's bookkeeping; its items are notifications",
    "impact.ImpactSettings.updated_by": _STAFF_ACTION,
    "impact.RecordShare.line_manager": "a record a mentor shared about themselves",
    "announcements.Announcement.sent_by": _STAFF_ACTION,
    "announcements.Announcement.recipients": "announcements are in the notifications section",
}


def build(user: Any) -> list[dict[str, Any]]:
    """The person's export, section by section: [{key, title, note, rows}]."""
    try:
        person: Person | None = user.person
    except Person.DoesNotExist:
        person = None
    if person is not None:
        person = Person.objects.select_related(
            "organisation", "level", "department", "team", "manager"
        ).get(pk=person.pk)
    return [
        {
            "key": s.key,
            "title": _(s.title),
            "note": _(s.note) if s.note else "",
            "rows": s.rows(person, user),
        }
        for s in SECTIONS
    ]
