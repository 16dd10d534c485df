"""Command line for spreadsheet users.

    python -m matching mentors.csv mentees.csv -o pairs.csv [--objective inclusion]

Reads CSV or XLSX (first sheet), one person per row; columns are documented in
docs/matching.md.  Lists are separated by semicolons.  Writes one row per pair,
then one row per unmatched mentee, with scores and reasons.  Bad rows are
reported with their row number (header = row 1) and the exit code is 2.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from matching.run import MatchResult, match_profiles
from matching.scoring import (
    CRITERIA,
    OBJECTIVES,
    Constraints,
    MenteeProfile,
    MentorProfile,
    default_weights,
)

COMMON = ("id", "name", "level", "department", "team", "manager_id", "offers", "wants",
          "interests", "availability", "utc_offset", "works_with", "previous_partners",
          "group", "consent_group")
MENTOR_ONLY = ("capacity", "active_pairings", "max_concurrent", "lived_experience",
               "consent_lived_experience")
REQUIRED = ("id", "level")
TRUE = {"1", "true", "yes", "y", "x"}
FALSE = {"", "0", "false", "no", "n"}


class InputError(Exception):
    """Problems in the input files, one message per bad row."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


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
                ) -> tuple[list[MentorProfile], list[MenteeProfile]]:
    problems: list[str] = []
    tables = {}
    for role, path in (("mentors", mentor_path), ("mentees", mentee_path)):
        header, rows = read_table(path)
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            problems.append(f"{path.name}: missing column(s) {', '.join(missing)}")
        known = set(COMMON) | (set(MENTOR_ONLY) if role == "mentors" else set())
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
    if problems:
        raise InputError(problems)
    return mentors, mentees


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
                mentees: Sequence[MenteeProfile]) -> None:
    fields = ["status", "mentee_id", "mentee_name", "mentor_id", "mentor_name", "score",
              *[f"points_{c}" for c in CRITERIA], "reasons"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(fields)
        for ex in result.explanations:
            e, m = mentees[ex.mentee], mentors[ex.mentor]
            pts = {c.criterion: c.points for c in ex.contributions}
            w.writerow(["pinned" if ex.pinned else "matched", e.id, e.name, m.id, m.name,
                        f"{ex.score:.4f}", *[f"{pts.get(c, 0.0):.4f}" for c in CRITERIA],
                        ex.summary()])
        for u in result.unmatched:
            e = mentees[u.mentee]
            reason = u.message
            if u.best_mentor is not None:
                reason = reason.replace(f"#{u.best_mentor}", mentors[u.best_mentor].id)
            w.writerow(["unmatched", e.id, e.name, "", "", "", *["" for _ in CRITERIA], reason])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching", description=__doc__.split("\n")[0])
    parser.add_argument("mentors", type=Path, help="mentors CSV or XLSX")
    parser.add_argument("mentees", type=Path, help="mentees CSV or XLSX")
    parser.add_argument("-o", "--output", type=Path, required=True, help="pairs CSV to write")
    parser.add_argument("--objective", choices=OBJECTIVES, default="custom")
    parser.add_argument("--focus", default="", help="programme focus topics, ; separated")
    parser.add_argument("--relations", type=Path, help="CSV of topic,related (; separated)")
    parser.add_argument("--min-level-gap", type=int, default=1)
    parser.add_argument("--allow-same-team", action="store_true")
    parser.add_argument("--exclude-previous-partners", action="store_true")
    parser.add_argument("--fair", action="store_true",
                        help="maximise the lowest pair score first, then the total")
    args = parser.parse_args(argv)
    try:
        for p in (args.mentors, args.mentees):
            if not p.exists():
                raise InputError([f"{p}: file not found"])
        mentors, mentees = load_people(args.mentors, args.mentees)
        result = match_profiles(
            mentees, mentors, objective=args.objective, weights=default_weights(args.objective),
            constraints=Constraints(min_level_gap=args.min_level_gap,
                                    exclude_same_team=not args.allow_same_team,
                                    exclude_previous_partners=args.exclude_previous_partners),
            focus=_items(args.focus), topic_relations=_relations(args.relations), fair=args.fair,
        )
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_pairs(args.output, result, mentors, mentees)
    rep = result.report
    print(f"{len(result.pairs)} pair(s), {len(result.unmatched)} unmatched mentee(s); "
          f"total score {rep.total if rep else 0:.2f}; certified optimal: {result.verify()}")
    return 0
