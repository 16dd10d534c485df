"""Guard: no template or Python module turns escaping off, unless listed here with the reason.

Django escapes every variable in an HTML template. The ways to switch that off are few and easy to
spot (`|safe`, `{% autoescape off %}`, `mark_safe`, `format_html`, `SafeString`), so this test reads
every template and every module of ours and fails on any of them outside the allow-lists below.
A manager's text rendered with `|safe` once let a script read a junior mentor's private notes
(issue 11); a new use needs a reason written here, and a reviewer who agrees with it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Template constructs that render text without escaping it.
TEMPLATE_PATTERNS = {
    "|safe filter": re.compile(r"\|\s*safe\b(?!seq)"),
    "|safeseq filter": re.compile(r"\|\s*safeseq\b"),
    "autoescape off": re.compile(r"{%-?\s*autoescape\s+off\s*-?%}"),
}

# Python calls that mark text as already escaped.
PYTHON_PATTERNS = {
    "mark_safe": re.compile(r"\bmark_safe\s*\("),
    "SafeString": re.compile(r"\bSafeString\b"),
    "SafeData": re.compile(r"\bSafeData\b"),
    "format_html": re.compile(r"\bformat_html(_join)?\s*\("),
    "html_safe": re.compile(r"\bhtml_safe\b"),
    "__html__": re.compile(r"\b__html__\b"),
    ".safe_ attribute": re.compile(r"\.safe_\w*"),
    "is_safe=True": re.compile(r"\bis_safe\s*=\s*True"),
    "autoescape=False": re.compile(r"\bautoescape\s*=\s*False"),
}

# path (relative to the repository) -> reason. Keep this short; every entry is a promise that the
# marked text never contains anything a user wrote.
TEMPLATE_ALLOW: dict[str, str] = {}
PYTHON_ALLOW: dict[str, str] = {
    # This very file names the patterns it looks for.
    "tests/test_no_unsafe_output.py": "the guard itself",
    # issue 16: report
    "upward/insight/charts.py": (
        "SVG written out by xml.etree from pygal's tree, which escapes every text and attribute; "
        "script, style and comments removed first"
    ),
}

# Plain-text email templates (`<app>/templates/<app>/email/*.txt`) are rendered only into
# text/plain email bodies, where HTML escaping would show "&amp;" and "&#x27;" to the reader, so
# they may turn autoescape off. `test_plain_text_email_templates_never_reach_html` below keeps
# them out of HTML pages.
EMAIL_TEXT_TEMPLATE = re.compile(r"/templates/[^/]+/email/[^/]+\.txt$")


def template_files() -> list[Path]:
    dirs = [ROOT / "templates", *sorted((ROOT / "upward").glob("*/templates"))]
    return sorted(p for d in dirs for p in d.rglob("*") if p.is_file())


def python_files() -> list[Path]:
    files = [*(ROOT / "upward").rglob("*.py"), *(ROOT / "config").rglob("*.py")]
    return sorted(p for p in files if "migrations" not in p.parts)


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def unsafe_uses(text: str, patterns: dict[str, re.Pattern[str]]) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for name, pattern in patterns.items():
            if pattern.search(line):
                found.append(f"line {number}: {name}: {line.strip()[:120]}")
    return found


def test_the_walk_sees_our_templates_and_modules() -> None:
    templates = [rel(p) for p in template_files()]
    modules = [rel(p) for p in python_files()]
    assert "templates/includes/field.html" in templates
    assert any(t.startswith("upward/safety/templates/") for t in templates)
    assert "upward/core/views.py" in modules and "config/settings/base.py" in modules
    assert len(templates) > 100 and len(modules) > 100


def test_no_template_turns_escaping_off() -> None:
    problems = []
    for path in template_files():
        name = rel(path)
        if name in TEMPLATE_ALLOW:
            continue
        patterns = TEMPLATE_PATTERNS
        if EMAIL_TEXT_TEMPLATE.search("/" + name):
            patterns = {k: v for k, v in patterns.items() if k != "autoescape off"}
        problems += [f"{name} {use}" for use in unsafe_uses(path.read_text(), patterns)]
    assert not problems, (
        "Templates must not turn escaping off (issue 11). Render the text escaped, or put the "
        "markup in the template. Found:\n" + "\n".join(problems)
    )


def test_no_module_marks_text_safe() -> None:
    problems = []
    for path in python_files():
        name = rel(path)
        if name in PYTHON_ALLOW:
            continue
        problems += [f"{name} {use}" for use in unsafe_uses(path.read_text(), PYTHON_PATTERNS)]
    assert not problems, (
        "Python code must not mark text as safe HTML (issue 11). Build the markup in a template "
        "and pass the text as a variable. Found:\n" + "\n".join(problems)
    )


def test_allow_lists_name_existing_files() -> None:
    for name in [*TEMPLATE_ALLOW, *PYTHON_ALLOW]:
        assert (ROOT / name).is_file(), f"{name} is allow-listed but does not exist"


def test_plain_text_email_templates_never_reach_html() -> None:
    """The `.txt` email templates turn autoescape off, so no HTML template may pull them in."""
    text_templates = {
        rel(p).split("/templates/", 1)[-1].removeprefix("templates/")
        for p in template_files()
        if EMAIL_TEXT_TEMPLATE.search("/" + rel(p))
    }
    assert len(text_templates) > 10
    pulls = re.compile(r"{%-?\s*(?:include|extends)\s+[\"']([^\"']+)[\"']")
    problems = []
    for path in template_files():
        if path.suffix != ".html":
            continue
        for used in pulls.findall(path.read_text()):
            if used in text_templates or used.endswith(".txt"):
                problems.append(f"{rel(path)} pulls in {used}")
    # Python code may render them only as the text body of an email, never as a response.
    renders_txt = re.compile(r"(?:render|TemplateResponse)\s*\([^)]*[\"'][^\"']+\.txt[\"']")
    for path in python_files():
        for match in renders_txt.finditer(path.read_text()):
            problems.append(f"{rel(path)} renders a .txt template into a response: {match[0]}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "line",
    [
        "{{ field.help_text|safe }}",
        "{{ x | safe }}",
        "{{ items|safeseq|join:', ' }}",
        "{% autoescape off %}{{ x }}{% endautoescape %}",
    ],
)
def test_template_patterns_catch_each_construct(line: str) -> None:
    assert unsafe_uses(line, TEMPLATE_PATTERNS)


@pytest.mark.parametrize(
    "line",
    [
        "return mark_safe(text)",
        "html = format_html('<b>{}</b>', name)",
        "format_html_join('', '{}', rows)",
        "SafeString(value)",
        "self.safe_label = x",
        "register.filter(is_safe=True)",
    ],
)
def test_python_patterns_catch_each_construct(line: str) -> None:
    assert unsafe_uses(line, PYTHON_PATTERNS)


def test_ruff_flags_mark_safe() -> None:
    """ruff's bandit rules (S) are on, and neither mark_safe (S308) nor its kin is ignored.

    (ruff has no S703, bandit's django_mark_safe, at the version we pin; S308 covers it.)
    """
    import tomllib

    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "S" in lint["select"] or "S308" in lint["select"]
    for code in ("S", "S3", "S30", "S308", "S7", "S70", "S703"):
        assert code not in lint.get("ignore", [])
        for ignored in lint.get("per-file-ignores", {}).values():
            assert code not in ignored


def test_ruff_reports_mark_safe_in_our_code() -> None:
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed next to this Python")
    snippet = (
        "from django.utils.safestring import mark_safe\n\n\ndef f(x):\n    return mark_safe(x)\n"
    )
    result = subprocess.run(  # noqa: S603 (our own tool, fixed arguments)
        [str(ruff), "check", "--no-cache", "--stdin-filename", "upward/core/example.py", "-"],
        input=snippet,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert "S308" in result.stdout, result.stdout + result.stderr


# What the Content-Security-Policy (style-src/script-src 'self') would block in a page.
INLINE_PATTERNS = {
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "<style> element": re.compile(r"<style[\s>]", re.I),
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "hx-on attribute (htmx evaluates it)": re.compile(r"\shx-on", re.I),
}


def test_no_inline_script_or_style_in_html_templates() -> None:
    problems = []
    for path in template_files():
        if path.suffix != ".html":
            continue
        if path.parent.name == "email":
            # Email layouts (notifications/email/layout.html) never reach a browser page, so
            # the site's CSP does not apply; mail programs need inline styles. Autoescape is
            # still checked for them by the tests above and notifications/tests/test_email_html.
            continue
        text = re.sub(
            r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", path.read_text(), flags=re.S
        )
        problems += [f"{rel(path)} {use}" for use in unsafe_uses(text, INLINE_PATTERNS)]
    assert not problems, (
        "The Content-Security-Policy blocks inline scripts and styles: use a class from "
        "static/css/upward.css or a file in static/js/. Found:\n" + "\n".join(problems)
    )


@pytest.mark.parametrize(
    "line",
    [
        '<div class="actions" style="margin:0">',
        "<style>.x{}</style>",
        "<script>alert(1)</script>",
        '<button onclick="go()">',
        '<a href="javascript:go()">',
    ],
)
def test_inline_patterns_catch_each_construct(line: str) -> None:
    assert unsafe_uses(line, INLINE_PATTERNS)


def test_inline_patterns_allow_script_files() -> None:
    assert not unsafe_uses('<script src="/static/js/copy-link.js" defer></script>', INLINE_PATTERNS)
