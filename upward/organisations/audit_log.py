"""The organisation's audit log as its admins read it: entries grouped into kinds of action in
plain words, a sentence for each verb, and the filters of the audit log page.

The verbs are written all over Upward (`upward.core.audit.record`); this module only names
them. A verb it does not know still shows, with a sentence made from the verb itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from upward.core.models import AuditEvent
from upward.organisations.models import Organisation, Person

# Kinds of action, in the order the filter lists them. Each verb belongs to the first kind
# whose exact verbs or prefixes match it.
KINDS: list[tuple[str, Promise, frozenset[str], tuple[str, ...]]] = [
    (
        "sign_in",
        _("Signing in"),
        frozenset(
            {
                "account.signed_in",
                "account.sign_in_failed",
                "account.signed_out",
                "account.two_factor_added",
                "account.two_factor_removed",
                "account.recovery_codes_renewed",
                "account.password_changed",
                "account.password_reset",
                "account.email_changed",
            }
        ),
        (),
    ),
    (
        "roles",
        _("Roles and permissions"),
        frozenset(
            {
                "person.admin_granted",
                "person.admin_removed",
                "programme.managers_changed",
                "safety.safeguarding_contact_added",
                "safety.safeguarding_contact_removed",
                "account.staff_granted",
                "account.staff_removed",
                "account.superuser_granted",
                "account.superuser_removed",
                "account.permissions_changed",
            }
        ),
        (),
    ),
    ("exports", _("Data exports and downloads"), frozenset(), ("export.",)),
    ("sensitive", _("Viewing sensitive data"), frozenset(), ("special_category.",)),
    ("erasure", _("Erasure and retention"), frozenset(), ("privacy.", "erasure.", "retention.")),
    (
        "matching",
        _("Matching"),
        frozenset(),
        ("match_run.", "match_rule.", "match_setup.", "pairing.", "choice.", "choice_round."),
    ),
    ("admin_site", _("Changes on the admin site"), frozenset(), ("admin.",)),
    (
        "directory",
        _("People and organisation setup"),
        frozenset(),
        (
            "person.",
            "people.",
            "people_import.",
            "organisation.",
            "department.",
            "team.",
            "level.",
            "topic.",
            "account.",
        ),
    ),
    (
        "programmes",
        _("Programmes, applications and surveys"),
        frozenset(),
        ("programme.", "application.", "survey.", "announcement.", "consent."),
    ),
]
OTHER = ("other", _("Pair activity and everything else"))
KIND_CHOICES = [(key, label) for key, label, _verbs, _prefixes in KINDS] + [OTHER]

DESCRIPTIONS: dict[str, Promise] = {
    "account.signed_in": _("Signed in"),
    "account.sign_in_failed": _("A sign-in failed"),
    "account.signed_out": _("Signed out"),
    "account.two_factor_added": _("Turned on two-factor authentication"),
    "account.two_factor_removed": _("Turned off two-factor authentication"),
    "account.recovery_codes_renewed": _("Made new two-factor recovery codes"),
    "account.password_changed": _("Changed their password"),
    "account.password_reset": _("Reset their password by email"),
    "account.email_changed": _("Changed their sign-in email address"),
    "account.staff_granted": _("Was given access to the admin site"),
    "account.staff_removed": _("Lost access to the admin site"),
    "account.superuser_granted": _("Was given every permission on the admin site"),
    "account.superuser_removed": _("Lost every permission on the admin site"),
    "account.permissions_changed": _("Admin-site groups or permissions changed"),
    "person.admin_granted": _("Made an organisation admin"),
    "person.admin_removed": _("No longer an organisation admin"),
    "programme.managers_changed": _("Changed who manages a programme"),
    "safety.safeguarding_contact_added": _("Added a safeguarding contact"),
    "safety.safeguarding_contact_removed": _("Removed a safeguarding contact"),
    "export.workbook": _("Downloaded a pair's workbook (PDF)"),
    "export.contribution_record": _("Downloaded a contribution record (PDF)"),
    "export.certificate": _("Downloaded a certificate (PDF)"),
    "export.outcomes": _("Downloaded a programme's outcomes (CSV)"),
    # issue 16: exports (CSV or XLSX; the entry's data names the format)
    "export.applications": _("Downloaded a programme's applications"),
    "export.pairings": _("Downloaded a programme's pairings"),
    "export.meeting_rhythm": _("Downloaded a programme's meeting rhythm"),
    "export.mentor_time": _("Downloaded a programme's mentor time"),
    "export.survey_aggregates": _("Downloaded a programme's survey results"),
    "export.people": _("Downloaded the people directory"),
    "export.programmes": _("Downloaded the programmes and their figures"),
    "special_category.viewed": _("Viewed someone's diversity information"),
    "match_run.started": _("Ran matching"),
    "match_run.published": _("Published the matches"),
    "pairing.proposed": _("Proposed a pair"),
    "pairing.state_changed": _("A pair's status changed"),
    "admin.added": _("Added a record on the admin site"),
    "admin.changed": _("Changed a record on the admin site"),
    "admin.deleted": _("Deleted a record on the admin site"),
    "organisation.created": _("Created the organisation"),
    "person.created": _("Added a person to the directory"),
    "person.updated": _("Changed a person's details"),
    "person.marked_left": _("Marked a person as left"),
    "person.marked_back": _("Marked a person as back"),
    "person.invited": _("Invited a person to Upward"),
    "people.imported": _("Imported people from a file"),
    "application.decided": _("Decided on an application"),
    "privacy.data_viewed": _("Looked at everything Upward holds about them"),
    "privacy.data_exported": _("Downloaded everything Upward holds about them (JSON)"),
    "privacy.person_erased": _("Erased a person"),
    "encryption_key.shredded": _("Destroyed the organisation's encryption key"),
}


def kind_of(verb: str) -> str:
    for key, _label, verbs, prefixes in KINDS:
        if verb in verbs or verb.startswith(prefixes):
            return key
    return OTHER[0]


def describe(verb: str) -> str:
    """A plain sentence for a verb; for one not named above, the verb in words."""
    known = DESCRIPTIONS.get(verb)
    if known is not None:
        return str(known)
    words = verb.rsplit(".", 1)[-1].replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else verb


@dataclass(frozen=True)
class Row:
    entry: AuditEvent
    description: str
    kind: str
    who: str
    about: str
    details: str


def _who(entry: AuditEvent) -> str:
    if entry.verb == "account.sign_in_failed":
        return str(_("Someone signing in"))
    if entry.actor_id is None:
        return str(_("A deleted account") if entry.actor_ref else _("Upward (automatic)"))
    actor = entry.actor
    person = getattr(actor, "person", None) if actor is not None else None
    if person is not None:
        return person.full_name
    return actor.get_full_name() if actor is not None else ""


def _details(entry: AuditEvent) -> str:
    """What the entry adds in words: field names, counts. Never free text."""
    data = entry.data if isinstance(entry.data, dict) else {}
    parts: list[str] = []
    fields = data.get("fields")
    if isinstance(fields, list) and fields:
        parts.append(str(_("Fields: %(fields)s")) % {"fields": ", ".join(map(str, fields))})
    if entry.verb == "account.sign_in_failed":
        step = data.get("step")
        if step == "two_factor":
            parts.append(str(_("Wrong two-factor code")))
        elif step == "sign_in_code":
            parts.append(str(_("Wrong sign-in code from an email")))
        elif data.get("known_account") is False:
            parts.append(str(_("An address with no account")))
        else:
            parts.append(str(_("Wrong password")))
    if data.get("source") == "import":
        parts.append(str(_("From a people import")))
    if data.get("admin_site"):
        parts.append(str(_("On the admin site")))
    return " · ".join(parts)


def _subjects(organisation: Organisation, page: list[AuditEvent]) -> dict[tuple[str, str], str]:
    """Names of the people the entries are about (a person, or an account), from this
    organisation's directory only."""
    person_ids = {e.object_id for e in page if e.object_type == "organisations.person"}
    user_ids = {e.object_id for e in page if e.object_type == "accounts.user"}
    names: dict[tuple[str, str], str] = {}
    wanted = Q(pk__in=[int(i) for i in person_ids if i.isdigit()]) | Q(
        user_id__in=[int(i) for i in user_ids if i.isdigit()]
    )
    if person_ids or user_ids:
        for pk, user_id, name in Person.objects.filter(
            wanted, organisation=organisation
        ).values_list("pk", "user_id", "full_name"):
            names["organisations.person", str(pk)] = name
            if user_id is not None:
                names["accounts.user", str(user_id)] = name
    return names


def rows(organisation: Organisation, entries: Any) -> list[Row]:
    page = list(entries)
    subjects = _subjects(organisation, page)
    return [
        Row(
            entry=e,
            description=describe(e.verb),
            kind=kind_of(e.verb),
            who=_who(e),
            about=subjects.get((e.object_type, e.object_id), ""),
            details=_details(e),
        )
        for e in page
    ]


# Entries that are themselves safety data, or that would tell an org admin who answered an
# anonymous survey: who raised a concern or left a pairing, who submitted a pulse, who asked for
# a new partner. Safety data has its own readers (docs/safety.md) and being an org admin is not
# one of them; those entries stay in the chain (verified with it) but this page never lists them.
#
# Consent and About-you entries are hidden too: paired with the inclusion figures before and
# after, "Sami withdrew at 21:37" (or "updated their About you") would tell which group counts
# went down by one, and so Sami's answers (docs/insight.md, "Over time").
HIDDEN_PREFIXES = (
    "consent.",
    "safety.concern",
    "safety.pulse",
    "safety.pairing_left",
    "safety.rematch",
    "safety.check_in",
    "safety.flag",
)
HIDDEN_VERBS = frozenset(
    {"survey.answered", "pairing.state_changed", "special_category.updated"}
)


def _hidden_from_viewer() -> Q:
    hidden = Q(verb__in=HIDDEN_VERBS)
    for prefix in HIDDEN_PREFIXES:
        hidden |= Q(verb__startswith=prefix)
    return hidden


def entries(
    organisation: Organisation,
    *,
    kind: str = "",
    actor: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The organisation's entries, newest first, filtered. Only this organisation's chain,
    and never an entry that is itself safety data (see HIDDEN_FROM_VIEWER)."""
    queryset = AuditEvent.objects.filter(organisation=organisation).exclude(_hidden_from_viewer())
    if kind:
        verbs = queryset.order_by().values_list("verb", flat=True).distinct()
        queryset = queryset.filter(verb__in=[v for v in verbs if kind_of(v) == kind])
    if actor:
        queryset = queryset.filter(
            Q(actor__person__full_name__icontains=actor) | Q(actor__name__icontains=actor)
        )
    zone = timezone.get_current_timezone()
    if date_from:
        start = dt.datetime.combine(date_from, dt.time.min, tzinfo=zone)
        queryset = queryset.filter(created_at__gte=start)
    if date_to:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        queryset = queryset.filter(created_at__lt=end)
    return queryset.select_related("actor__person").order_by("-created_at", "-position")
