"""report.json: a known report for a generated recording (golden file), and its pieces."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from report_files import load_report

from formcheck.cli.app import app
from formcheck.report.schema import REPORT_SCHEMA, asymmetry, rep_tempo

GOLDEN = Path(__file__).parent / "golden_bird-dog.report.json"


def _normalised(report: dict) -> dict:
    """What may differ between machines and releases: the path given and the version."""
    report = json.loads(json.dumps(report))
    report["input"]["path"] = "samples/bird-dog.jsonl.gz"
    report["input"]["formcheck_version"] = "*"
    return report


def test_golden_report_of_the_bird_dog_sample(bird_dog_report):
    """Stable ordering and rounding: the whole report.json of the bird-dog sample is fixed.
    Regenerate with FORMCHECK_REGEN_GOLDEN=1 after a deliberate change, and read the diff."""
    report = _normalised(load_report(bird_dog_report))
    if os.environ.get("FORMCHECK_REGEN_GOLDEN"):
        GOLDEN.write_text(json.dumps(report, indent=2) + "\n")
    assert report == json.loads(GOLDEN.read_text())
    text = (bird_dog_report / "report.json").read_text()
    assert text == json.dumps(load_report(bird_dog_report), indent=2, ensure_ascii=False) + "\n"


def test_report_carries_the_result_contract_verbatim(bird_dog_report, samples):
    from typer.testing import CliRunner

    out = CliRunner().invoke(
        app, ["analyze", str(samples / "bird-dog.jsonl.gz"), "-e", "bird-dog", "--json"]
    )
    assert out.exit_code == 0, out.output
    report = load_report(bird_dog_report)
    assert (report["schema"], report["version"]) == (REPORT_SCHEMA, 1)
    assert report["result"] == json.loads(out.stdout)


def test_per_rep_metrics_add_up(bird_dog_report):
    report = load_report(bird_dog_report)
    assert [r["side"] for r in report["reps"]] == ["left", "right", "left", "right"]
    for rep in report["reps"]:
        tempo = rep["tempo"]
        total = tempo["lift_s"] + tempo["top_s"] + tempo["lower_s"]
        assert total == pytest.approx(rep["duration_s"], abs=0.005)
        assert tempo["top_s"] >= 2.0 or rep["faults"]  # the scripted 2.5 s holds
        assert rep["range_of_motion"] == pytest.approx(90, abs=3)  # hanging thigh -> level
    bent = report["reps"][2]["faults"][0]
    assert (bent["fault"], bent["severity"], bent["cue"]) == (
        "bent_knee", "warning", "Straighten your left knee",
    )  # fmt: skip
    assert bent["start_s"] <= bent["worst"]["t_s"] <= bent["end_s"]
    assert (bent["label"], bent["evidence_text"]) == (
        "bent knee", "left knee bent to 134° (aim: at least 150°)",
    )  # fmt: skip
    assert report["exercise"]["drive_label"] == "leg and arm above the floor line"
    assert report["exercise"]["fault_labels"]["hold_short"] == "hold too short"
    assert report["input"]["frames"] == report["input"]["frames_with_person"] == 684
    assert report["partial"] is False
    assert report["warnings"] == [  # the sample is a recording: no outline, no rounded back
        "bird-dog.jsonl.gz: landmark recordings keep no body outline, so rounded back cannot "
        "be judged; analyse the video for it"
    ]


def test_left_right_comparison_states_its_formula(bird_dog_report):
    sides = load_report(bird_dog_report)["sides"]
    assert sides["left"]["reps"] == sides["right"]["reps"] == 2
    assert sides["asymmetry"]["reps"] == 0.0
    left, right = sides["left"]["mean_hold_s"], sides["right"]["mean_hold_s"]
    assert sides["asymmetry"]["mean_hold_s"] == pytest.approx(
        abs(left - right) / max(left, right), abs=0.002
    )
    assert sides["asymmetry_formula"] == "|L - R| / max(|L|, |R|)"


@pytest.mark.parametrize(
    ("left", "right", "index"),
    [(2.0, 2.0, 0.0), (1.0, 2.0, 0.5), (0.0, 3.0, 1.0), (0.0, 0.0, 0.0), (None, 1.0, None)],
)
def test_asymmetry_index(left, right, index):
    assert asymmetry(left, right) == index


def test_tempo_of_a_scripted_rep():
    t = np.arange(0, 5.01, 0.1)
    drive = np.interp(t, [0, 1, 3, 5], [0, 100, 100, 0])  # up 1 s, hold 2 s, down 2 s
    tempo = rep_tempo(t, drive, 0.0, 5.0)
    assert tempo == pytest.approx({"lift_s": 0.9, "top_s": 2.2, "lower_s": 1.9}, abs=1e-6)
    assert rep_tempo(t, np.full_like(t, np.nan), 0.0, 5.0) is None
