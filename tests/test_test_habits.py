"""Guards for two testing habits (docs/testing.md), read from the test files' syntax trees.

1. A negative check on a page goes through `assertNotContains`, which also asserts the status
   (200 unless `status_code=` says otherwise). `assert "secret" not in response.content` passes
   just as well on a 404 or a login redirect, so it proves nothing about what the page shows.
   Flagged: `not in` against a response's `.content`, `.content.decode()`, `.text`, or a name
   bound to one of those in the same test.
2. `pytest.raises(SomeError)` says which error with `match=`, so a test cannot pass on a
   different failure of the same class. Also accepted: `with pytest.raises(X) as caught:` when
   the test then asserts on `caught.value.<attribute>` (parametrised form tests check the
   error's `field` or `message` that way). The few errors whose text is not ours to pin are
   listed in BARE_RAISES_ALLOWED with the reason.

The checks are syntactic on purpose: they need no database and read every test module in
well under a second.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The browser tests read Playwright pages (`page.content()`), which wait for the page to load.
SKIP = {ROOT / "tests" / "browser"}

# Exception classes that may be caught without `match=`, and why.
BARE_RAISES_ALLOWED = {
    # The database writes this text, and it differs between SQLite ("UNIQUE constraint failed:
    # ...") and PostgreSQL ('duplicate key value violates unique constraint "..."'). These tests
    # prove a constraint holds; which one is clear from the row they write.
    "IntegrityError",
}


def _test_modules() -> Iterator[Path]:
    for base in ("upward", "tests", "matching"):
        for path in sorted((ROOT / base).rglob("*.py")):
            if any(parent in SKIP for parent in path.parents):
                continue
            if path.name.startswith("test_") or path.name in ("conftest.py", "helpers.py"):
                yield path


def _is_content(node: ast.AST) -> bool:
    """`x.content`, `x.text` or `x.content.decode(...)` (also str(x.content, ...))."""
    if isinstance(node, ast.Attribute) and node.attr in ("content", "text"):
        return not (isinstance(node.value, ast.Name) and node.value.id in ("mail", "message"))
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "decode":
            return _is_content(func.value)
        if isinstance(func, ast.Name) and func.id == "str" and node.args:
            return _is_content(node.args[0])
    return False


def _assignments(function: ast.AST) -> dict[str, list[tuple[int, bool]]]:
    """Each name's assignments in a function: (line, whether it holds a response's content)."""
    found: dict[str, list[tuple[int, bool]]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append((node.lineno, _is_content(node.value)))
    return found


def _holds_content(name: ast.Name, line: int, assignments: dict) -> bool:  # type: ignore[type-arg]
    earlier = [entry for entry in assignments.get(name.id, []) if entry[0] < line]
    return bool(earlier) and max(earlier)[1]


def negative_checks_on_content(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        assignments = _assignments(function)
        for node in ast.walk(function):
            if not isinstance(node, ast.Compare):
                continue
            for op, right in zip(node.ops, node.comparators, strict=True):
                if not isinstance(op, ast.NotIn):
                    continue
                if _is_content(right) or (
                    isinstance(right, ast.Name) and _holds_content(right, node.lineno, assignments)
                ):
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    return sorted(set(found), key=lambda s: (s.split(":")[0], int(s.split(":")[1])))


def _raised_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Tuple):
        return ",".join(_raised_name(element) for element in node.elts)
    return ast.dump(node)


def _pinned_raises(tree: ast.AST) -> set[ast.Call]:
    """`with pytest.raises(X) as caught:` whose test then asserts on `caught.value.<attribute>`
    (the error's `field` or `message`): parametrised tests name the error that way."""
    pinned = set()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        checked = {
            node.value.value.id
            for assertion in ast.walk(function)
            if isinstance(assertion, ast.Assert)
            for node in ast.walk(assertion)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "value"
            and isinstance(node.value.value, ast.Name)
        }
        for with_ in ast.walk(function):
            if isinstance(with_, ast.With):
                for item in with_.items:
                    if (
                        isinstance(item.optional_vars, ast.Name)
                        and item.optional_vars.id in checked
                        and isinstance(item.context_expr, ast.Call)
                    ):
                        pinned.add(item.context_expr)
    return pinned


def bare_raises(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    pinned = _pinned_raises(tree)
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "raises"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "pytest"
            and node.args
        ):
            continue
        if node in pinned or any(keyword.arg == "match" for keyword in node.keywords):
            continue
        name = _raised_name(node.args[0])
        if all(part in BARE_RAISES_ALLOWED for part in name.split(",")):
            continue
        found.append(f"{path.relative_to(root)}:{node.lineno} {name}")
    return found


def test_negative_checks_on_pages_also_check_the_status() -> None:
    offenders = [hit for path in _test_modules() for hit in negative_checks_on_content(path)]
    assert offenders == [], (
        "use assertNotContains(response, text[, status_code=...]) so the check cannot pass on a "
        "page that did not load:\n" + "\n".join(offenders)
    )


def test_pytest_raises_names_the_message() -> None:
    offenders = [hit for path in _test_modules() for hit in bare_raises(path)]
    assert offenders == [], (
        "give pytest.raises a match= (a distinctive part of the message), or list the exception "
        "in BARE_RAISES_ALLOWED with the reason:\n" + "\n".join(offenders)
    )


def test_the_guards_catch_what_they_are_for(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import pytest\n"
        "def test_a(client):\n"
        "    response = client.get('/')\n"
        "    body = response.content.decode()\n"
        "    assert 'x' not in body\n"
        "    assert 'y' not in response.content\n"
        "    assert 'z' not in client.get('/').content.decode()\n"
        "    assert 'w' not in mail.outbox[0].body\n"
        "    with pytest.raises(ValueError):\n"
        "        pass\n"
        "    with pytest.raises(ValueError, match='bad'):\n"
        "        pass\n"
        "    with pytest.raises(IntegrityError):\n"
        "        pass\n"
        "    with pytest.raises(ValueError) as caught:\n"
        "        pass\n"
        "    assert caught.value.field == 'name'\n"
    )
    lines = [hit.split(":")[1] for hit in negative_checks_on_content(sample, tmp_path)]
    assert lines == ["5", "6", "7"]
    assert [hit.split(":")[1] for hit in bare_raises(sample, tmp_path)] == ["9 ValueError"]


if __name__ == "__main__":
    for path in _test_modules():
        for hit in negative_checks_on_content(path):
            print("NOT-IN", hit)
        for hit in bare_raises(path):
            print("RAISES", hit)
