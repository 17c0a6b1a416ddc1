"""The exercise engine: definitions as data, rep/hold machines, fault rules, results."""

from formcheck.engine.catalogue import find_exercise, list_exercises, load_exercise
from formcheck.engine.definition import ExerciseDef, load_definition, parse_definition
from formcheck.engine.engine import Engine, EngineSettings
from formcheck.engine.events import Event, Phase, RepRecord
from formcheck.engine.result import session_result

__all__ = [
    "Engine",
    "EngineSettings",
    "Event",
    "ExerciseDef",
    "Phase",
    "RepRecord",
    "find_exercise",
    "list_exercises",
    "load_definition",
    "load_exercise",
    "parse_definition",
    "session_result",
]
