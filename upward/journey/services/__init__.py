"""Every write of the journey: templates and their versions, the programme's choice, the pair
agreement, meetings and their agendas, events and RSVPs, calendar feeds and reminders.

Each service checks its rules, writes inside one transaction, records an audit entry and sends
email only after the commit. Audit entries never hold agenda text or agreement wording.
One module per concept; the names are re-exported here so callers import from
`upward.journey.services`.
"""

from upward.journey.services._shared import in_zone
from upward.journey.services.agreement import (
    AGREEMENT_FIELDS,
    confirm_agreement,
    default_agreement,
    save_agreement,
)
from upward.journey.services.events import (
    EVENT_FIELDS,
    cancel_event,
    event_audience,
    event_item,
    mark_attendance,
    respond_to_event,
    save_event,
)
from upward.journey.services.feeds import (
    regenerate_feed,
    revoke_feed,
    touch_feed,
)
from upward.journey.services.invites import (
    calendar_part,
    meeting_item,
)
from upward.journey.services.meetings import (
    add_agenda_item,
    book_meeting,
    cancel_meeting,
    local_datetime,
    mark_meeting,
    may_organise,
    organisers,
    reschedule_meeting,
    toggle_agenda_item,
)
from upward.journey.services.programme_journey import (
    default_programme_journey,
    programme_journey,
    set_programme_journey,
)
from upward.journey.services.reminders import send_journey_reminders
from upward.journey.services.templates import (
    STEP_FIELDS,
    builtin_version,
    clone_template,
    delete_step,
    discard_draft,
    move_step,
    publish_draft,
    rename_template,
    save_step,
    start_draft,
)

__all__ = [
    "AGREEMENT_FIELDS",
    "EVENT_FIELDS",
    "STEP_FIELDS",
    "add_agenda_item",
    "book_meeting",
    "builtin_version",
    "calendar_part",
    "cancel_event",
    "cancel_meeting",
    "clone_template",
    "confirm_agreement",
    "default_agreement",
    "default_programme_journey",
    "delete_step",
    "discard_draft",
    "event_audience",
    "event_item",
    "in_zone",
    "local_datetime",
    "mark_attendance",
    "mark_meeting",
    "may_organise",
    "meeting_item",
    "move_step",
    "organisers",
    "programme_journey",
    "publish_draft",
    "regenerate_feed",
    "rename_template",
    "reschedule_meeting",
    "respond_to_event",
    "revoke_feed",
    "save_agreement",
    "save_event",
    "save_step",
    "send_journey_reminders",
    "set_programme_journey",
    "start_draft",
    "toggle_agenda_item",
    "touch_feed",
]
