"""Counts in the product's words go through ngettext / {% blocktranslate count %}: no "1 sessions",
"1 open tasks" or "All 0 shared notes". A static scan of every template and every translated
Python string, so a new slip fails here before anyone reads it (docs/copy.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Nouns that count something, optionally after an adjective ("3 open tasks").
NOUNS = (
    "sessions|tasks|pairs|minutes|days|hours|notes|people|applications|places|meetings|"
    "commitments|recommendations|codes|answers|mentors|mentees|items|goals|events|messages|"
    "months|weeks|members|questions|responses|partners|colleagues|applicants|invitations|rows|"
    "errors|levels|times|skills|resources|surveys|results|programmes|concerns|flags|check-ins|"
    "characters|options|choices|pairings|runs|replies|posts|comments|years|participants|"
    "attendees|contacts|steps|actions|themes|emails|notifications|matches|seats"
)
ADJECTIVES = (
    "open|shared|new|unread|more|held|booked|missed|accepted|pending|active|private|saved|"
    "planned|waiting|unmatched|other|ranked|remaining|completed|recorded|unanswered|declined|"
    "upcoming|past|done"
)
COUNTED = rf"(?:(?:{ADJECTIVES})\s+)?(?:{NOUNS})\b"
TEMPLATE_NUMBER = re.compile(r"\{\{\s*(\w+)[^}]*\}\}\s+" + COUNTED)
PYTHON_NUMBER = re.compile(r"%\((\w+)\)[sd]\s+" + COUNTED)
BLOCK = re.compile(r"\{%\s*blocktranslate([^%]*)%\}(.*?)\{%\s*endblocktranslate\s*%\}", re.S)
COUNT_VAR = re.compile(r"\bcount\s+(\w+)\s*=")
ALL_N = re.compile(r"(?:^|\{%\s*plural\s*%\})\s*All\s+\{\{")

# Limits that are variables but never 1, each with the reason.
ALLOWED = {
    # three times the booked length, and a meeting lasts at least 15 minutes
    "upward/journey/forms.py: %(max)s minutes",
    # the limit passed in is a text field's maximum length (hundreds or thousands)
    "upward/notes/services.py: %(n)s characters",
    # the limits of MAX_LENGTHS, a fixed table of column widths
    "upward/organisations/importing.py: %(limit)s characters",
}

TRANSLATING = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy"}


def _templates() -> list[Path]:
    found = [*ROOT.glob("templates/**/*"), *ROOT.glob("upward/*/templates/**/*")]
    return sorted(p for p in found if p.suffix in {".html", ".txt"})


def template_slips(text: str) -> list[str]:
    """`{{ n }} sessions` outside a counted block, or a second number inside one."""
    slips = []
    for block in BLOCK.finditer(text):
        head, body = block.group(1), block.group(2)
        counted = COUNT_VAR.search(head)
        for match in TEMPLATE_NUMBER.finditer(body):
            if counted is None or match.group(1) != counted.group(1):
                slips.append(match.group(0))
        if ALL_N.search(body):
            slips.append("All {{ n }} …: reads 'All 0' and 'All 1'")
    outside = BLOCK.sub("", text)
    slips += [
        m.group(0)
        for m in TEMPLATE_NUMBER.finditer(outside)
        if "pluralize" not in outside[m.end() : m.end() + 30]
    ]
    return slips


def _is_constant(node: ast.AST) -> bool:
    # A fixed limit (MAX_TEXT, settings.X) is never 1, so "%(n)s characters" is fine.
    if isinstance(node, ast.Name):
        return node.id.isupper()
    if isinstance(node, ast.Attribute):
        return node.attr.isupper()
    if isinstance(node, ast.JoinedStr):  # f"{MAX_ROWS:,}"
        return all(
            _is_constant(part.value) for part in node.values if isinstance(part, ast.FormattedValue)
        )
    return False


def python_slips(source: str) -> list[str]:
    slips = []
    tree = ast.parse(source)
    constants: dict[int, set[str]] = {}
    for node in ast.walk(tree):
        # "…" % {"n": MAX_TEXT}: remember which placeholders are filled by constants.
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Mod)
            and isinstance(node.right, ast.Dict)
        ):
            fixed = {
                key.value
                for key, value in zip(node.right.keys, node.right.values, strict=True)
                if isinstance(key, ast.Constant) and _is_constant(value)
            }
            for inner in ast.walk(node.left):
                constants[id(inner)] = fixed
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        if name not in TRANSLATING:
            continue
        for arg in node.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                fixed = constants.get(id(node), set())
                slips += [
                    m.group(0) for m in PYTHON_NUMBER.finditer(arg.value) if m.group(1) not in fixed
                ]
    return slips


def test_the_scan_catches_the_slips_it_is_for() -> None:
    assert template_slips("{% blocktranslate with n=x %}{{ n }} sessions{% endblocktranslate %}")
    assert template_slips("<p>{{ count }} open tasks</p>")
    assert template_slips(
        "{% blocktranslate count n=g with t=x %}{{ n }} goal, {{ t }} open tasks"
        "{% plural %}{{ n }} goals, {{ t }} open tasks{% endblocktranslate %}"
    )
    assert template_slips(
        "{% blocktranslate count n=x %}{{ n }} note{% plural %}All {{ n }} shared notes"
        "{% endblocktranslate %}"
    )
    assert not template_slips(
        "{% blocktranslate count n=x %}{{ n }} session{% plural %}{{ n }} sessions"
        "{% endblocktranslate %}"
    )
    assert not template_slips("{{ n }} session{{ n|pluralize }}")
    assert python_slips('_("Saved for %(n)s people.") % {"n": count}')
    assert not python_slips('_("Keep it under %(n)s characters.") % {"n": MAX_TEXT}')
    assert not python_slips('ngettext("%(n)s person", "%(n)s people", n) % {"n": n}')


def test_no_template_counts_without_a_plural_form() -> None:
    found = {
        f"{path.relative_to(ROOT)}: {slip}"
        for path in _templates()
        for slip in template_slips(path.read_text(encoding="utf-8"))
    }
    assert not found, "Use {% blocktranslate count %} for these:\n" + "\n".join(sorted(found))


def test_no_translated_python_counts_without_ngettext() -> None:
    found = {
        f"{path.relative_to(ROOT)}: {slip}"
        for path in sorted(ROOT.glob("upward/**/*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
        for slip in python_slips(path.read_text(encoding="utf-8"))
    } - ALLOWED
    assert not found, "Use ngettext for these:\n" + "\n".join(sorted(found))


def _panel(template: str, **counts: int) -> str:
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    context = {"seat": True, "pairing": SimpleNamespace(pk=1), "counts": counts, "mine": []}
    return " ".join(render_to_string(template, context).split())


def test_pair_panels_read_right_with_none_one_and_two() -> None:
    goals = {n: _panel("goals/_panel.html", goals=n, achieved=0, open_tasks=n) for n in (0, 1, 2)}
    assert "0 goals in the pair, 0 achieved, 0 open tasks." in goals[0]
    assert "1 goal in the pair, 0 achieved, 1 open task." in goals[1]
    assert "2 goals in the pair, 0 achieved, 2 open tasks." in goals[2]
    notes = {n: _panel("notes/_panel.html", notes=n, unread=n) for n in (0, 1, 2)}
    assert "All 0" not in notes[0] and ">Shared notes<" in notes[0]
    assert "See the shared note" in notes[1] and "1 unread message<" in notes[1]
    assert "See all 2 shared notes" in notes[2]


def test_no_bare_fractions() -> None:
    """ "12 / 20" meant accepted/applied on one page and accepted/places on another: a count
    says what it is out of ("12 accepted of 20 places"), docs/copy.md."""
    fraction = re.compile(r"\}\}\s*(?:<[^>]+>\s*)*/\s*\{\{")
    found = [
        str(path.relative_to(ROOT)) for path in _templates() if fraction.search(path.read_text())
    ]
    assert not found, found
