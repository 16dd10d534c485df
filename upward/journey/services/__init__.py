"""Every write of the journey: templates and their versions, the programme's choice, the pair
agreement, meetings and their agendas, events and RSVPs, calendar feeds and reminders.

Each service checks its rules, writes inside one transaction, records an audit entry and sends
email only after the commit. Audit entries never hold agenda text or agreement wording.
One module per concept; the names are re-exported here so callers import from
`upward.journey.services`.
"""

from upward.journey.services._shared import in_zone
from upward.journey.services.agreement import AGREEMENT_FIELDS, confirm_agreement, save_agreement
from upward.journey.services.events import (
    EVENT_FIELDS,
    cancel_event,
    mark_attendance,
    respond_to_event,
    save_event,
)
from upward.journey.services.feeds import regenerate_feed, revoke_feed, touch_feed
from upward.journey.services.meetings import (
    add_agenda_item,
    answer_record_change,
    book_meeting,
    cancel_meeting,
    local_datetime,
    log_past_meeting,
    mark_meeting,
    minutes_limit,
    propose_record_change,
    reschedule_meeting,
    toggle_agenda_item,
)
from upward.journey.services.programme_journey import set_programme_journey
from upward.journey.services.reminders import send_journey_reminders
from upward.journey.services.templates import (
    STEP_FIELDS,
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
    "answer_record_change",
    "book_meeting",
    "cancel_event",
    "cancel_meeting",
    "clone_template",
    "confirm_agreement",
    "delete_step",
    "discard_draft",
    "in_zone",
    "local_datetime",
    "log_past_meeting",
    "mark_attendance",
    "mark_meeting",
    "minutes_limit",
    "move_step",
    "propose_record_change",
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
