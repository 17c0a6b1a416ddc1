"""Definition and routine mistakes in plain words: the key a typo meant, the id rule said out."""

import copy

import pytest

from formcheck.engine.catalogue import bundled_routines_dir
from formcheck.engine.definition import parse_definition
from formcheck.engine.routine import parse_routine
from formcheck.errors import DefinitionError
from formcheck.tomlfile import read_toml

BIRD_DOG = read_toml(
    bundled_routines_dir() / "exercises" / "bird-dog.toml", DefinitionError, "exercise"
)


def _rename(table: dict, old: str, new: str) -> None:
    table[new] = table.pop(old)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: _rename(d["faults"][0], "phases", "phase"),
            "ex.toml: faults[0].phase: unknown key; did you mean 'phases'?",
        ),
        (
            lambda d: _rename(d["reps"], "min_range", "min_rnage"),
            "ex.toml: reps.min_rnage: unknown key; did you mean 'min_range'?",
        ),
        (  # the misspelt key, not the "Field required" it causes
            lambda d: _rename(d["features"]["knee"], "kind", "kinds"),
            "ex.toml: features.knee.kinds: unknown key; did you mean 'kind'?",
        ),
        (
            lambda d: d["faults"][0]["when"][0].update(abve=3),
            "ex.toml: faults[0].when[0].abve: unknown key; did you mean 'above'?",
        ),
        (
            lambda d: d["tempo"].update(min_rep=1),
            "ex.toml: tempo.min_rep: unknown key; did you mean 'min_rep_s'?",
        ),
        (  # nothing close: the keys there are
            lambda d: d.update(colour="red"),
            "ex.toml: colour: unknown key; known keys: id, name, aliases, description, posture, "
            "view, trunk, start, features, reps, hold, tempo, faults, key_points, selftest",
        ),
        (
            lambda d: d.update(id="Bird_Dog"),
            "ex.toml: id must be lowercase letters, digits and dashes, starting with a letter "
            "(got 'Bird_Dog')",
        ),
        (
            lambda d: d["faults"][0].update(id="Bent-knee"),
            "ex.toml: faults[0].id must be lowercase letters, digits and underscores, starting "
            "with a letter (got 'Bent-knee')",
        ),
    ],
)
def test_definition_mistakes_read_as_plain_words(change, message):
    data = copy.deepcopy(BIRD_DOG)
    if isinstance(data["faults"][0]["when"], dict):
        data["faults"][0]["when"] = [data["faults"][0]["when"]]
    change(data)
    with pytest.raises(DefinitionError) as err:
        parse_definition(data, "ex.toml")
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("routine", "message"),
    [
        (
            {"id": "mine", "name": "Mine", "steps": [{"exercise": "bird-dog", "repz": 8}]},
            "r.toml: steps[0].repz: unknown key; did you mean 'reps'?",
        ),
        (
            {"id": "My routine", "name": "Mine", "steps": [{"exercise": "bird-dog", "reps": 8}]},
            "r.toml: id must be lowercase letters, digits and dashes, starting with a letter "
            "(got 'My routine')",
        ),
    ],
)
def test_routine_mistakes_read_as_plain_words(routine, message):
    with pytest.raises(DefinitionError) as err:
        parse_routine(routine, "r.toml")
    assert str(err.value) == message
