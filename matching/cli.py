"""Command line for spreadsheet users.

    python -m matching mentors.csv mentees.csv -o pairs.csv [--objective inclusion]
        [--rules rules.csv]

Reads CSV or XLSX (first sheet), one person per row; columns are documented in
docs/matching.md.  Lists are separated by semicolons.  The programme manager's
pins and exclusions come from the mentee sheet (pinned_mentor, excluded_mentors)
and/or a rules file (mentee_id, mentor_id, rule).  Writes one row per pair,
then one row per unmatched mentee, with scores and reasons.  Bad rows are
reported with their row number (header = row 1) and the exit code is 2.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from matching.run import MatchResult, match_profiles
from matching.scoring import (
    CRITERIA,
    OBJECTIVES,
    Constraints,
    MenteeProfile,
    MentorProfile,
    ProfileScorer,
    default_weights,
    effective_capacity,
)

COMMON = ("id", "name", "level", "department", "team", "manager_id", "offers", "wants",
          "interests", "availability", "utc_offset", "works_with", "previous_partners",
          "group", "consent_group")
MENTOR_ONLY = ("capacity", "active_pairings", "max_concurrent", "lived_experience",
               "consent_lived_experience")
MENTEE_ONLY = ("pinned_mentor", "excluded_mentors")
RULE_COLUMNS = ("mentee_id", "mentor_id", "rule")
RULE_OPTIONAL = ("note",)  # free text for the manager's own records; not used
RULE_KINDS = ("pin", "exclude")
REQUIRED = ("id", "level")
TRUE = {"1", "true", "yes", "y", "x"}
FALSE = {"", "0", "false", "no", "n"}


Problem = tuple[tuple[int, int], str]  # (Rule.order, message)


class InputError(Exception):
    """Problems in the input files, one message per bad row."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Rule:
    """A pin or an exclusion, with where it was written (for messages and output)."""

    kind: str  # "pin" or "exclude"
    mentee_id: str
    mentor_id: str
    where: str  # e.g. "rules.csv row 4" or "mentees.csv row 3, pinned_mentor"
    order: tuple[int, int]  # (0 mentee sheet / 1 rules file, row): problems in file order

    def problem_collector(self, found: list[Problem]) -> Callable[[str], None]:
        """A function that records a problem with this rule, prefixed by its place."""
        return lambda text: found.append((self.order, f"{self.where}: {text}"))

    def describe(self) -> str:
        verb = "pinned to" if self.kind == "pin" else "excluded from"
        return f"{self.mentee_id!r} {verb} {self.mentor_id!r}"


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        rows = [["" if v is None else str(v).strip() for v in r]
                for r in ws.iter_rows(values_only=True)]
        wb.close()
    else:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = [[c.strip() for c in r] for r in csv.reader(f)]
    if not rows:
        raise InputError([f"{path.name}: the file is empty (a header row is needed)"])
    header = [h.strip().lower() for h in rows[0]]
    out: list[dict[str, str]] = []
    for r in rows[1:]:
        if not any(r):
            out.append({})
            continue
        out.append({h: (r[k] if k < len(r) else "") for k, h in enumerate(header)})
    return header, out


def _items(text: str) -> frozenset[str]:
    return frozenset(x.strip().lower() for x in text.split(";") if x.strip())


def _flag(text: str, column: str, problems: list[str], where: str) -> bool:
    t = text.strip().lower()
    if t in TRUE:
        return True
    if t not in FALSE:
        problems.append(f"{where}: {column} must be yes/no, got {text!r}")
    return False


def _int(text: str, column: str, problems: list[str], where: str, *, default: int | None,
         minimum: int | None = None) -> int | None:
    if text.strip() == "":
        if default is None and column in REQUIRED:
            problems.append(f"{where}: {column} is required")
        return default
    try:
        value = int(float(text)) if float(text).is_integer() else None
    except ValueError:
        value = None
    if value is None:
        problems.append(f"{where}: {column} must be a whole number, got {text!r}")
        return default
    if minimum is not None and value < minimum:
        problems.append(f"{where}: {column} must be at least {minimum}, got {value}")
    return value


def _ids(text: str) -> list[str]:
    """A ; list of person ids: exact (ids are case-sensitive), order and repeats kept."""
    return [x.strip() for x in text.split(";") if x.strip()]


def _chains(people: Iterable[dict[str, str]]) -> dict[str, tuple[str, ...]]:
    parent = {p["id"]: p.get("manager_id", "") for p in people if p.get("id")}
    out = {}
    for pid in parent:
        chain: list[str] = []
        node = parent.get(pid, "")
        while node and node not in chain and node != pid:
            chain.append(node)
            node = parent.get(node, "")
        out[pid] = tuple(chain)
    return out


def load_people(mentor_path: Path, mentee_path: Path
                ) -> tuple[list[MentorProfile], list[MenteeProfile], list[Rule]]:
    """Profiles from both sheets, plus the pins and exclusions written on the mentee sheet."""
    problems: list[str] = []
    tables = {}
    for role, path in (("mentors", mentor_path), ("mentees", mentee_path)):
        header, rows = read_table(path)
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            problems.append(f"{path.name}: missing column(s) {', '.join(missing)}")
        known = set(COMMON) | set(MENTOR_ONLY if role == "mentors" else MENTEE_ONLY)
        unknown = [h for h in header if h and h not in known]
        if unknown:
            problems.append(f"{path.name}: unknown column(s) {', '.join(unknown)}")
        tables[role] = (path, rows)
    if problems:
        raise InputError(problems)
    everyone = [r for _, rows in tables.values() for r in rows if r]
    chains = _chains(everyone)
    mentors: list[MentorProfile] = []
    mentees: list[MenteeProfile] = []
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for role, (path, rows) in tables.items():
        for k, row in enumerate(rows, start=2):
            if not row:
                continue
            where = f"{path.name} row {k}"
            pid = row.get("id", "").strip()
            if not pid:
                problems.append(f"{where}: id is required")
                continue
            key = f"{role}:{pid}"
            if key in seen:
                problems.append(f"{where}: duplicate id {pid!r} (also {seen[key]})")
                continue
            seen[key] = where
            level = _int(row.get("level", ""), "level", problems, where, default=None)
            try:
                offset = float(row.get("utc_offset", "") or 0)
                if not -12 <= offset <= 14:
                    raise ValueError
            except ValueError:
                problems.append(f"{where}: utc_offset must be hours between -12 and 14, "
                                f"got {row.get('utc_offset')!r}")
                offset = 0.0
            common: dict[str, Any] = {
                "id": pid, "name": row.get("name", ""), "level": level or 0,
                "department": row.get("department", ""), "team": row.get("team", ""),
                "manager_chain": chains.get(pid, ()),
                "offers": _items(row.get("offers", "")), "wants": _items(row.get("wants", "")),
                "interests": _items(row.get("interests", "")),
                "availability": _items(row.get("availability", "")), "utc_offset": offset,
                "works_with": frozenset(x.strip() for x in row.get("works_with", "").split(";")
                                        if x.strip()),
                "previous_partners": frozenset(
                    x.strip() for x in row.get("previous_partners", "").split(";") if x.strip()),
                "group": row.get("group", "") or None,
                "group_consent": _flag(row.get("consent_group", ""), "consent_group", problems,
                                       where),
            }
            if role == "mentors":
                cap = _int(row.get("capacity", ""), "capacity", problems, where, default=1,
                           minimum=0)
                active = _int(row.get("active_pairings", ""), "active_pairings", problems,
                              where, default=0, minimum=0)
                mx = _int(row.get("max_concurrent", ""), "max_concurrent", problems, where,
                          default=None, minimum=0)
                mentors.append(MentorProfile(
                    **common, capacity=cap or 0, active_pairings=active or 0, max_concurrent=mx,
                    lived_experience=_items(row.get("lived_experience", "")),
                    lived_experience_consent=_flag(row.get("consent_lived_experience", ""),
                                                   "consent_lived_experience", problems, where),
                ))
            else:
                mentees.append(MenteeProfile(**common))
                pinned = _ids(row.get("pinned_mentor", ""))
                if len(pinned) > 1:
                    problems.append(f"{where}: pinned_mentor names {len(pinned)} mentors "
                                    f"({'; '.join(pinned)}); a mentee can be pinned to one "
                                    "mentor only")
                rules.extend(Rule("pin", pid, m, f"{where}, pinned_mentor", (0, k))
                             for m in pinned[:1])
                rules.extend(Rule("exclude", pid, m, f"{where}, excluded_mentors", (0, k))
                             for m in _ids(row.get("excluded_mentors", "")))
    if problems:
        raise InputError(problems)
    return mentors, mentees, rules


def read_rules(path: Path) -> tuple[list[Rule], list[Problem]]:
    """The rules file: one pin or exclusion per row (columns mentee_id, mentor_id, rule).

    Returns the well-formed rules and the problems of the other rows, so that the
    caller can check the good rows too and report everything in one go.
    """
    header, rows = read_table(path)
    missing = [c for c in RULE_COLUMNS if c not in header]
    unknown = [h for h in header if h and h not in RULE_COLUMNS + RULE_OPTIONAL]
    if missing or unknown:
        raise InputError(
            ([f"{path.name}: missing column(s) {', '.join(missing)}"] if missing else [])
            + ([f"{path.name}: unknown column(s) {', '.join(unknown)}"] if unknown else []))
    rules: list[Rule] = []
    problems: list[Problem] = []
    for k, row in enumerate(rows, start=2):
        if not any(row.get(c, "") for c in RULE_COLUMNS):
            continue  # a blank row, or a row with only a note
        where = f"{path.name} row {k}"
        order = (1, k)  # after the mentee sheet's own rules
        absent = [c for c in RULE_COLUMNS if not row.get(c, "")]
        problems.extend((order, f"{where}: {c} is required") for c in absent)
        kind = row.get("rule", "").lower()
        if kind and kind not in RULE_KINDS:
            problems.append((order, f"{where}: rule must be pin or exclude, got {row['rule']!r}"))
        elif not absent:
            rules.append(Rule(kind, row["mentee_id"], row["mentor_id"], where, order))
    return rules, problems


# Plain words for the engine's hard-rule names (an unknown name is shown as it is).
RULE_WORDS = {
    "level_gap": "the mentor must be at least {gap} level(s) below the mentee "
                 "(mentor level {mentor_level}, mentee level {mentee_level})",
    "same_team": "they are in the same team (--allow-same-team allows it)",
    "reporting_line": "one is in the other's reporting line",
    "work_together": "they work together regularly (works_with)",
    "previous_partner": "they were partners before (--exclude-previous-partners is on)",
    "same_person": "they are the same person",
}


def check_rules(rules: Sequence[Rule], mentors: Sequence[MentorProfile],
                mentees: Sequence[MenteeProfile], base: Constraints, *,
                problems: Iterable[Problem] = ()) -> Constraints:
    """Check the manager's rules against the people, each other and the hard rules;
    return ``base`` with the pins and exclusions added.

    ``match_profiles`` checks pins too, but cannot say which row a pin came from.
    Checking here names the row of every problem and reports them all at once,
    together with ``problems`` found earlier (bad rows of the rules file).
    """
    mentor_by_id = {p.id: p for p in mentors}
    mentee_by_id = {p.id: p for p in mentees}
    found = list(problems)
    # Every hard rule depends only on the two people of a pair (reporting chains are
    # already on the profiles), so a scorer over the pinned people is enough.
    pins = [r for r in rules if r.kind == "pin"
            and r.mentee_id in mentee_by_id and r.mentor_id in mentor_by_id]
    scorer = ProfileScorer([mentee_by_id[x] for x in sorted({r.mentee_id for r in pins})],
                           [mentor_by_id[x] for x in sorted({r.mentor_id for r in pins})],
                           constraints=base) if pins else None
    by_pair: dict[tuple[str, str], Rule] = {}
    pin_of: dict[str, Rule] = {}
    pinned_to: dict[str, list[str]] = {}
    for r in rules:
        problem = r.problem_collector(found)
        e, m = mentee_by_id.get(r.mentee_id), mentor_by_id.get(r.mentor_id)
        if e is None:
            hint = " (that id is a mentor)" if r.mentee_id in mentor_by_id else ""
            problem(f"unknown mentee {r.mentee_id!r}{hint}")
        if m is None:
            hint = " (that id is a mentee)" if r.mentor_id in mentee_by_id else ""
            problem(f"unknown mentor {r.mentor_id!r}{hint}")
        if e is None or m is None:
            continue
        first = by_pair.setdefault((e.id, m.id), r)
        if first is not r:
            if first.kind == r.kind:
                problem(f"{r.describe()} is given twice (also {first.where})")
            else:
                problem(f"{e.id!r} and {m.id!r} are both pinned and excluded "
                        f"(see {first.where}); keep one rule")
            continue
        if r.kind == "exclude":
            continue
        other = pin_of.setdefault(e.id, r)
        if other is not r:
            problem(f"mentee {e.id!r} is pinned to two mentors, {other.mentor_id!r} "
                    f"({other.where}) and {m.id!r}; a mentee can be pinned to one mentor only")
            continue
        assert scorer is not None  # built above for every pin between known people
        failed = scorer.rules_failed(scorer.mentee_index[e.id], scorer.mentor_index[m.id])
        if failed:
            words = [RULE_WORDS.get(f, f).format(gap=base.min_level_gap, mentor_level=m.level,
                                                 mentee_level=e.level) for f in failed]
            problem(f"cannot pin {e.id!r} to {m.id!r}: " + "; ".join(words))
            continue
        places = effective_capacity(m)
        taken = pinned_to.setdefault(m.id, [])
        if len(taken) >= places:
            if places == 0:
                problem(f"cannot pin {e.id!r} to {m.id!r}: the mentor has no free place "
                        "(capacity, active_pairings, max_concurrent)")
            else:
                problem(f"cannot pin {e.id!r} to {m.id!r}: the mentor has {places} free "
                        f"place(s), already taken by the pin(s) of "
                        + ", ".join(map(repr, taken)))
            continue
        taken.append(e.id)
    if found:
        raise InputError([text for _, text in sorted(found, key=lambda p: p[0])])
    return replace(base,
                   pins=frozenset((e, m) for m, es in pinned_to.items() for e in es),
                   exclusions=frozenset(pair for pair, r in by_pair.items()
                                        if r.kind == "exclude"))


def _relations(path: Path | None) -> dict[str, list[str]] | None:
    """CSV with columns topic, related (semicolon list)."""
    if path is None:
        return None
    _, rows = read_table(path)
    out: dict[str, list[str]] = {}
    for r in rows:
        if r.get("topic"):
            out.setdefault(r["topic"].strip().lower(), []).extend(_items(r.get("related", "")))
    return out


def write_pairs(path: Path, result: MatchResult, mentors: Sequence[MentorProfile],
                mentees: Sequence[MenteeProfile],
                pin_sources: Mapping[tuple[str, str], str] | None = None) -> None:
    pin_sources = pin_sources or {}
    fields = ["status", "pinned", "mentee_id", "mentee_name", "mentor_id", "mentor_name",
              "score", *[f"points_{c}" for c in CRITERIA], "reasons"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(fields)
        for ex in result.explanations:
            e, m = mentees[ex.mentee], mentors[ex.mentor]
            pts = {c.criterion: c.points for c in ex.contributions}
            reasons = ex.summary()
            if ex.pinned:
                # Say who decided, and still show what the pair has in common.
                source = pin_sources.get((e.id, m.id))
                reasons = ("pinned by the programme manager"
                           + (f" ({source})" if source else "") + "; "
                           + replace(ex, pinned=False).summary())
            w.writerow(["matched", "yes" if ex.pinned else "no", e.id, e.name, m.id, m.name,
                        f"{ex.score:.4f}", *[f"{pts.get(c, 0.0):.4f}" for c in CRITERIA],
                        reasons])
        for u in result.unmatched:
            e = mentees[u.mentee]
            reason = u.message
            if u.best_mentor is not None:
                reason = reason.replace(f"#{u.best_mentor}", mentors[u.best_mentor].id)
            w.writerow(["unmatched", "no", e.id, e.name, "", "", "", *["" for _ in CRITERIA],
                        reason])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching", description=__doc__.split("\n")[0])
    parser.add_argument("mentors", type=Path, help="mentors CSV or XLSX")
    parser.add_argument("mentees", type=Path, help="mentees CSV or XLSX")
    parser.add_argument("-o", "--output", type=Path, required=True, help="pairs CSV to write")
    parser.add_argument("--objective", choices=OBJECTIVES, default="custom")
    parser.add_argument("--focus", default="", help="programme focus topics, ; separated")
    parser.add_argument("--relations", type=Path, help="CSV of topic,related (; separated)")
    parser.add_argument("--rules", type=Path,
                        help="CSV or XLSX of mentee_id,mentor_id,rule (pin or exclude)")
    parser.add_argument("--min-level-gap", type=int, default=1)
    parser.add_argument("--allow-same-team", action="store_true")
    parser.add_argument("--exclude-previous-partners", action="store_true")
    parser.add_argument("--fair", action="store_true",
                        help="maximise the lowest pair score first, then the total")
    args = parser.parse_args(argv)
    try:
        missing = [f"{p}: file not found"
                   for p in (args.mentors, args.mentees, args.rules, args.relations)
                   if p is not None and not p.exists()]
        if missing:
            raise InputError(missing)
        mentors, mentees, rules = load_people(args.mentors, args.mentees)
        bad_rows: list[Problem] = []
        if args.rules is not None:
            file_rules, bad_rows = read_rules(args.rules)
            rules += file_rules
        constraints = check_rules(
            rules, mentors, mentees,
            Constraints(min_level_gap=args.min_level_gap,
                        exclude_same_team=not args.allow_same_team,
                        exclude_previous_partners=args.exclude_previous_partners),
            problems=bad_rows)
        result = match_profiles(
            mentees, mentors, objective=args.objective, weights=default_weights(args.objective),
            constraints=constraints, focus=_items(args.focus),
            topic_relations=_relations(args.relations), fair=args.fair,
        )
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_pairs(args.output, result, mentors, mentees,
                {(r.mentee_id, r.mentor_id): r.where for r in rules if r.kind == "pin"})
    rep = result.report
    rules_used = (f"{len(result.pinned)} pinned, {len(constraints.exclusions)} "
                  "exclusion(s) applied; " if rules else "")
    print(f"{len(result.pairs)} pair(s), {len(result.unmatched)} unmatched mentee(s); "
          f"{rules_used}total score {rep.total if rep else 0:.2f}; "
          f"certified optimal: {result.verify()}")
    return 0
