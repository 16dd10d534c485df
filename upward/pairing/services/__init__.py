"""Every write of the matching workflow: runs, the manager's rules, publishing, and each move
of a pairing from the junior mentor's answer to the end.

Services check their rules, write inside one transaction, record an audit entry and send
email after the commit. Pairing moves are conditional UPDATEs on the state that was checked,
so two simultaneous answers cannot both win.
One module per concept; the names are re-exported here so callers import from
`upward.pairing.services`.
"""

from upward.pairing.services._shared import MATCHING_STATES
from upward.pairing.services.choice_rounds import (
    ROUND_LONGEST,
    ROUND_SHORTEST,
    cancel_choice_round,
    close_choice_round,
    open_choice_round,
    resolve_choices_again,
    save_ranking,
)
from upward.pairing.services.match_setup import (
    SETTING_LIMITS,
    clean_settings,
    clean_weights,
    save_match_setup,
)
from upward.pairing.services.moves import (
    answer_pairing,
    answer_proposal,
    complete_pairing,
    end_pairing,
    find_new_partner,
    rematch_after_decline,
    withdraw_open_proposals,
)
from upward.pairing.services.reminders import REMIND_BEFORE, ReminderReport, send_pairing_reminders
from upward.pairing.services.rules import add_match_rule, remove_match_rule, swap_mentors
from upward.pairing.services.runs import (
    BACKGROUND_THRESHOLD,
    compute_match_run,
    find_partner_for,
    include_left_aside,
    publish_match_run,
    start_match_run,
)

__all__ = [
    "BACKGROUND_THRESHOLD",
    "MATCHING_STATES",
    "REMIND_BEFORE",
    "ROUND_LONGEST",
    "ROUND_SHORTEST",
    "SETTING_LIMITS",
    "ReminderReport",
    "add_match_rule",
    "answer_pairing",
    "answer_proposal",
    "cancel_choice_round",
    "clean_settings",
    "clean_weights",
    "close_choice_round",
    "complete_pairing",
    "compute_match_run",
    "end_pairing",
    "find_new_partner",
    "find_partner_for",
    "include_left_aside",
    "open_choice_round",
    "publish_match_run",
    "rematch_after_decline",
    "remove_match_rule",
    "resolve_choices_again",
    "save_match_setup",
    "save_ranking",
    "send_pairing_reminders",
    "start_match_run",
    "swap_mentors",
    "withdraw_open_proposals",
]
