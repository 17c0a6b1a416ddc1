"""Search paths: one broken file in a user folder is skipped, not fatal; only asking for it by
its file name fails. Exercises and routines share one search-path helper."""

import pytest

from formcheck.engine.catalogue import (
    bundled_routines_dir,
    exercise_dirs,
    find_exercise,
    list_exercises,
    load_exercise,
    scan_exercises,
)
from formcheck.engine.routine import find_routine, list_routines, load_routine, scan_routines
from formcheck.errors import DefinitionError
from formcheck.searchpath import package_data, search_dirs, toml_files

BROKEN = 'id = "oops"\nname = [unclosed\n'  # a TOML syntax error on line 2


@pytest.fixture
def user_folder(tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "oops.toml").write_text(BROKEN)
    monkeypatch.setenv("FORMCHECK_EXERCISES", str(folder))
    monkeypatch.setenv("FORMCHECK_ROUTINES", str(folder))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no real user folder
    return folder


def test_a_broken_exercise_file_is_skipped_and_named(user_folder):
    defs, skipped = scan_exercises()
    assert "bird-dog" in [d.id for d in defs] and "oops" not in [d.id for d in defs]
    assert [str(e) for e in skipped] == [
        f"{user_folder / 'oops.toml'}: TOML syntax error: Invalid value (at line 2, column 9)"
    ]
    assert [d.id for d in list_exercises()] == [d.id for d in defs]


def test_alias_lookups_skip_the_broken_file_and_asking_for_it_fails(user_folder):
    assert load_exercise("bird dog").id == "bird-dog"  # an alias: every file is read
    assert find_exercise("Bird-dog").name == "bird-dog.toml"
    with pytest.raises(DefinitionError, match=r"oops\.toml: TOML syntax error"):
        load_exercise("oops")
    with pytest.raises(DefinitionError) as err:
        find_exercise("no such move")
    message = str(err.value)
    assert message.startswith("unknown exercise 'no such move'; known: arm-circles, ")
    assert message.endswith(f"; not readable, so not searched: {user_folder / 'oops.toml'}")
    assert "oops, " not in message


def test_a_broken_routine_file_is_skipped_and_named(user_folder):
    routines, skipped = scan_routines()
    assert [r.id for r in routines] == ["back-basics"]
    assert [r.id for r in list_routines()] == ["back-basics"]
    assert len(skipped) == 1 and str(skipped[0]).startswith(f"{user_folder / 'oops.toml'}: ")
    assert load_routine("Back basics").id == "back-basics"  # by name: every file is read
    with pytest.raises(DefinitionError, match=r"oops\.toml: TOML syntax error"):
        load_routine("oops")
    with pytest.raises(DefinitionError, match=r"not readable, so not searched: .*oops\.toml"):
        find_routine("leg day")


def test_a_routine_naming_a_broken_exercise_is_skipped_too(user_folder):
    (user_folder / "mine.toml").write_text(
        'id = "mine"\nname = "Mine"\n[[steps]]\nexercise = "oops"\nreps = 8\n'
    )
    routines, skipped = scan_routines()
    assert [r.id for r in routines] == ["back-basics"]
    assert sorted(str(e).split(":")[0] for e in skipped) == sorted(
        str(user_folder / f) for f in ("mine.toml", "oops.toml")
    )


def test_search_dirs_are_the_variable_then_the_user_folder_then_the_bundled_one(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("FORMCHECK_EXERCISES", f"{tmp_path / 'a'}:{tmp_path / 'b'}")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert exercise_dirs() == [
        tmp_path / "a",
        tmp_path / "b",
        tmp_path / "config" / "formcheck" / "exercises",
        bundled_routines_dir() / "exercises",
    ]
    assert search_dirs("NOT_SET_ANYWHERE", "x", tmp_path)[-1] == tmp_path


def test_the_first_folder_wins_for_a_file_name(tmp_path):
    for folder, text in (("a", "first"), ("b", "second")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.toml").write_text(text)
    (tmp_path / "b" / "other.toml").write_text("")
    files = toml_files([tmp_path / "a", tmp_path / "missing", tmp_path / "b"])
    assert files == [tmp_path / "a" / "same.toml", tmp_path / "b" / "other.toml"]


def test_package_data_is_the_checkout_s_routines_folder():
    assert package_data("routines") == bundled_routines_dir()
    assert (package_data("routines") / "exercises" / "bird-dog.toml").is_file()
