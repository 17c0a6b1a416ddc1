"""A failing self-test says which case and which variants failed, and what was measured
against what was expected; the same failure under several variants is one line."""

import re
from pathlib import Path

import pytest

from formcheck.engine import load_definition
from formcheck.engine.catalogue import bundled_routines_dir
from formcheck.engine.findings import Finding, failure_lines
from formcheck.engine.selftest import (
    FAR_HIDDEN,
    VARIANTS,
    CaseOutcome,
    run_case,
    run_selftest,
    run_selftests,
)

BIRD_DOG = bundled_routines_dir() / "exercises" / "bird-dog.toml"
TWO = {name: VARIANTS[name] for name in ("ideal", "noise 1%")}


def _broken(tmp_path: Path, old: str, new: str):
    """bird-dog with one line changed (a coach's mistake)."""
    text = BIRD_DOG.read_text()
    assert old in text
    path = tmp_path / "bird-dog.toml"
    path.write_text(text.replace(old, new))
    return load_definition(path)


def _lines(defn, variants, case):
    outcomes = run_selftest(defn, variants, cases=[case])
    assert outcomes and not any(o.ok for o in outcomes)
    return failure_lines(outcomes)


def test_a_fault_that_cannot_fire_names_case_variants_value_and_threshold(tmp_path):
    # the bent knee of rep 3 is 180 - 45 = 135 deg (a little less as the camera sees it): a
    # threshold of 90 never fires
    defn = _broken(
        tmp_path, 'feature = "knee_{side}", below = 150', 'feature = "knee_{side}", below = 90'
    )
    lines = _lines(defn, TWO, "bent knee on rep 3")
    bent = [ln for ln in lines if "bent_knee" in ln]
    assert len(bent) == 1, lines  # one line for both variants
    line = bent[0]
    assert line.startswith("bent knee on rep 3: rep 3: bent_knee expected, not raised: ")
    assert "[all 2 variants]" in line
    assert "(fires when knee_left < 90 for 0.3 s in top)" in line
    low = re.search(r"knee_left lowest (\d+(?:\.\d+)?)(?:\.\.(\d+(?:\.\d+)?))?, ", line)
    assert low is not None, line
    assert all(125 <= float(v) <= 140 for v in low.groups() if v), line  # as the camera sees it
    assert "beyond it for 0 s" in line


def test_a_fault_on_a_hidden_limb_is_expected_not_judged():
    """With the far limbs hidden, the bird-dog's far (right) leg drooping on rep 2 cannot be
    seen: its foot is behind the near shank. The engine says "not judged", the right answer,
    and the case passes; without hiding, the same case must see the fault."""
    defn = load_definition(BIRD_DOG)
    case = next(c for c in defn.selftest.cases if c["name"] == "leg not level on rep 2")
    hidden = run_case(defn, case, "far hidden", FAR_HIDDEN)
    assert hidden.ok, hidden.problems
    assert "leg_not_level" in hidden.reps[1].not_judged and not hidden.reps[1].faults
    seen = run_case(defn, case, "ideal", VARIANTS["ideal"])
    assert seen.ok and "leg_not_level" in seen.reps[1].faults, seen.problems


def test_a_fault_on_a_limb_in_view_must_fire_with_the_far_limbs_hidden(tmp_path):
    # the bent knee of rep 3 is the near (left) one, seen: a threshold it never reaches is a
    # failure with the far limbs hidden too, not an accepted "not judged"
    defn = _broken(
        tmp_path, 'feature = "knee_{side}", below = 150', 'feature = "knee_{side}", below = 90'
    )
    case = next(c for c in defn.selftest.cases if c["name"] == "bent knee on rep 3")
    outcome = run_case(defn, case, "far hidden", FAR_HIDDEN)
    assert any("bent_knee expected, not raised" in p for p in outcome.problems), outcome.problems


def test_too_fast_reps_show_their_durations_against_min_rep_s(tmp_path):
    # every scripted rep takes 1.2 + 2.5 + 1.2 s; min_rep_s = 6 makes each one "too fast"
    defn = _broken(tmp_path, "min_rep_s = 1.5", "min_rep_s = 6")
    lines = _lines(defn, {"ideal": VARIANTS["ideal"]}, "bent knee on rep 3")
    fast = [ln for ln in lines if "too_fast" in ln]
    assert len(fast) == 1, lines  # the four reps in one line
    line = fast[0]
    assert line.startswith("bent knee on rep 3: reps 1, 2, 3, 4: too_fast raised, not expected")
    assert line.endswith("[ideal] (too_fast below min_rep_s 6 s)")
    took = re.search(r"rep took ([\d., ]+) s", line)
    assert took is not None, line
    durations = [float(v) for v in took.group(1).split(", ")]
    assert len(durations) == 4 and all(4.0 < d < 5.0 for d in durations), line


def test_a_count_that_misses_shows_the_counts_and_how_far_the_drive_moved(tmp_path):
    # the reach goes from -90 (arm and leg down) to 0 (level): 90, never the 120 asked for
    defn = _broken(tmp_path, "min_range = 30", "min_range = 120")
    lines = _lines(defn, {"ideal": VARIANTS["ideal"]}, "bent knee on rep 3")
    assert lines[0] == "bent knee on rep 3: reps: 0 [ideal] (expected left 2, right 2)"
    moved = {ln.split(" moved ")[0].split(": ")[-1]: ln for ln in lines if " moved " in ln}
    assert set(moved) == {"reach_left", "reach_right"}, lines
    left = moved["reach_left"]
    assert "scripted reps 1, 3: " in left and left.endswith("(a rep needs min_range 120)")
    values = re.search(r"reps 1, 3: ([\d.]+), ([\d.]+) \[", left)
    assert values is not None, left
    assert all(85 <= float(v) <= 91 for v in values.groups()), left


def test_a_hold_fault_expected_but_not_raised_shows_the_good_form_hold():
    defn = load_definition(BIRD_DOG)
    case = next(c for c in defn.selftest.cases if c["name"] == "hold too short on rep 2")
    # rep 1 is held 2.5 s: asking for hold_short on it too is the mistake
    wrong = {**case, "expect": {"reps": {"left": 2, "right": 1}, "faults": {"hold_short": [1, 2]}}}
    lines = failure_lines([run_case(defn, wrong, "ideal", {})])
    assert len(lines) == 1, lines
    hold = re.fullmatch(
        r"hold too short on rep 2: rep 1: hold_short expected, not raised: good-form hold "
        r"([\d.]+) s \[ideal\] \(hold_short below target_s 2 s\)",
        lines[0],
    )
    assert hold is not None and 2.0 <= float(hold.group(1)) <= 3.0, lines[0]  # 2.5 s +- 0.5


def test_failures_group_across_variants_and_numbers_become_ranges():
    def outcome(variant, took):
        f = Finding("rep 1: too_fast raised, not expected", "rep took {} s", "below 1.5 s", (took,))
        return CaseOutcome("quick", variant, False, [str(f)], [], [f])

    ok = CaseOutcome("quick", "yaw +20", True)
    lines = failure_lines([outcome("ideal", 1.2), outcome("noise 1%", 1.25), ok])
    assert lines == [
        "quick: rep 1: too_fast raised, not expected: rep took 1.20..1.25 s "
        "[ideal | noise 1%] (below 1.5 s)"
    ]
    everywhere = failure_lines([outcome("ideal", 1.2), outcome("noise 1%", 1.2)])
    assert everywhere == [
        "quick: rep 1: too_fast raised, not expected: rep took 1.20 s [all 2 variants] "
        "(below 1.5 s)"
    ]
    assert str(outcome("ideal", 1.2).findings[0]) == (
        "rep 1: too_fast raised, not expected: rep took 1.20 s (below 1.5 s)"
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_parallel_run_gives_the_outcomes_of_a_plain_run_in_the_same_order(workers):
    defn = load_definition(BIRD_DOG)
    cases = [c["name"] for c in defn.selftest.cases[-2:]]
    short = {k: VARIANTS[k] for k in ("ideal", "noise 1%", "yaw +20")}
    plain = run_selftest(defn, short, cases=cases)
    trimmed = defn.model_copy(
        update={"selftest": defn.selftest.model_copy(update={"cases": defn.selftest.cases[-2:]})}
    )
    split = run_selftests([trimmed], short, workers=workers)[defn.id]
    assert [(o.case, o.variant, o.ok) for o in split] == [(o.case, o.variant, o.ok) for o in plain]
    assert [[r.end_s for r in o.reps] for o in split] == [[r.end_s for r in o.reps] for o in plain]
