"""Landmark recordings round-trip exactly and refuse malformed files with file:line."""

import gzip
import json

import numpy as np
import pytest

from formcheck.errors import OutputError, RecordingError
from formcheck.pose.core import PoseFrame
from formcheck.recording import RecordingHeader, RecordingSource, RecordingWriter, read_recording


def _frames(n=20, seed=1):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        if i % 7 == 3:
            out.append(PoseFrame.empty(i / 30, (640, 480), i))
            continue
        image = rng.normal(300, 100, (33, 5))
        image[:, 3:] = rng.uniform(0, 1, (33, 2))
        out.append(PoseFrame(i / 30, (640, 480), image, rng.normal(0, 0.5, (33, 3)), index=i))
    return out


@pytest.mark.parametrize("name", ["set.jsonl", "set.jsonl.gz"])
def test_round_trip_is_exact(tmp_path, name):
    frames = _frames()
    path = tmp_path / name
    header = RecordingHeader(source="cam", fps=30.0, resolution_wh=(640, 480), model="full")
    with RecordingWriter(path, header) as w:
        for f in frames:
            w.write(f)
    head, back = read_recording(path)
    assert head.fps == 30.0 and head.resolution_wh == (640, 480) and head.model == "full"
    assert len(back) == len(frames)
    for a, b in zip(frames, back, strict=True):
        assert a.same_as(b), a.index
        assert a.index == b.index


def test_writer_is_atomic_and_keeps_partial_work_on_interrupt(tmp_path):
    path = tmp_path / "x.jsonl"
    header = RecordingHeader(source="cam", fps=30.0, resolution_wh=(640, 480))
    with pytest.raises(KeyboardInterrupt):
        with RecordingWriter(path, header) as w:
            for f in _frames(5):
                w.write(f)
                assert not path.exists()  # nothing under the final name while writing
            raise KeyboardInterrupt
    assert len(read_recording(path)[1]) == 5
    assert [p.name for p in tmp_path.iterdir()] == ["x.jsonl"]  # no temp files left


def test_unwritable_output_is_an_output_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    header = RecordingHeader(source="cam", fps=30.0, resolution_wh=(640, 480))
    with pytest.raises(OutputError, match="cannot write"):
        RecordingWriter(blocker / "sub" / "out.jsonl", header)
    with pytest.raises(OutputError, match=".jsonl"):
        RecordingWriter(tmp_path / "out.txt", header)


def _write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n")


def test_malformed_recordings_name_file_and_line(tmp_path):
    good_head = json.dumps(RecordingHeader(source="s", fps=30, resolution_wh=(10, 10)).to_json())
    p = tmp_path / "a.jsonl"
    _write_lines(p, ["not json"])
    with pytest.raises(RecordingError, match=r"a\.jsonl:1: not a formcheck"):
        RecordingSource(p)
    _write_lines(p, [good_head.replace('"version": 1', '"version": 99')])
    with pytest.raises(RecordingError, match="version 99 is not supported"):
        RecordingSource(p)
    _write_lines(p, [good_head, '{"t": 0, "lm": null, "w": null}', '{"t": 0.1, "lm": [[1,2]]'])
    with pytest.raises(RecordingError, match=r"a\.jsonl:3: malformed frame"):
        list(RecordingSource(p))
    _write_lines(
        p, [good_head, '{"t": 1, "lm": null, "w": null}', '{"t": 0.5, "lm": null, "w": null}']
    )
    with pytest.raises(RecordingError, match=r"a\.jsonl:3: timestamps must increase"):
        list(RecordingSource(p))
    with pytest.raises(RecordingError, match="no such recording"):
        RecordingSource(tmp_path / "missing.jsonl")


def test_truncated_gzip_is_a_recording_error(tmp_path):
    path = tmp_path / "t.jsonl.gz"
    header = RecordingHeader(source="cam", fps=30.0, resolution_wh=(640, 480))
    with RecordingWriter(path, header) as w:
        for f in _frames(200):
            w.write(f)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(RecordingError, match="truncated or corrupt"):
        list(RecordingSource(path))
    assert gzip.decompress(data)  # the intact file was fine
