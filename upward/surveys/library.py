"""Ready-made surveys a manager can start from, written in our own words.

Items that are asked at the start and again at the end share an item key, so the same person's
two answers can be paired. End surveys also carry "retrospective" items (the person rates
before and now in one go) and a post-only item; both are reported apart from the paired change,
because they measure something else (a remembered change, or a felt one).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from upward.surveys.models import Audience, QuestionKind, Timing


@dataclass(frozen=True)
class Item:
    key: str
    text: object  # a lazy translation
    kind: str = QuestionKind.LIKERT
    help_text: object = ""
    required: bool = True
    choices: tuple[object, ...] = ()


@dataclass(frozen=True)
class SurveyTemplate:
    key: str
    title: object
    intro: object
    timing: str
    audience: str
    is_anonymous: bool = True
    items: tuple[Item, ...] = field(default_factory=tuple)
    objective: str = ""  # programme objective it suits; "" suits every programme


# Paired items per objective: (audience of the start/end surveys, items).
OBJECTIVE_ITEMS: dict[str, tuple[str, tuple[Item, ...]]] = {
    "inclusion-race": (
        Audience.MENTEE,
        (
            Item(
                "confidence-race", _("I feel confident talking about race and ethnicity at work.")
            ),
            Item(
                "understanding-inequalities",
                _(
                    "I understand the particular inequalities that colleagues from ethnic "
                    "minority backgrounds face in this organisation."
                ),
            ),
            Item(
                "confidence-ask",
                _("I feel confident asking questions about experiences that differ from mine."),
            ),
            Item(
                "confidence-share",
                _("I feel confident passing on what I have learned to others here."),
            ),
        ),
    ),
    "inclusion": (
        Audience.MENTEE,
        (
            Item(
                "confidence-inclusion",
                _("I feel confident talking about inclusion and difference at work."),
            ),
            Item(
                "understanding-inequalities",
                _("I understand the barriers some colleagues here face that others do not."),
            ),
            Item(
                "confidence-ask",
                _("I feel confident asking questions about experiences that differ from mine."),
            ),
            Item(
                "confidence-share",
                _("I feel confident passing on what I have learned to others here."),
            ),
        ),
    ),
    "digital_skills": (
        Audience.MENTEE,
        (
            Item(
                "confidence-digital",
                _("I feel confident discussing technology with the people in my teams."),
            ),
            Item(
                "digital-tools",
                _("I know how everyday digital tools could make our work better."),
            ),
            Item(
                "digital-decisions",
                _("I feel able to make well-informed decisions about digital change."),
            ),
            Item(
                "confidence-share",
                _("I feel confident passing on what I have learned to others here."),
            ),
        ),
    ),
    "generational": (
        Audience.BOTH,
        (
            Item(
                "understanding-generations",
                _("I understand what colleagues at a different career stage want from work."),
            ),
            Item(
                "confidence-across-generations",
                _("I find it easy to work with colleagues of a different generation."),
            ),
            Item(
                "noticing-assumptions",
                _("I notice when I make assumptions about someone because of their age."),
            ),
        ),
    ),
    "leadership": (
        Audience.MENTOR,
        (
            Item(
                "confidence-senior",
                _("I feel confident putting my views across to senior leaders."),
            ),
            Item(
                "understanding-decisions",
                _("I understand how decisions are made at senior level here."),
            ),
            Item(
                "feedback-upward",
                _("I feel able to give honest feedback to someone more senior than me."),
            ),
            Item("career-clarity", _("I have a clear idea of my next career step.")),
        ),
    ),
    "retention": (
        Audience.MENTOR,
        (
            Item("intend-stay", _("I see myself still working here in two years' time.")),
            Item("views-valued", _("I feel the organisation values my views.")),
            Item("career-clarity", _("I have a clear idea of my next career step.")),
            Item("belonging", _("I feel I belong in this organisation.")),
        ),
    ),
}

OBJECTIVE_NAMES = {
    "inclusion-race": _("inclusion (race and ethnicity)"),
    "inclusion": _("inclusion"),
    "digital_skills": _("digital skills"),
    "generational": _("generational understanding"),
    "leadership": _("leadership development"),
    "retention": _("retention"),
}


def _objective_templates(key: str) -> list[SurveyTemplate]:
    audience, items = OBJECTIVE_ITEMS[key]
    name = OBJECTIVE_NAMES[key]
    retro = tuple(
        Item(
            f"{item.key}-retro",
            item.text,
            kind=QuestionKind.RETROSPECTIVE,
            help_text=_("Rate how you would have answered before the programme, and now."),
        )
        for item in items[:2]
    )
    post_only = Item(
        f"{key.replace('_', '-')}-felt-change",
        _("Taking part has made a real difference to me in this area."),
        help_text=_("Asked only at the end."),
    )
    base = key.split("-")[0]
    return [
        SurveyTemplate(
            key=f"{key.replace('_', '-')}-start",
            title=_("Starting point: %(name)s") % {"name": name},
            intro=_(
                "A few statements about where you are today. There are no right answers: we "
                "ask the same questions at the end to see what changed for the group."
            ),
            timing=Timing.START,
            audience=audience,
            items=items,
            objective=base,
        ),
        SurveyTemplate(
            key=f"{key.replace('_', '-')}-end",
            title=_("Where you are now: %(name)s") % {"name": name},
            intro=_(
                "The same statements as at the start, then a few asking how you see the change "
                "yourself. Your answers are only ever shown as group figures."
            ),
            timing=Timing.END,
            audience=audience,
            items=items + retro + (post_only,),
            objective=base,
        ),
    ]


GENERAL_TEMPLATES = [
    SurveyTemplate(
        key="session-feedback",
        title=_("How did the session go?"),
        intro=_(
            "Two quick questions after each session, and room for a comment if you want one. "
            "It takes under a minute."
        ),
        timing=Timing.AFTER_SESSION,
        audience=Audience.BOTH,
        items=(
            Item("session-useful", _("This session was a good use of my time.")),
            Item("session-open", _("I felt able to speak openly.")),
            Item(
                "session-comment",
                _("Anything you would like the programme team to know?"),
                kind=QuestionKind.TEXT,
                required=False,
                help_text=_("Please do not name anyone."),
            ),
        ),
    ),
    SurveyTemplate(
        key="pulse",
        title=_("Halfway check-in"),
        intro=_("A short check on how things are going, so the team can help early."),
        timing=Timing.MIDPOINT,
        audience=Audience.BOTH,
        items=(
            Item(
                "pulse-rhythm",
                _("How often have you met so far?"),
                kind=QuestionKind.SINGLE,
                choices=(
                    _("As often as we planned"),
                    _("Less often than we planned"),
                    _("We have not met yet"),
                ),
            ),
            Item("pulse-working", _("Our pairing is working well.")),
            Item("pulse-support", _("I know where to turn if I need help.")),
            Item(
                "pulse-comment",
                _("Is there anything that would help?"),
                kind=QuestionKind.TEXT,
                required=False,
            ),
        ),
    ),
    SurveyTemplate(
        key="effectiveness",
        title=_("How well did the programme work?"),
        intro=_("Your view of the programme as a whole helps us improve the next cohort."),
        timing=Timing.END,
        audience=Audience.BOTH,
        items=(
            Item(
                "recommend",
                _("How likely are you to recommend taking part to a colleague?"),
                kind=QuestionKind.SCALE,
                help_text=_("0 means not at all likely, 10 means extremely likely."),
            ),
            Item("effectiveness-goals", _("My pairing helped me make progress on my goals.")),
            Item("effectiveness-organised", _("The programme was well organised.")),
            Item(
                "effectiveness-changes",
                _("What has changed for you? Choose any that apply."),
                kind=QuestionKind.MULTIPLE,
                required=False,
                choices=(
                    _("I see my organisation differently"),
                    _("I have changed how I work"),
                    _("I have a wider network"),
                    _("I have new skills"),
                    _("Nothing much yet"),
                ),
            ),
            Item(
                "effectiveness-improve",
                _("What one thing would make the programme better?"),
                kind=QuestionKind.TEXT,
                required=False,
            ),
        ),
    ),
    SurveyTemplate(
        key="mentor-gains",
        title=_("What you gained as a mentor"),
        intro=_(
            "Mentors give time and expertise. Tell us what you got back, so the programme "
            "works for mentors as well as for leaders."
        ),
        timing=Timing.END,
        audience=Audience.MENTOR,
        items=(
            Item("mentor-recognised", _("My contribution as a mentor was recognised.")),
            Item(
                "mentor-visibility",
                _("Taking part made my work more visible to senior people."),
            ),
            Item("mentor-time", _("The time I gave was reasonable alongside my job.")),
            Item(
                "mentor-skills",
                _("Which skills did you build? Choose any that apply."),
                kind=QuestionKind.MULTIPLE,
                required=False,
                choices=(
                    _("Giving feedback"),
                    _("Speaking with senior leaders"),
                    _("Coaching and listening"),
                    _("Presenting ideas"),
                    _("Building my network"),
                ),
            ),
            Item(
                "mentor-gained",
                _("What did you gain that you did not expect?"),
                kind=QuestionKind.TEXT,
                required=False,
            ),
        ),
    ),
]


def all_templates() -> list[SurveyTemplate]:
    found: list[SurveyTemplate] = []
    for key in OBJECTIVE_ITEMS:
        found.extend(_objective_templates(key))
    return found + GENERAL_TEMPLATES


def get_template(key: str) -> SurveyTemplate | None:
    return next((t for t in all_templates() if t.key == key), None)


def templates_for(objective: str, inclusion_focus: str = "") -> list[SurveyTemplate]:
    """The programme's own objective first, then the general surveys, then the rest."""
    own = "inclusion-race" if objective == "inclusion" and inclusion_focus == "race" else objective
    first = _objective_templates(own) if own in OBJECTIVE_ITEMS else []
    first_keys = {t.key for t in first}
    rest = [t for t in all_templates() if t.objective and t.key not in first_keys]
    return first + GENERAL_TEMPLATES + rest
