"""read_toml: a TOML file as a table, or one line naming the file in the caller's error type."""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.errors import DefinitionError, ModelError
from formcheck.tomlfile import read_toml


def test_a_good_file_is_its_table(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text('[squat]\nname = "Squat – deep"\nreps = 3\n', encoding="utf-8")
    assert read_toml(path, DefinitionError, "exercise") == {
        "squat": {"name": "Squat – deep", "reps": 3}
    }


@pytest.mark.parametrize(
    ("content", "hint", "expected"),
    [
        (None, "", "{p}: no such thing file"),
        (None, "set THING_PATH", "{p}: no such thing file: set THING_PATH"),
        (b"a = = 1\n", "", "{p}: TOML syntax error: Invalid value (at line 1, column 5)"),
        (b"\xff\xfe", "", "{p}: cannot read ("),
    ],
)
def test_a_bad_file_is_one_line_in_the_callers_error(
    tmp_path: Path, content: bytes | None, hint: str, expected: str
) -> None:
    path = tmp_path / "a.toml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelError) as err:
        read_toml(path, ModelError, "thing", missing_hint=hint)
    assert str(err.value).startswith(expected.format(p=path))
    assert "\n" not in str(err.value)
