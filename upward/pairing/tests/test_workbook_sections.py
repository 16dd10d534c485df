"""The workbook's section registry: apps above goals add pages without goals importing them."""

from __future__ import annotations

from typing import Any

import pytest

from upward.notes.workbook import notes_section
from upward.pairing import workspace


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    fresh: dict[str, Any] = {}
    monkeypatch.setattr(workspace, "_workbook_sections", fresh)
    return fresh


def test_notes_registers_its_private_section_at_start_up() -> None:
    assert notes_section in workspace.workbook_sections(include_private=True)
    assert notes_section not in workspace.workbook_sections(include_private=False)


def test_sections_come_in_order_and_private_ones_only_on_request(registry: dict[str, Any]) -> None:
    def late(pdf: Any, seat: Any) -> None: ...

    def early(pdf: Any, seat: Any) -> None: ...

    def secret(pdf: Any, seat: Any) -> None: ...

    workspace.register_workbook_section("late", late, order=20, private=False)
    workspace.register_workbook_section("secret", secret, order=15, private=True)
    workspace.register_workbook_section("early", early, order=10, private=False)
    assert workspace.workbook_sections(include_private=False) == [early, late]
    assert workspace.workbook_sections(include_private=True) == [early, secret, late]


def test_a_name_registered_twice_with_another_function_is_refused(registry: dict[str, Any]) -> None:
    def one(pdf: Any, seat: Any) -> None: ...

    def two(pdf: Any, seat: Any) -> None: ...

    workspace.register_workbook_section("notes", one, order=10, private=True)
    workspace.register_workbook_section("notes", one, order=10, private=True)  # same: harmless
    with pytest.raises(ValueError, match="registered twice"):
        workspace.register_workbook_section("notes", two, order=10, private=True)
