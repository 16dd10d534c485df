"""Every text column of every model is encrypted, or listed here with the reason it need not be.

A new CharField, TextField or JSONField that a person writes for a limited audience must be an
EncryptedTextField (upward.core.fields); anything else goes on ALLOWED with a one-line reason.
Fields whose values come only from a fixed list (`choices`) hold no free text and need no entry.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

from upward.core.fields import EncryptedBinaryField, EncryptedTextField

ALLOWED: dict[str, str] = {
    # core
    "core.AuditEvent.verb": "a fixed verb chosen by code",
    "core.AuditEvent.object_type": "a model label",
    "core.AuditEvent.object_id": "a primary key",
    "core.AuditEvent.data": "never holds sensitive values by rule (upward.core.audit)",
    "core.OrganisationKey.wrapped": "already ciphertext: the data key under the master keys",
    "core.AuditEvent.prev_hash": "a SHA-256 of the previous entry (the tamper-evident chain)",
    "core.AuditEvent.hash": "a SHA-256 of the entry itself (the tamper-evident chain)",
    "core.AuditChain.key": "names a chain: 'org:<id>' or 'none'",
    "core.AuditChain.hash": "the SHA-256 at the head of a chain",
    "consent.AboutYou.shared_with_partner": (
        "which category keys the person shares with their partner, never the answers"
    ),
    "consent.ConsentEvent.version": "the identifier of the wording consent was given under",
    "surveys.PendingResponse.payload": (
        "already ciphertext: sealed with a key derived from SURVEY_PSEUDONYM_SECRET, which the "
        "database and ENCRYPTION_KEYS cannot open (upward/surveys/fields.py)"
    ),
    "surveys.PseudonymSalt.salt": (
        "random per organisation; useless without SURVEY_PSEUDONYM_SECRET, which is not stored"
    ),
    # accounts
    "accounts.User.password": "a salted password hash",
    "accounts.User.email": "the sign-in address, looked up by value",
    "accounts.User.name": "a display name shown to the whole organisation",
    "accounts.AccountInvitation.email": "the address the invitation is sent to, looked up",
    "accounts.AccountInvitation.token": "a random link token, looked up by value",
    "accounts.ApiToken.name": "the token's label, chosen by its maker, shown in token lists",
    "accounts.ApiToken.prefix": "the token's public first characters, to tell tokens apart",
    "accounts.ApiToken.secret_hash": "a SHA-256 of the secret, looked up by value",
    "accounts.ApiToken.kind": "a fixed choice (personal or service)",
    "accounts.ApiToken.scopes": "a list of fixed scope names",
    # organisations: the directory, shown to the whole organisation
    "organisations.Organisation.name": "shown to everyone in the organisation",
    "organisations.Organisation.slug": "part of addresses",
    "organisations.OrganisationDomain.domain": "a domain, looked up by value at sign-up",
    "organisations.Level.name": "the organisation's grade names, shown to everyone",
    "organisations.Department.name": "shown to the whole organisation",
    "organisations.Team.name": "shown to the whole organisation",
    "organisations.Topic.name": "the organisation's topic list, shown to everyone",
    "organisations.Topic.description": "written by admins for everyone",
    "organisations.Person.email": "directory data, looked up by value",
    "organisations.Person.external_id": "the HR system's id for the person, looked up by value",
    "organisations.Person.full_name": "directory data shown to the organisation, searched",
    "organisations.Person.job_title": "directory data shown to the organisation, searched",
    "organisations.Person.location": "directory data shown to the organisation",
    "organisations.Person.time_zone": "a time zone name",
    "organisations.PeopleImport.filename": "the uploaded file's name, for admins",
    "organisations.PeopleImport.columns": "column headings of a directory file",
    "organisations.PeopleImport.rows": "directory data (names, emails, titles) as in Person",
    "organisations.PeopleImport.preview": "computed counts and directory data as in Person",
    "organisations.PeopleImport.result": "computed counts",
    "organisations.PeopleImport.error": "a system error message",
    # programmes: written by the programme team for every participant
    "programmes.Programme.name": "shown to the whole organisation",
    "programmes.Programme.summary": "the programme's public description",
    "programmes.Programme.custom_objective": "the programme's stated aim, shown to participants",
    "programmes.Programme.success_what": "the programme's success measure, for participants",
    "programmes.Programme.success_how": "the programme's success measure, for participants",
    "programmes.Programme.success_target": "the programme's success measure, for participants",
    "programmes.Programme.commitment": "the expected time commitment, shown to applicants",
    "programmes.Programme.signup_token": "a random link token, looked up by value",
    "programmes.Question.text": "an application question written for every applicant",
    "programmes.Question.help_text": "written for every applicant",
    "programmes.Question.choices": "options written for every applicant",
    # recruitment
    "recruitment.Application.availability": "weekly slot codes such as mon-am, used in matching",
    "recruitment.Invitation.token": "a random link token, looked up by value",
    # pairing: computed by the matcher
    "pairing.MatchRun.scope": "ids and codes",
    "pairing.MatchRun.left_aside": "ids and codes",
    "pairing.MatchRun.weights": "numbers",
    "pairing.MatchRun.settings": "numbers and codes",
    "pairing.MatchRun.fingerprint": "a hash",
    "pairing.MatchRun.results": "computed scores and reason codes, no free text",
    "pairing.MatchRun.error": "a system error message",
    "pairing.Pairing.explanation": "computed scores and reason codes, no free text",
    "pairing.MatchSetup.weights": "numbers",
    "pairing.MatchSetup.settings": "numbers and codes",
    "pairing.ChoiceRound.weights": "numbers",
    "pairing.ChoiceRound.settings": "numbers and codes",
    "pairing.ChoiceRound.summary": "computed counts",
    "pairing.ChoiceOption.contributions": "computed scores and reason codes",
    # journey: templates and events are written by the programme team for everyone
    "journey.JourneyTemplate.name": "a template shown to every pair of the programme",
    "journey.JourneyTemplate.description": "a template shown to every pair of the programme",
    "journey.JourneyTemplate.key": "a code",
    "journey.JourneyVersion.change_note": "the programme team's note on a template version",
    "journey.JourneyStep.title": "template text written by managers for every pair",
    "journey.JourneyStep.purpose": "template text written by managers for every pair",
    "journey.JourneyStep.mentor_prepares": "template text written by managers for every pair",
    "journey.JourneyStep.mentee_prepares": "template text written by managers for every pair",
    "journey.JourneyStep.activities": "template text written by managers for every pair",
    "journey.JourneyStep.resources": "template text written by managers for every pair",
    "journey.AgendaItem.text": "a template's default agenda, written by managers for every pair",
    "journey.Meeting.time_zone": "a time zone name",
    "journey.Meeting.video_url": "a validated link, not free text; calendar invitations carry it",
    "journey.Meeting.uid": "a random calendar identifier",
    "journey.Event.title": "a programme event, written for its whole audience",
    "journey.Event.description": "a programme event, written for its whole audience",
    "journey.Event.time_zone": "a time zone name",
    "journey.Event.place": "a programme event, written for its whole audience",
    "journey.Event.video_url": "a programme event link, for its whole audience",
    "journey.Event.uid": "a random calendar identifier",
    "journey.CalendarFeed.token": "a random link token, looked up by value",
    # goals: the skills framework is the programme team's, for everyone
    "goals.Skill.name": "a programme skill written by managers for everyone",
    "goals.Skill.description": "a programme skill written by managers for everyone",
    "goals.Skill.levels": "level descriptions written by managers for everyone",
    # resources: the organisation's library
    "resources.Resource.title": "the organisation's library, for everyone, searched",
    "resources.Resource.summary": "the organisation's library, for everyone",
    "resources.Resource.url": "a link in the organisation's library",
    "resources.ActivityIdea.slug": "a code",
    "resources.ActivityIdea.title": "the activity library, for everyone",
    "resources.ActivityIdea.description": "the activity library, for everyone",
    # surveys
    "surveys.Survey.title": "written by the programme team for every respondent",
    "surveys.Survey.intro": "written by the programme team for every respondent",
    "surveys.Survey.template_key": "a code",
    "surveys.Question.item_key": "a code",
    "surveys.Question.text": "a question written for every respondent",
    "surveys.Question.help_text": "written for every respondent",
    "surveys.Question.labels": "scale labels written for every respondent",
    "surveys.Question.choices": "options written for every respondent",
    "surveys.Submission.occasion": "a code naming the occasion",
    "surveys.Response.pseudonym": "a keyed hash",
    "surveys.Response.occasion_key": "a code",
    "surveys.Response.role": "mentor or mentee",
    "surveys.Response.groups": "coarse reporting group codes",
    "surveys.Answer.choices": "options picked from the question's list",
    "surveys.SuccessMeasure.item_key": "a code",
    # safety
    "safety.RematchRequest.role": "mentor or mentee",
    # notifications
    "notifications.Notification.kind": "a code",
    "notifications.Notification.subject": "rendered from templates that carry no private text",
    "notifications.Notification.body": "rendered from templates that carry no private text",
    "notifications.Notification.url": "a link inside Upward",
    "notifications.Notification.dedupe_key": "a code",
    "notifications.NotificationPreference.kind": "a code",
    "notifications.Digest.week": "an ISO week",
    "notifications.OutboundEmail.to": "addresses needed to send, as in Person",
    "notifications.OutboundEmail.reply_to": "addresses needed to send, as in Person",
    "notifications.OutboundEmail.subject": "rendered from templates that carry no private text",
    "notifications.OutboundEmail.batch": "a random code",
    "notifications.OutboundEmail.last_error": "a mail server's error message",
    "notifications.OutboundEmail.claim": "a random code",
    "notifications.OutboundAttachment.filename": "a generated file name",
    "notifications.OutboundAttachment.mimetype": "a media type",
    "notifications.ChatMessage.kind": "a code",
    "notifications.ChatMessage.dedupe_key": "a code",
    "notifications.ChatMessage.last_error": "our own words about a failure, never a secret",
    # impact
    "impact.RecordShare.sent_to_email": "the address the mentor sent their record to",
    # announcements: from the programme team to a whole audience
    "announcements.Announcement.title": "written for the programme's whole audience",
    "announcements.Announcement.body": "written for the programme's whole audience",
    "announcements.Announcement.template_key": "a code",
    # privacy (i15-rights)
    "privacy.RetentionRule.category": "a code (upward.privacy.retention.CATEGORIES)",
    # dashboard
    "dashboard.TeamAlert.flagged": "ids and counts",
    "dashboard.TeamAlert.waiting": "ids and counts",
    # --- issue 17: scim, sso, webhooks ---
    "scim.ScimIdentity.family_name": "directory data from the identity system (the person's name)",
    "scim.ScimIdentity.given_name": "directory data from the identity system (the person's name)",
    "scim.ScimIdentity.user_name": "the identity system's sign-in name, looked up by value",
    "sso.IdentityProvider.client_id": "a public identifier of Upward at the provider",
    "sso.IdentityProvider.display_name": "the provider's name on the sign-in page",
    "sso.IdentityProvider.saml_entity_id": "the provider's public identifier",
    "sso.IdentityProvider.saml_metadata_url": "the provider's public metadata address",
    "sso.IdentityProvider.saml_slo_url": "the provider's public sign-out address",
    "sso.IdentityProvider.saml_sso_url": "the provider's public sign-in address",
    "sso.IdentityProvider.saml_x509cert": "the provider's public signing certificate",
    "sso.IdentityProvider.server_url": "the provider's public issuer address",
    "sso.ProviderSession.session_key": "the session to end on the provider's sign-out, looked up",
    "sso.ProviderSession.sid": "the provider's session id, looked up on its sign-out",
    "sso.ProviderSession.sub": "the provider's subject id, looked up on its sign-out",
    "webhooks.Attempt.response": "the start of a receiver's answer, for admins, escaped",
    "webhooks.Delivery.event_type": "a fixed event name",
    "webhooks.Delivery.last_response": "the start of a receiver's answer, for admins, escaped",
    "webhooks.Delivery.message_id": "a random message id",
    "webhooks.Delivery.payload": "ids, states and dates only (docs/integrations.md)",
    "webhooks.Endpoint.description": "the admin's label for the endpoint",
    "webhooks.Endpoint.disabled_reason": "our own message",
    "webhooks.Endpoint.events": "a list of fixed event names",
    "webhooks.Endpoint.url": "an address the admin typed, called by Upward",
    # --- i17 filesync ---
    "filesync.FileSource.path": "a file name in the operator's shared folder, for admins",
    "filesync.FileSource.url": "an address the admin typed, called by Upward",
    "filesync.FileSource.time_zone": "a time zone name",
    "filesync.FileSource.last_slot": "a date and hour (the schedule's last run)",
    "filesync.FileSyncRun.filename": "the fetched file's name, for admins",
    "filesync.FileSyncRun.error": "our own message about the file (no cell contents)",
    "filesync.FileSyncRun.held_because": "our own message with counts",
}


def text_columns() -> dict[str, models.Field]:
    found: dict[str, models.Field] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("upward."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(
                field,
                (models.CharField, models.TextField, models.JSONField, EncryptedBinaryField),
            ):
                found[f"{model._meta.label}.{field.name}"] = field
    return found


def test_every_plain_text_column_is_allowed_for_a_reason():
    plain = sorted(
        name
        for name, field in text_columns().items()
        if not isinstance(field, (EncryptedTextField, EncryptedBinaryField))
        and not field.choices
        and name not in ALLOWED
    )
    assert plain == [], (
        "Plain text columns: make them EncryptedTextField, or add them to ALLOWED with a reason"
    )


def test_every_allowed_column_still_exists_is_plain_and_has_a_reason():
    columns = text_columns()
    assert sorted(set(ALLOWED) - set(columns)) == [], "ALLOWED names columns that are gone"
    encrypted = sorted(name for name in ALLOWED if isinstance(columns[name], (EncryptedTextField,)))
    assert encrypted == [], "ALLOWED names columns that are now encrypted"
    assert all(reason.strip() and "\n" not in reason for reason in ALLOWED.values())


def test_the_limited_audience_text_is_encrypted():
    columns = text_columns()
    for name in (
        "goals.Goal.statement",
        "goals.Goal.measure",
        "goals.Goal.why",
        "goals.Task.title",
        "journey.PairAgreement.confidentiality",
        "journey.PairAgreement.raising_concerns",
        "journey.MeetingAgendaItem.text",
        "journey.Meeting.place",
        "impact.Commitment.text",
        "impact.ThankYouNote.text",
        "recruitment.Application.motivation",
        "recruitment.Application.preferred_times",
        "recruitment.Application.decision_reason",
        "recruitment.Application.internal_note",
        "recruitment.Answer.value",
        "recruitment.Invitation.message",
        "surveys.Answer.text",
        "safety.CheckIn.purpose",
        "pairing.Pairing.closed_reason",
        "organisations.Unavailability.note",
    ):
        assert isinstance(columns[name], EncryptedTextField), name
