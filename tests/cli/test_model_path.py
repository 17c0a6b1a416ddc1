"""``--model PATH`` with a damaged copy of the real bundle: exit 3 and one line, before any
analysis (issue 20: it used to run and report 'no person found')."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.errors import ModelError
from formcheck.pose import provision

runner = CliRunner()


@pytest.fixture
def video(blank_video: Path) -> Path:
    return blank_video


def flip_member_byte(path: Path, member: str) -> None:
    """Flip one byte in the middle of ``member``'s stored bytes (the zip still opens)."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    data = bytearray(path.read_bytes())
    local = info.header_offset
    name_len = int.from_bytes(data[local + 26 : local + 28], "little")
    extra_len = int.from_bytes(data[local + 28 : local + 30], "little")
    data[local + 30 + name_len + extra_len + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.fixture
def damaged_full(pose_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the real full bundle, same name and size, one byte flipped in its landmarks
    model; the real registry is in use."""
    monkeypatch.delenv(provision.REGISTRY_ENV, raising=False)
    monkeypatch.setattr(provision, "_verified", set())
    path = tmp_path / "bad" / "pose_landmarker_full.task"
    path.parent.mkdir()
    shutil.copyfile(pose_model, path)
    flip_member_byte(path, "pose_landmarks_detector.tflite")
    assert path.stat().st_size == pose_model.stat().st_size
    assert zipfile.ZipFile(path).testzip() == "pose_landmarks_detector.tflite"
    return path


@pytest.fixture
def assert_model_error(one_line_error):
    """One 'formcheck: error:' line with exit code 3 and nothing on stdout."""

    def check(result, *fragments: str) -> None:
        one_line_error(result, *fragments)
        assert result.exit_code == ModelError.exit_code
        assert result.stdout == ""

    return check


def test_analyze_with_a_damaged_official_bundle_exits_3(
    video: Path, damaged_full: Path, assert_model_error
) -> None:
    args = ["analyze", str(video), "-e", "squat", "--model", str(damaged_full), "--no-history"]
    assert_model_error(
        runner.invoke(app, args),
        "pose_landmarker_full.task is not the official pose_landmarker_full.task",
        "sha256 mismatch",
        "formcheck models fetch full",
    )


def test_analyze_with_a_damaged_renamed_bundle_exits_3(
    video: Path, damaged_full: Path, assert_model_error
) -> None:
    """The same damage under the user's own name: caught by size, as the registry's bundle."""
    renamed = damaged_full.with_name("my-model.task")
    damaged_full.rename(renamed)
    args = ["analyze", str(video), "-e", "squat", "--model", str(renamed), "--no-history"]
    assert_model_error(runner.invoke(app, args), "my-model.task is not the official", "sha256")


def test_record_with_a_damaged_custom_bundle_exits_3(
    video: Path, pose_model: Path, damaged_full: Path, tmp_path: Path, assert_model_error
) -> None:
    """A bundle of the user's own (here: the real one with a zip comment, so another size)
    is not in the registry: only its zip is checked, and that fails."""
    custom = tmp_path / "custom.task"
    shutil.copyfile(pose_model, custom)
    with zipfile.ZipFile(custom, "a") as zf:
        zf.comment = b"my own model"
    flip_member_byte(custom, "pose_landmarks_detector.tflite")
    assert custom.stat().st_size != damaged_full.stat().st_size
    args = ["record", str(video), "--model", str(custom), "-o", str(tmp_path / "o.jsonl")]
    assert_model_error(
        runner.invoke(app, args),
        "custom.task is a damaged .task bundle",
        "pose_landmarks_detector.tflite fails its CRC integrity check",
    )
    assert not (tmp_path / "o.jsonl").exists()
