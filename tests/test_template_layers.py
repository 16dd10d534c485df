"""Templates keep the layers too: a lower app's page never loads a higher app's template tags.

import-linter (pyproject.toml) sees Python imports only; `{% load safety_tags %}` in a pairing
template is the same upward reach in another language. A higher app shows something on a lower
app's page by registering a panel (upward/core/panels.py), never by being loaded there.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


def _layer_of() -> dict[str, int]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    ranks: dict[str, int] = {}
    # Highest layer first in the contract; a higher rank is a higher layer.
    for position, line in enumerate(contract["layers"]):
        for name in line.replace("(", "").replace(")", "").split("|"):
            for app in name.split(":"):
                ranks[app.strip()] = len(contract["layers"]) - position
    return ranks


def _library_apps() -> dict[str, str]:
    return {
        path.stem: path.parent.parent.name
        for path in (ROOT / "upward").glob("*/templatetags/*.py")
        if path.stem != "__init__"
    }


def upward_loads() -> list[str]:
    ranks, libraries = _layer_of(), _library_apps()
    found = []
    for template in sorted((ROOT / "upward").glob("*/templates/**/*.*")):
        app = template.relative_to(ROOT / "upward").parts[0]
        for match in LOAD.finditer(template.read_text(encoding="utf-8")):
            for library in match.group(1).split():
                owner = libraries.get(library)
                if owner is None or owner == app:
                    continue
                if ranks[owner] >= ranks[app]:
                    found.append(f"{template.relative_to(ROOT)} loads {library} ({owner})")
    return found


def test_the_contract_names_every_app() -> None:
    ranks = _layer_of()
    apps = {p.parent.name for p in (ROOT / "upward").glob("*/apps.py")}
    assert apps - set(ranks) == set()


def test_no_template_loads_the_tags_of_an_app_above_or_beside_it() -> None:
    assert upward_loads() == []


def test_the_check_catches_an_upward_load(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fake = tmp_path / "upward" / "pairing" / "templates" / "pairing"
    fake.mkdir(parents=True)
    (fake / "x.html").write_text("{% load i18n safety_tags %}")
    tags = tmp_path / "upward" / "safety" / "templatetags"
    tags.mkdir(parents=True)
    (tags / "safety_tags.py").write_text("")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert upward_loads() == ["upward/pairing/templates/pairing/x.html loads safety_tags (safety)"]
