"""OR-Library assignment instances (min-cost; negated here) give their known optima."""

from pathlib import Path

import numpy as np
import pytest

from matching import solve_assignment, verify

ORLIB = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "orlib"
KNOWN = {"assign100.txt": 305, "assign500.txt": 991, "assign600.txt": 1176, "assign700.txt": 1362}


def read_instance(path):
    numbers = np.array(path.read_text().split(), dtype=np.int64)
    n = int(numbers[0])
    return numbers[1:1 + n * n].reshape(n, n)


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_orlib_known_optimum(name):
    path = ORLIB / name
    if not path.exists():
        pytest.skip(f"OR-Library data not found at {ORLIB.resolve()} (shared/ beside the repo)")
    cost = read_instance(path)
    result = solve_assignment(-cost.astype(float))
    assert result.matched == cost.shape[0]
    assert -result.total == KNOWN[name]
    assert sum(cost[i, j] for i, j in result.pairs) == KNOWN[name]
    assert verify(result, -cost.astype(float))
