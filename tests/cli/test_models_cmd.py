"""Tests for ``formcheck models ...``, run in-process on a small fake registry (no network)."""

from __future__ import annotations

import hashlib
import io
import random
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.errors import ModelError
from formcheck.pose import provision

runner = CliRunner()
UNREACHABLE = "http://127.0.0.1:9/fake.task"  # nothing listens on the discard port here


def make_bundle(seed: int = 0) -> bytes:
    """A small fake .task bundle (a zip of seeded random bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        # a fixed timestamp: the same bytes (and test ids) in every xdist worker
        member = zipfile.ZipInfo("pose_detector.tflite", (2020, 1, 1, 0, 0, 0))
        zf.writestr(member, random.Random(seed).randbytes(4096))
    return buf.getvalue()


BUNDLE = make_bundle()


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wide_console) -> Path:
    """An empty models folder and a registry with one model, ``fake`` (= BUNDLE)."""
    registry = tmp_path / "registry.toml"
    registry.write_text(
        "[fake]\n"
        'file = "fake.task"\n'
        f'url = "{UNREACHABLE}"\n'
        f"size_bytes = {len(BUNDLE)}\n"
        f'sha256 = "{hashlib.sha256(BUNDLE).hexdigest()}"\n'
    )
    folder = tmp_path / "models"
    monkeypatch.setenv(provision.REGISTRY_ENV, str(registry))
    monkeypatch.setenv(provision.MODELS_DIR_ENV, str(folder))
    monkeypatch.setattr(provision, "_verified", set())
    return folder


def install(models: Path, data: bytes = BUNDLE) -> Path:
    models.mkdir(exist_ok=True)
    path = models / "fake.task"
    path.write_bytes(data)
    return path


def assert_one_line_error(result, fragment: str) -> None:
    assert result.exit_code == ModelError.exit_code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()  # a progress bar may precede the error
    assert [line for line in lines if "error" in line] == [lines[-1]]
    assert lines[-1].startswith("formcheck: error: ")
    assert fragment in lines[-1]


@pytest.mark.parametrize("command", [[], ["list"], ["fetch"], ["verify"], ["path"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, ["models", *command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    if command:
        assert len(result.output.split("Usage:")[1].splitlines()) > 3  # some help text


def test_list_shows_each_state(models: Path) -> None:
    result = runner.invoke(app, ["models", "list"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "fake" in line)
    assert "missing" in row and hashlib.sha256(BUNDLE).hexdigest()[:12] in row
    install(models)
    row = next(
        line
        for line in runner.invoke(app, ["models", "list"]).stdout.splitlines()
        if "fake" in line
    )
    assert "verified" in row and str(models / "fake.task") in row


def test_path_prints_the_path_of_a_present_model(models: Path) -> None:
    install(models)
    result = runner.invoke(app, ["models", "path", "fake"])
    assert result.exit_code == 0
    assert result.stdout == f"{models / 'fake.task'}\n"


def test_path_of_a_missing_model_fails(models: Path) -> None:
    result = runner.invoke(app, ["models", "path", "fake"])
    assert result.stdout == f"{models / 'fake.task'}\n"
    assert_one_line_error(result, "run `formcheck models fetch fake`")


def test_unknown_model_name(models: Path) -> None:
    result = runner.invoke(app, ["models", "fetch", "medium"])
    assert_one_line_error(result, "unknown pose model 'medium': use one of fake")


def test_fetch_from_a_good_file_installs_it(models: Path, tmp_path: Path) -> None:
    src = tmp_path / "download.task"
    src.write_bytes(BUNDLE)
    result = runner.invoke(app, ["models", "fetch", "fake", "--from", str(src)])
    assert result.exit_code == 0, result.output
    assert (models / "fake.task").read_bytes() == BUNDLE
    assert f"ready (sha256 verified): {models / 'fake.task'}" in result.stdout
    assert sorted(p.name for p in models.iterdir()) == ["fake.task"]


def test_fetch_from_a_corrupt_file_refuses_it(models: Path, tmp_path: Path) -> None:
    src = tmp_path / "download.task"
    src.write_bytes(BUNDLE[:50] + bytes([BUNDLE[50] ^ 1]) + BUNDLE[51:])
    result = runner.invoke(app, ["models", "fetch", "fake", "--from", str(src)])
    assert_one_line_error(result, "download.task is not fake.task: it is corrupt (sha256 mismatch)")
    assert list(models.iterdir()) == []


def test_fetch_keeps_a_verified_model(models: Path) -> None:
    install(models)
    result = runner.invoke(app, ["models", "fetch", "fake"])
    assert result.exit_code == 0
    assert "already in place" in result.stdout


def test_fetch_with_no_reachable_source_says_what_to_do(models: Path) -> None:
    result = runner.invoke(app, ["models", "fetch", "fake"])
    assert_one_line_error(result, "`formcheck models fetch fake --from FILE`")
    assert "official URL unreachable" in result.stderr
    assert list(models.iterdir()) == []


def test_verify_passes_for_a_good_model(models: Path) -> None:
    install(models)
    result = runner.invoke(app, ["models", "verify"])
    assert result.exit_code == 0, result.output
    assert f"fake: verified {models / 'fake.task'}" in result.stdout


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (BUNDLE[:-1] + bytes([BUNDLE[-1] ^ 1]), "is corrupt (sha256 mismatch)"),
        (BUNDLE[:100], f"is truncated (100 of {len(BUNDLE)} bytes)"),
    ],
    ids=["flipped-byte", "truncated"],
)
def test_verify_fails_for_a_damaged_model(models: Path, data: bytes, fragment: str) -> None:
    install(models, data)
    for args in (["models", "verify"], ["models", "verify", "fake"]):
        result = runner.invoke(app, args)
        assert "fake: corrupt" in result.stdout
        assert_one_line_error(result, fragment)


def test_verify_of_a_named_missing_model_fails(models: Path) -> None:
    assert runner.invoke(app, ["models", "verify"]).exit_code == 0  # nothing present, nothing bad
    result = runner.invoke(app, ["models", "verify", "fake"])
    assert_one_line_error(result, "fake.task is missing: run `formcheck models fetch fake`")
