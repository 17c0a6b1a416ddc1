"""CSV injection (issue 20, item 10): text cells a spreadsheet would run as a formula get a
leading quote in `history export --csv` and in reps.csv; numbers stay numbers; the quote comes
off again, and the JSON export/import round trip keeps the original text."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.csvsafe import SafeWriter, restore_cell, safe_cell, safe_row
from formcheck.report.tables import reps_csv
from formcheck.store import open_history

HYPERLINK = '=HYPERLINK("http://x","y")'
# Text that reaches the history CSV from users: profile, exercise, routine, source, report, notes.
HOSTILE = {
    "profile": HYPERLINK,
    "exercise": "+bird-dog",
    "routine": "@SUM(1+1)*cmd|' /C calc'!A0",
    "source": "-2+3.mp4",
    "report_path": "\t=1+1",
    "notes": "\r=1+1",
}


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),  # already quoted by hand: one more, so the quote can come off again
        ("''-x", "'''-x"),
        ("plain", "plain"),
        ("'plain", "'plain"),
        ("'", "'"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_text_cells_are_neutralised_and_restored(text, cell):
    assert safe_cell(text) == cell
    assert restore_cell(cell) == text


def test_numbers_and_other_values_are_left_alone():
    assert safe_row([-3.5, -2, 0, 1.25, None, True]) == [-3.5, -2, 0, 1.25, None, True]
    assert safe_cell("-3.5") == "'-3.5"  # text is text, even when it looks like a number


def test_a_carriage_return_inside_a_cell_cannot_start_a_new_row():
    buf = io.StringIO()
    writer = SafeWriter(buf)
    writer.writerow(["note", -3.5, 2])
    writer.writerow(["ok\r=HYPERLINK(1)", -3.5, 2])
    text = buf.getvalue()
    assert text == 'note,-3.5,2\n"ok\r=HYPERLINK(1)",-3.5,2\n'  # numbers stay bare
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["note", "-3.5", "2"], ["ok\r=HYPERLINK(1)", "-3.5", "2"]]


def _hostile(history, make_result) -> None:
    """One session whose every text cell is hostile. It is imported, because an import keeps
    text as it was exported; a save stores report_path absolute (it starts with "/")."""
    result = make_result([{}, {}], exercise=HOSTILE["exercise"], source=HOSTILE["source"])
    session = {
        "uid": "hostile", "started_at": "2024-05-01T07:30:00Z", "profile": HOSTILE["profile"],
        "source_kind": "video", "routine": HOSTILE["routine"],
        "report_path": HOSTILE["report_path"], "notes": HOSTILE["notes"], "result": result,
    }  # fmt: skip
    doc = {"schema": "formcheck.history", "version": 1, "sessions": [session]}
    assert history.import_json(json.dumps(doc)) == (1, 0)


def test_history_csv_export_neutralises_every_text_cell_and_the_quote_comes_off(
    tmp_path, make_result
):
    with open_history(tmp_path / "h.sqlite3") as history:
        _hostile(history, make_result)
        text = history.export("csv")
    (row,) = list(csv.DictReader(io.StringIO(text, newline="")))
    for key, value in HOSTILE.items():
        assert row[key] == "'" + value, key
        assert restore_cell(row[key]) == value
    assert row["profile"] == '\'=HYPERLINK("http://x","y")'
    assert '"\'=HYPERLINK(""http://x"",""y"")"' in text  # quoted by the csv module
    for line in text.split("\n"):  # no line of the file starts a formula
        assert not line.startswith(("=", "+", "-", "@"))
    assert row["notes"] == "'\r=1+1" and '"\'\r=1+1"' in text  # the CR is inside quotes
    assert (row["reps"], row["duration_s"], row["mean_hold_s"]) == ("2", "9.0", "2.5")


def test_history_export_csv_command_neutralises_cells(tmp_path, monkeypatch, make_result):
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))
    with open_history() as history:
        _hostile(history, make_result)
    out = CliRunner().invoke(app, ["history", "export", "--csv"])
    assert out.exit_code == 0, out.output
    (row,) = list(csv.DictReader(io.StringIO(out.stdout)))
    assert row["profile"] == "'" + HYPERLINK
    assert row["exercise"] == "'+bird-dog"
    assert row["source"] == "'-2+3.mp4"
    assert row["routine"].startswith("'@")


def test_json_export_import_round_trip_gives_back_the_original_text(tmp_path, make_result):
    with open_history(tmp_path / "a.sqlite3") as a:
        _hostile(a, make_result)
        exported = a.export("json")
    (session,) = json.loads(exported)["sessions"]
    assert session["profile"] == HYPERLINK  # JSON is not for spreadsheets: nothing added
    with open_history(tmp_path / "b.sqlite3") as b:
        assert b.import_json(exported) == (1, 0)
        (info,) = b.list_sessions()
        assert b.export("json") == exported
        csv_text = b.export("csv")
    got = {k: getattr(info, k) for k in HOSTILE}
    assert got == HOSTILE
    (row,) = list(csv.DictReader(io.StringIO(csv_text, newline="")))
    assert {k: restore_cell(row[k]) for k in HOSTILE} == HOSTILE


def _report_rep(**over) -> dict:
    rep = {
        "index": 1, "side": "left", "side_index": 1, "start_s": 0.5, "end_s": 4.0,
        "duration_s": 3.5, "range_of_motion": -3.5, "peak": -12.25, "tempo": None,
        "hold_s": 2.5, "hold_met": True, "uncertain": False,
        "faults": [{"fault": "bent_knee", "feature": "knee_left", "value": 134.5,
                    "threshold": "< 150", "start_s": 1.0, "end_s": 3.0}],
    }  # fmt: skip
    rep.update(over)
    return rep


def test_reps_csv_neutralises_text_but_keeps_negative_numbers():
    hostile = _report_rep(
        side="=cmd|' /C calc'!A0",
        faults=[{"fault": "@evil", "feature": "-knee", "value": -1.5, "threshold": "< 0",
                 "start_s": 1.0, "end_s": 3.0}],
    )  # fmt: skip
    text = reps_csv({"reps": [_report_rep(), hostile]})
    plain, bad = list(csv.DictReader(io.StringIO(text, newline="")))
    assert (plain["range_of_motion"], plain["peak"]) == ("-3.5", "-12.25")  # numbers
    assert plain["side"] == "left" and plain["faults"] == "bent_knee"
    assert bad["side"] == "'=cmd|' /C calc'!A0"
    assert bad["faults"] == "'@evil"
    assert bad["evidence"] == "'-knee -1.5 < 0 @ 1.00-3.00 s"
    assert restore_cell(bad["side"]) == "=cmd|' /C calc'!A0"
    assert (bad["range_of_motion"], bad["peak"]) == ("-3.5", "-12.25")
