"""Temporary names on a folder shared by several machines (a batch on a Ray cluster): each
machine cleans only what it can judge, and a report folder about to be written is cleaned of
what any machine's dead process left of it."""

from __future__ import annotations

import os

from formcheck import atomic

OTHER = "0badc0de"  # another machine's tag (this one's is atomic._host())


def _names(folder) -> list[str]:  # noqa: ANN001
    return sorted(p.name for p in folder.iterdir())


def test_a_temporary_name_carries_its_process_and_machine(tmp_path):
    tmp = atomic.temp_file(tmp_path / "index.html")
    m = atomic._STALE.match(tmp.name)
    assert m is not None
    assert (m["target"], int(m["pid"]), m["host"]) == ("index.html", os.getpid(), atomic._host())
    assert atomic._host() != OTHER


def test_another_machines_temporaries_are_left_alone_by_the_folder_sweep(tmp_path):
    # pid 1 is not this process and is alive here; 2**22 + 1 is beyond any pid here: on another
    # machine neither says anything, so both of that machine's folders stay
    running_there = tmp_path / f".visit1{atomic._MARK}1.{OTHER}-a1"
    gone_here_maybe_not_there = tmp_path / f".visit2{atomic._MARK}{2**22 + 1}.{OTHER}-b2"
    dead_here = tmp_path / f".visit3{atomic._MARK}{2**22 + 1}.{atomic._host()}-c3"
    for folder in (running_there, gone_here_maybe_not_there, dead_here):
        folder.mkdir()
    atomic.write_atomic(tmp_path / "index.html", "<html>")  # sweeps the folder first
    assert _names(tmp_path) == sorted(
        ["index.html", running_there.name, gone_here_maybe_not_there.name]
    )


def test_a_report_folder_about_to_be_written_drops_what_any_machine_left_of_it(tmp_path):
    (tmp_path / "visit1").mkdir()
    (tmp_path / "visit1" / "report.json").write_text("old")
    staged_there = tmp_path / f".visit1{atomic._MARK}4242.{OTHER}-x9"
    staged_there.mkdir()
    (staged_there / "report.json").write_text("half")
    other_input = tmp_path / f".visit2{atomic._MARK}4242.{OTHER}-y8"  # not this target's
    other_input.mkdir()
    # visit3's old set was moved aside there and the new one never came: it is put back
    aside = tmp_path / f".visit3{atomic._MARK}4242.{OTHER}-old"
    aside.mkdir()
    (aside / "report.json").write_text("visit3's")
    staged = atomic.StagedFolder(tmp_path / "visit1", {"report.json"})
    (staged.path / "report.json").write_text("new")
    staged.commit()
    assert (tmp_path / "visit1" / "report.json").read_text() == "new"
    assert _names(tmp_path) == sorted(["visit1", other_input.name, aside.name])
    assert atomic.clean_target(tmp_path / "visit3") == [aside]
    assert (tmp_path / "visit3" / "report.json").read_text() == "visit3's"
    assert _names(tmp_path) == sorted(["visit1", "visit3", other_input.name])


def test_a_target_cleaning_spares_a_live_process_of_this_machine(tmp_path):
    mine = tmp_path / f".visit1{atomic._MARK}{os.getpid()}.{atomic._host()}-z1"
    parent = tmp_path / f".visit1{atomic._MARK}{os.getppid()}-z2"  # an older name: this machine
    for folder in (mine, parent):
        folder.mkdir()
    assert atomic.clean_target(tmp_path / "visit1") == []
    assert _names(tmp_path) == sorted([mine.name, parent.name])
