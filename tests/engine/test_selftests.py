"""Every bundled exercise proves itself on generated motion with known answers.

Each case of each definition's [selftest] is rendered ideal, with 1 % landmark noise, 5 %
landmark dropouts, camera yaw +-20 deg and all of these at once; the engine must report the
exact reps per side, each rep inside its scripted span, holds within 0.5 s and exactly the
scripted faults on exactly the scripted reps.
"""

import pytest

from formcheck.engine import list_exercises
from formcheck.engine.selftest import VARIANTS, run_selftest

CASES = [
    pytest.param(d, case["name"], id=f"{d.id}: {case['name']}")
    for d in list_exercises()
    if d.selftest is not None
    for case in d.selftest.cases
]


def test_every_bundled_exercise_has_a_selftest_with_a_negative_case():
    for d in list_exercises():
        assert d.selftest is not None, d.id
        expects = [c.get("expect", {}).get("reps") for c in d.selftest.cases]
        assert 0 in expects, f"{d.id} has no case that must count nothing"
        faults = {f for c in d.selftest.cases for f in c.get("expect", {}).get("faults", {})}
        assert {f.id for f in d.faults} <= faults, f"{d.id}: a fault without a self-test case"


@pytest.mark.parametrize(("defn", "case"), CASES)
def test_selftest_case_under_every_variant(defn, case):
    outcomes = run_selftest(defn, VARIANTS, cases=[case])
    assert len(outcomes) == len(VARIANTS)
    failures = [f"[{o.variant}] {'; '.join(o.problems)}" for o in outcomes if not o.ok]
    assert not failures, "\n".join(failures)
