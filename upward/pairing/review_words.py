"""The match review in words: why each proposed pair was made, with the topics that connect them
by name, both profiles side by side, and the run's report in plain sentences.

Every reason comes from one of the score's criteria that added points to the pair (the engine's
stored contributions), and names what the engine counted for it (the same profiles, read as a
run started now would read them). So the words and the score agree: no criterion that added
nothing is described, and every criterion that added points is. Names and topics are people's
own text: they go into the page through the template, escaped.

Lived experience (special-category data) is never named here: the programme team sees it only on
a mentor's application review page (docs/privacy.md). Where it counted, the reason says that
details used only for matching counted, without saying which.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from matching import MenteeProfile, MentorProfile
from upward.organisations.models import Person
from upward.pairing.selectors import CRITERION_LABELS, MatchInputs, PairRow
from upward.recruitment.models import AVAILABILITY_SLOTS, DAYS, PARTS

# A pair scoring under this share of a typical (median) pair is "much weaker than the rest".
WEAK_SHARE = 0.5
# When more than this share of the pairs is much weaker, the pairs "vary a lot" in strength.
UNEVEN_SHARE = 0.25
# Working hours the time zone criterion compares (the engine's 09:00-17:00 day).
WORKING_DAY_HOURS = 8


def join_words(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c" (no serial comma, as the rest of our copy)."""
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return str(_("%(first)s and %(last)s")) % {"first": ", ".join(items[:-1]), "last": items[-1]}


def slot_labels(slots: Iterable[str]) -> list[str]:
    """ "Monday morning", … for weekly slots, in week order (as Application.availability_labels)."""
    days, parts = dict(DAYS), dict(PARTS)
    chosen = set(slots)
    out = []
    for slot in AVAILABILITY_SLOTS:
        if slot in chosen:
            day, part = slot.split("-")
            out.append(f"{days[day]} {str(parts[part]).lower()}")
    return out


@dataclass(frozen=True)
class Side:
    """One person of a pair as the review may show them (never lived experience)."""

    person: Person
    offers: list[str]
    wants: list[str]
    interests: list[str]
    free_times: list[str]

    @property
    def department(self) -> str:
        return self.person.department.name if self.person.department else ""

    @property
    def level(self) -> str:
        return self.person.level.name if self.person.level else ""


@dataclass(frozen=True)
class Reason:
    text: str
    points: float


@dataclass(frozen=True)
class PairStory:
    row: PairRow
    reasons: list[Reason]
    mentee: Side | None = None  # None when the profiles are not read (a published run)
    mentor: Side | None = None
    shared_interests: list[str] = field(default_factory=list)
    shared_times: list[str] = field(default_factory=list)


def _names(ids: Iterable[str], topic_names: Mapping[str, str]) -> list[str]:
    return sorted((topic_names[i] for i in ids if i in topic_names), key=str.casefold)


def _side(person: Person, profile: MenteeProfile | MentorProfile, names: Mapping[str, str]) -> Side:
    return Side(
        person=person,
        offers=_names(profile.offers, names),
        wants=_names(profile.wants, names),
        interests=_names(profile.interests, names),
        free_times=slot_labels(profile.availability),
    )


@dataclass(frozen=True)
class _Cover:
    """How one side's topics meet what the other wants, as the topics criterion counts it."""

    exact: list[str]  # wanted topics the other offers
    related: list[tuple[str, str]]  # (offered, wanted): a related topic (parent or child)
    unnamed: int  # wanted topics met only by details used for matching alone (lived experience)


def _cover(
    wants: Iterable[str],
    offers: frozenset[str],
    hidden: frozenset[str],
    relations: Mapping[str, frozenset[str]],
    related_credit: float,
    names: Mapping[str, str],
) -> _Cover:
    exact: list[str] = []
    related: list[tuple[str, str]] = []
    unnamed = 0
    for want in sorted(wants, key=lambda t: names.get(t, t).casefold()):
        close = sorted(o for o in relations.get(want, frozenset()) if o in offers and o in names)
        if want in offers and want in names:
            exact.append(names[want])
        elif close and related_credit > 0 and want in names:
            related.append((names[close[0]], names[want]))
        elif want in hidden or (related_credit > 0 and relations.get(want, frozenset()) & hidden):
            unnamed += 1
    return _Cover(exact, related, unnamed)


def _topic_sentences(giver: str, taker: str, cover: _Cover) -> list[str]:
    out = []
    if cover.exact:
        out.append(
            str(_("%(giver)s can share %(topics)s, which %(taker)s wants to learn."))
            % {"giver": giver, "topics": join_words(cover.exact), "taker": taker}
        )
    for offered, wanted in cover.related:
        out.append(
            str(_("%(giver)s offers %(offered)s, close to %(wanted)s, which %(taker)s wants."))
            % {"giver": giver, "offered": offered, "wanted": wanted, "taker": taker}
        )
    if cover.unnamed:
        out.append(
            str(
                _(
                    "%(giver)s also brings something %(taker)s wants from details used only for "
                    "matching, which this page does not show."
                )
            )
            % {"giver": giver, "taker": taker}
        )
    return out


def _hours(value: float) -> str:
    hours = round(value * WORKING_DAY_HOURS, 1)
    text = f"{hours:g}"
    return ngettext("%(n)s hour", "%(n)s hours", int(hours) if hours == int(hours) else 2) % {
        "n": text
    }


def pair_story(
    row: PairRow,
    inputs: MatchInputs | None,
    *,
    related_credit: float = 0.5,
    profiles: _Profiles | None = None,
) -> PairStory:
    """The pair in words. With `inputs` (a run in review), each criterion that added points
    becomes sentences naming the topics, interests and times behind it; without, it is named
    by its label with its points."""
    points = {c.criterion: c.points for c in row.contributions if c.points > 0}
    values = {c.criterion: c.value for c in row.contributions}
    mentee_name, mentor_name = row.mentee.full_name, row.mentor.full_name
    mentee = mentor = None
    if inputs is not None:
        profiles = profiles or _Profiles.of(inputs)
        mentee = profiles.mentees.get(str(row.mentee.pk))
        mentor = profiles.mentors.get(str(row.mentor.pk))
    if mentee is None or mentor is None:
        labelled = [Reason(str(CRITERION_LABELS.get(c, c)), p) for c, p in sorted(points.items())]
        return PairStory(row=row, reasons=labelled or [Reason(_nothing_connects(row), 0.0)])
    assert inputs is not None
    names = inputs.topic_names
    shared_interests = _names(mentee.interests & mentor.interests, names)
    shared_times = slot_labels(mentee.availability & mentor.availability)
    reasons: list[Reason] = []
    for criterion in CRITERION_LABELS:
        if criterion not in points:
            continue
        texts: list[str] = []
        if criterion == "topics":
            hidden = mentor.lived_experience if mentor.lived_experience_consent else frozenset()
            cover = _cover(
                mentee.wants, mentor.offers, hidden, inputs.topic_relations, related_credit, names
            )
            texts = _topic_sentences(mentor_name, mentee_name, cover)
        elif criterion == "reciprocity":
            cover = _cover(
                mentor.wants,
                mentee.offers,
                frozenset(),
                inputs.topic_relations,
                related_credit,
                names,
            )
            texts = _topic_sentences(mentee_name, mentor_name, cover)
        elif criterion == "interests" and shared_interests:
            texts = [
                str(_("They share interests: %(list)s.")) % {"list": join_words(shared_interests)}
            ]
        elif criterion == "availability" and shared_times:
            texts = [str(_("Both are free on %(list)s.")) % {"list": join_words(shared_times)}]
        elif criterion == "timezone":
            if values.get("timezone", 0) >= 1:
                texts = [str(_("Their working hours are the same."))]
            else:
                texts = [
                    str(_("Their working days overlap by %(hours)s."))
                    % {"hours": _hours(values.get("timezone", 0))}
                ]
        elif criterion == "department":
            both = [s for s in (_dept(row.mentee), _dept(row.mentor)) if s]
            texts = [
                str(_("They work in different departments: %(list)s.")) % {"list": join_words(both)}
                if len(both) == 2
                else str(_("They work in different departments."))
            ]
        elif criterion == "objective":
            texts = [
                str(
                    _(
                        "%(mentor)s brings what the programme focuses on, from details used "
                        "only for matching, which this page does not show."
                    )
                )
                % {"mentor": mentor_name}
            ]
        if not texts:
            # The profiles changed since the run: say what counted, by its label.
            texts = [str(CRITERION_LABELS[criterion])]
        for k, text in enumerate(texts):
            # The criterion's points go with its first sentence.
            reasons.append(Reason(text, points[criterion] if k == 0 else 0.0))
    if not reasons:
        reasons = [Reason(_nothing_connects(row), 0.0)]
    return PairStory(
        row=row,
        reasons=reasons,
        mentee=_side(row.mentee, mentee, names),
        mentor=_side(row.mentor, mentor, names),
        shared_interests=shared_interests,
        shared_times=shared_times,
    )


@dataclass(frozen=True)
class _Profiles:
    """The run's profiles by id, built once per page."""

    mentees: dict[str, MenteeProfile]
    mentors: dict[str, MentorProfile]

    @classmethod
    def of(cls, inputs: MatchInputs) -> _Profiles:
        return cls({p.id: p for p in inputs.mentees}, {p.id: p for p in inputs.mentors})


def _dept(person: Person) -> str:
    return person.department.name if person.department else ""


def _nothing_connects(row: PairRow) -> str:
    if row.pinned:
        return str(_("Nothing in their answers connects them: the programme team pinned them."))
    return str(
        _(
            "Nothing in their answers connects them: every hard rule allows the pair and the "
            "mentor had a free place."
        )
    )


def pair_stories(
    rows: Iterable[PairRow], inputs: MatchInputs | None, *, weights: Mapping[str, Any]
) -> list[PairStory]:
    credit = float(weights.get("related_credit", 0.5) or 0)
    profiles = _Profiles.of(inputs) if inputs is not None else None
    return [pair_story(row, inputs, related_credit=credit, profiles=profiles) for row in rows]


# ---------------------------------------------------------------------------------------------
# The run's report in plain words


@dataclass(frozen=True)
class PlainReport:
    matched: str
    evenness: str
    choices: list[str]
    without_partner: list[str]


def evenness(scores: Sequence[float]) -> str:
    """How evenly good the pairs are, instead of a Gini coefficient: pairs scoring under half
    of a typical (median) pair are "much weaker than the rest"."""
    if not scores:
        return ""
    typical = statistics.median(scores)
    if typical <= 0:
        return str(_("The pairs have little in common: a typical pair scores %(typical).2f.")) % {
            "typical": typical
        }
    weak = sum(1 for s in scores if s < WEAK_SHARE * typical)
    values = {"n": weak, "all": len(scores), "typical": typical}
    if weak == 0:
        return (
            str(
                _(
                    "All pairs are similarly strong: none scores under half of a typical pair "
                    "(%(typical).2f)."
                )
            )
            % values
        )
    if weak <= UNEVEN_SHARE * len(scores):
        return (
            ngettext(
                "Most pairs are similarly strong; %(n)s pair is much weaker than the rest (under "
                "half of a typical pair's %(typical).2f).",
                "Most pairs are similarly strong; %(n)s pairs are much weaker than the rest (under "
                "half of a typical pair's %(typical).2f).",
                weak,
            )
            % values
        )
    return (
        ngettext(
            "Pairs vary a lot in strength: %(n)s of %(all)s pairs scores under half of a typical "
            "pair's %(typical).2f.",
            "Pairs vary a lot in strength: %(n)s of %(all)s pairs score under half of a typical "
            "pair's %(typical).2f.",
            weak,
        )
        % values
    )


def _choice_sentences(results: Mapping[str, Any]) -> list[str]:
    choice = results.get("choice")
    if not choice:
        return []
    out = []
    for side, label in (("mentee", _("mentees")), ("mentor", _("mentors"))):
        figures = choice.get(side)
        if not figures:
            continue
        ranked = int(figures.get("ranked", 0))
        if not ranked:
            out.append(str(_("No %(side)s ranked anyone.")) % {"side": label})
            continue
        first = int(figures.get("first", 0))
        other_top = max(int(figures.get("top3", 0)) - first, 0)
        out.append(
            ngettext(
                "Of the %(ranked)s %(side)s who ranked someone, %(first)s got their first "
                "choice, %(other)s another of their top 3 and %(none)s none of their choices.",
                "Of the %(ranked)s %(side)s who ranked someone, %(first)s got their first "
                "choice, %(other)s another of their top 3 and %(none)s none of their choices.",
                ranked,
            )
            % {
                "ranked": ranked,
                "side": label,
                "first": first,
                "other": other_top,
                "none": int(figures.get("none", 0)),
            }
        )
    if choice.get("mentee") and choice.get("mentor"):
        mutual = sum(
            1
            for p in results.get("pairs", [])
            if (p.get("choice") or {}).get("mentee") == 1
            and (p.get("choice") or {}).get("mentor") == 1
        )
        out.append(
            ngettext(
                "%(n)s pair is a mutual first choice: each ranked the other first.",
                "%(n)s pairs are a mutual first choice: each ranked the other first.",
                mutual,
            )
            % {"n": mutual}
        )
    return out


def _without_partner_sentences(results: Mapping[str, Any]) -> list[str]:
    reasons = Counter(u.get("reason", "") for u in results.get("unmatched", []))
    left_out = Counter(x.get("reason", "") for x in results.get("left_out", []))
    idle = len(results.get("unmatched_mentors", []))
    out = []
    if reasons["no_eligible_partner"]:
        n = reasons["no_eligible_partner"]
        out.append(
            ngettext(
                "%(n)s mentee has no mentor the hard rules allow with a free place.",
                "%(n)s mentees have no mentor the hard rules allow with a free place.",
                n,
            )
            % {"n": n}
        )
    if reasons["outcompeted"]:
        n = reasons["outcompeted"]
        out.append(
            ngettext(
                "%(n)s mentee could have a mentor, but each mentor who fits them is a better "
                "match for someone else.",
                "%(n)s mentees could have a mentor, but each mentor who fits them is a better "
                "match for someone else.",
                n,
            )
            % {"n": n}
        )
    if idle:
        out.append(
            ngettext(
                "%(n)s mentor has nobody left to mentor and stays available for a later run.",
                "%(n)s mentors have nobody left to mentor and stay available for a later run.",
                idle,
            )
            % {"n": idle}
        )
    if left_out["no_level"]:
        n = left_out["no_level"]
        out.append(
            ngettext(
                "%(n)s person was left out: no level in the directory.",
                "%(n)s people were left out: no level in the directory.",
                n,
            )
            % {"n": n}
        )
    if left_out["unavailable"]:
        n = left_out["unavailable"]
        out.append(
            ngettext(
                "%(n)s person was left out: away at the moment.",
                "%(n)s people were left out: away at the moment.",
                n,
            )
            % {"n": n}
        )
    if left_out["left_pairing"]:
        n = left_out["left_pairing"]
        out.append(
            ngettext(
                "%(n)s person was left out for having just left a pairing.",
                "%(n)s people were left out for having just left a pairing.",
                n,
            )
            % {"n": n}
        )
    return out


def plain_report(results: Mapping[str, Any]) -> PlainReport:
    """The run report as sentences with the numbers, from the run's stored results."""
    report = results.get("report") or {}
    pairs = results.get("pairs", [])
    n_mentees = int(report.get("n_mentees", 0) or 0)
    matched = ngettext(
        "%(matched)s of %(n)s mentee has a mentor in this proposal.",
        "%(matched)s of %(n)s mentees have a mentor in this proposal.",
        n_mentees,
    ) % {"matched": len(pairs), "n": n_mentees}
    without = _without_partner_sentences(results)
    if not without and pairs:
        without = [str(_("Everyone in this run has a partner."))]
    return PlainReport(
        matched=matched,
        evenness=evenness([float(p.get("score") or 0) for p in pairs]),
        choices=_choice_sentences(results),
        without_partner=without,
    )
