"""Every recorded CLI output still comes out the same (numbers to one part in 10⁹).

The cases and the comparison live in ``tests/golden_outputs.py``; an intended
change of the model re-records them (``python -m tests.golden_outputs --record``)
and says why in the CHANGELOG.
"""

from __future__ import annotations

import pytest

from tests.golden_outputs import CASES, compare, normal_text, run_case, same_csv, same_json


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_output_matches_the_recording(name: str) -> None:
    problems = compare(name, run_case(CASES[name]))
    assert not problems, "\n".join(problems)


def test_the_comparison_notices_a_changed_number() -> None:
    assert same_json({"a": [1.0, 2.0]}, {"a": [1.0, 2.0 * (1 + 1e-12)]}) == []
    assert same_json({"a": [1.0, 2.0]}, {"a": [1.0, 2.001]}) != []
    assert same_csv("x,y\n1,2.5\n", "x,y\n1,2.5000001\n") != []
    assert normal_text("a   1.00\n----\n") == normal_text("a 1.00\n")
    assert normal_text("a 1.00\n") != normal_text("a 1.01\n")
