"""The skills framework a programme starts with, by objective. Managers edit it afterwards.

Level descriptors follow one scale so self-ratings are comparable across skills; a manager can
rewrite them per skill.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SCALE = [
    _("New to this: I have not really tried it yet."),
    _("Aware: I know what it is and have tried it with help."),
    _("Getting there: I can do it on my own in familiar situations."),
    _("Confident: I do it routinely and can handle the unexpected."),
    _("Can show others: people come to me for help with it."),
]

DEFAULT_SKILLS: dict[str, list[tuple[Any, Any]]] = {
    "digital_skills": [
        (
            _("Using AI tools day to day"),
            _(
                "Drafting, summarising and checking work with AI assistants, and knowing their limits."
            ),
        ),
        (
            _("Working in shared online spaces"),
            _("Co-editing documents, chat channels and online whiteboards."),
        ),
        (
            _("Social media for work"),
            _("Using professional networks to listen, share and represent the organisation."),
        ),
        (_("Reading data and dashboards"), _("Questioning a chart or figure before acting on it.")),
        (
            _("Staying safe online"),
            _("Spotting phishing, protecting accounts and handling data with care."),
        ),
    ],
    "inclusion": [
        (
            _("Talking about race with confidence"),
            _(
                "Starting and staying in conversations about race and ethnicity without fear of getting it wrong."
            ),
        ),
        (
            _("Understanding lived experience"),
            _("Knowing how colleagues from under-represented groups experience the organisation."),
        ),
        (
            _("Noticing bias in decisions"),
            _(
                "Seeing where hiring, promotion or allocation choices can be unfair, and challenging it."
            ),
        ),
        (
            _("Inclusive meetings"),
            _("Making sure every voice is heard, whoever is in the room or on the call."),
        ),
        (_("Acting as an ally"), _("Using your position to open doors and speak up for others.")),
    ],
    "generational": [
        (
            _("Understanding early-career expectations"),
            _("What people starting out want from work, managers and careers."),
        ),
        (_("Flexible and hybrid working"), _("Leading and working well across places and hours.")),
        (
            _("Communicating across generations"),
            _("Choosing the channel and tone that reach each audience."),
        ),
        (
            _("Current culture and trends"),
            _("Keeping up with the platforms, language and ideas shaping customers and staff."),
        ),
    ],
    "leadership": [
        (
            _("Giving feedback upwards"),
            _("Telling a senior colleague something they need to hear, clearly and kindly."),
        ),
        (
            _("Influencing without authority"),
            _("Bringing people with you when you cannot tell them what to do."),
        ),
        (
            _("Presenting to senior audiences"),
            _("Making a clear case in a short time to busy decision makers."),
        ),
        (
            _("Strategic thinking"),
            _("Seeing how your work connects to the organisation's direction."),
        ),
        (_("Coaching others"), _("Helping someone find their own answer with good questions.")),
    ],
    "retention": [
        (_("Career conversations"), _("Talking openly about ambitions, options and next steps.")),
        (
            _("Recognising contribution"),
            _("Noticing and valuing what early-career colleagues bring."),
        ),
        (
            _("Building a network"),
            _("Knowing people across the organisation and helping others meet them."),
        ),
        (_("Wellbeing at work"), _("Spotting pressure early and talking about it.")),
    ],
}
GENERIC: list[tuple[Any, Any]] = [
    (
        _("Listening and asking questions"),
        _("Understanding before responding, and asking what you do not know."),
    ),
    (
        _("Giving and receiving feedback"),
        _("Sharing honest observations and taking them in without defensiveness."),
    ),
    (
        _("Seeing another perspective"),
        _("Understanding how things look from a different level, age or background."),
    ),
    (_("Trying new ways of working"), _("Being willing to experiment and learn in public.")),
]


def defaults_for(objective: str) -> list[tuple[Any, Any]]:
    return DEFAULT_SKILLS.get(objective, GENERIC)


def default_levels() -> list[str]:
    return [str(level) for level in SCALE]
