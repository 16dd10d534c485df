"""The outcome arithmetic against figures worked out by hand, and small-group suppression."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from upward.surveys import outcomes
from upward.surveys.outcomes import paired_change, suppress

# Six people, start → end. Differences 2, 0, 2, 1, 0, 1: four improved, two the same.
# Mean 1.0; deviations 1,-1,1,0,-1,0 → squares sum 4 → variance 4/5 = 0.8 → sd 0.894427;
# standard error 0.894427/√6 = 0.365148; t(0.975, 5) = 2.570582 → half-width 0.938650.
SIX = [(2, 4), (3, 3), (1, 3), (4, 5), (2, 2), (3, 4)]


def test_paired_change_hand_worked():
    c = paired_change(SIX)
    assert c.n == 6
    assert (c.improved, c.same, c.worsened) == (4, 2, 0)
    assert round(c.improved_share, 3) == 0.667
    assert outcomes.round_share(c.improved_share) == 67
    assert c.mean_change == pytest.approx(1.0)
    assert c.ci_low is not None and c.ci_high is not None
    assert round(c.ci_low, 3) == 0.061
    assert round(c.ci_high, 3) == 1.939
    # Top two box: 4 or 5. Start: only (4,·) → 1/6. End: 4, 5, 4 → 3/6.
    assert round(c.top_two_start, 3) == 0.167
    assert c.top_two_end == pytest.approx(0.5)
    assert round(c.top_two_shift, 3) == 0.333
    assert c.mean_start == pytest.approx(15 / 6)
    assert c.mean_end == pytest.approx(21 / 6)


def test_paired_change_two_people_wide_interval():
    # Differences 1 and 2: mean 1.5, sd 0.707107, se 0.5, t(0.975, 1) = 12.706205.
    c = paired_change([(1, 2), (2, 4)])
    assert c.mean_change == pytest.approx(1.5)
    assert c.ci_low is not None and c.ci_high is not None
    assert round(c.ci_low, 3) == -4.853
    assert round(c.ci_high, 3) == 7.853


def test_paired_change_with_a_fall_and_one_person():
    c = paired_change([(5, 3)])
    assert (c.improved, c.worsened, c.mean_change) == (0, 1, -2)
    assert c.ci_low is None and c.ci_high is None  # no interval from one person
    with pytest.raises(ValueError, match="paired_change needs at least one pair"):
        paired_change([])


def test_no_variation_gives_a_zero_width_interval():
    c = paired_change([(2, 3)] * 5)
    assert c.ci_low == pytest.approx(1.0) and c.ci_high == pytest.approx(1.0)


def test_summary_and_net_promoter():
    s = outcomes.summary([1, 4, 5, 5, 2])
    assert s.n == 5 and s.mean == pytest.approx(3.4) and s.top_two == pytest.approx(0.6)
    assert s.counts == {1: 1, 2: 1, 3: 0, 4: 1, 5: 2}
    # Promoters 9-10: two; detractors 0-6: two (6 and 3); passives: 7, 8. (2-2)/6 = 0.
    assert outcomes.net_promoter([10, 9, 8, 7, 6, 3]) == 0
    assert outcomes.net_promoter([10, 10, 9, 2]) == 50


def test_pair_by_key_leaves_out_people_who_answered_once():
    assert outcomes.pair_by_key({"a": 1, "b": 2, "c": 3}, {"b": 4, "c": 5, "d": 1}) == [
        (2, 4),
        (3, 5),
    ]


def test_round_share_rounds_halves_up():
    assert outcomes.round_share(0.615) == 62
    assert outcomes.round_share(0.6149) == 61


# ---------------------------------------------------------------- suppression


def test_primary_suppression_without_total():
    assert suppress({"a": 3, "b": 12, "c": 7}, threshold=5, total_shown=False) == {"a"}


def test_one_hidden_cell_with_a_total_hides_the_next_smallest():
    # Total 22 shown: a = 22 - 12 - 7 = 3 unless another cell is hidden too.
    assert suppress({"a": 3, "b": 12, "c": 7}, threshold=5, total_shown=True) == {"a", "c"}


def test_hidden_cells_adding_up_to_a_small_group_hide_more():
    # a and b hidden (1 + 2); total minus c and d would reveal a group of 3 people.
    hidden = suppress({"a": 1, "b": 2, "c": 6, "d": 30}, threshold=5, total_shown=True)
    assert hidden == {"a", "b", "c"}


def test_empty_cells_count_as_small():
    assert suppress({"a": 0, "b": 9, "c": 9}, threshold=5, total_shown=True) == {"a", "b"}


def test_nothing_hidden_when_all_cells_are_large():
    assert suppress({"a": 5, "b": 5}, threshold=5, total_shown=True) == set()


def test_special_category_threshold():
    assert suppress({"x": 9, "y": 40, "z": 11}, threshold=10, total_shown=True) == {"x", "z"}


cells_strategy = st.dictionaries(
    st.text(alphabet="abcdefgh", min_size=1, max_size=2),
    st.integers(min_value=0, max_value=40),
    min_size=2,
    max_size=8,
)


def _possible_values(cell: str, hidden: set[str], cells: dict[str, int], total: int) -> set[int]:
    """Every value the attacker cannot rule out for a hidden cell, from the visible cells and
    the total (hidden cells are unknown non-negative whole numbers)."""
    rest = total - sum(v for k, v in cells.items() if k not in hidden)
    if len(hidden) == 1:
        return {rest}
    return set(range(0, rest + 1))


@given(cells=cells_strategy, threshold=st.integers(min_value=2, max_value=12))
def test_no_hidden_cell_can_be_worked_out(cells, threshold):
    total = sum(cells.values())
    if total < threshold:
        return  # no aggregate at all from fewer than the threshold: nothing is shown
    hidden = suppress(cells, threshold=threshold, total_shown=True)
    # Every small cell is hidden.
    assert {k for k, v in cells.items() if v < threshold} <= hidden
    if not hidden:
        return
    # What total minus the visible cells reveals is a group of at least the threshold...
    revealed = total - sum(v for k, v in cells.items() if k not in hidden)
    assert revealed >= threshold
    # ...and no single hidden cell is pinned down by it.
    assert len(hidden) >= 2
    for cell in hidden:
        assert len(_possible_values(cell, hidden, cells, total)) > 1


@given(cells=cells_strategy, threshold=st.integers(min_value=2, max_value=12))
def test_without_a_total_only_small_cells_are_hidden(cells, threshold):
    hidden = suppress(cells, threshold=threshold, total_shown=False)
    assert hidden == {k for k, v in cells.items() if v < threshold}


def test_outcomes_module_has_no_django():
    # The arithmetic stays plain: importing it must not need Django models or settings.
    source = Path(outcomes.__file__).read_text()
    assert "import django" not in source and "from django" not in source
