"""When a set was recorded (--recorded, a video's creation_time, a recording's header, the file's
modification time) and which file it was (its SHA-256)."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from formcheck.errors import FormcheckError, SourceError
from formcheck.recorded import (
    RecordedValueError,
    file_hash,
    parse_recorded,
    recorded_words,
    recording_time,
)
from formcheck.recording.format import RecordingHeader

UTC = timezone.utc
MTIME = datetime(2026, 10, 3, 17, 45, 12, tzinfo=UTC)  # what os.utime gives the test files
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def berlin(time_zone) -> None:
    """Local time is Europe/Berlin (UTC+1 in winter) for the duration of the test."""
    time_zone("Europe/Berlin")


def _video(path: Path, metadata: dict[str, str] | None = None) -> Path:
    """A three-frame 32×32 H.264 video written with PyAV, with these container metadata tags;
    its modification time is set to MTIME."""
    import av

    with av.open(str(path), "w") as container:
        container.metadata.update(metadata or {})
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for _ in range(3):
            frame = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    os.utime(path, (MTIME.timestamp(), MTIME.timestamp()))
    return path


def _recording(path: Path, created: str) -> Path:
    """A landmark recording whose header says ``created``, modification time MTIME."""
    header = RecordingHeader(source="set.mp4", fps=30.0, resolution_wh=(640, 480), created=created)
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(header.to_json()) + "\n")
    os.utime(path, (MTIME.timestamp(), MTIME.timestamp()))
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("auto", None),
        (" AUTO ", None),
        ("2026-11-28", datetime(2026, 11, 27, 23, 0, tzinfo=UTC)),  # local midnight, UTC+1
        ("2026-11-28T10:15", datetime(2026, 11, 28, 9, 15, tzinfo=UTC)),
        ("2026-11-28 10:15:30", datetime(2026, 11, 28, 9, 15, 30, tzinfo=UTC)),
        ("2026-07-01T10:15", datetime(2026, 7, 1, 8, 15, tzinfo=UTC)),  # summer: UTC+2
        ("2026-11-28T10:15Z", datetime(2026, 11, 28, 10, 15, tzinfo=UTC)),
        ("2026-11-28t10:15z", datetime(2026, 11, 28, 10, 15, tzinfo=UTC)),
        ("2026-11-28T10:15+01:00", datetime(2026, 11, 28, 9, 15, tzinfo=UTC)),
        ("2026-11-28T10:15:00-0500", datetime(2026, 11, 28, 15, 15, tzinfo=UTC)),
        ("2026-12-02T11:00Z", datetime(2026, 12, 2, 11, 0, tzinfo=UTC)),  # within a day of now
    ],
)
def test_recorded_values_are_auto_or_iso_local_unless_they_say_otherwise(berlin, text, expected):
    assert parse_recorded(text, now=NOW) == expected


ACCEPTED = (
    "expected auto, a date (2026-11-28) or a date and time (2026-11-28T10:15, local time unless "
    "it ends in Z or an offset such as +01:00)"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("yesterday", f"{ACCEPTED}, got 'yesterday'"),
        ("28/11/2026", f"{ACCEPTED}, got '28/11/2026'"),
        ("20261128", f"{ACCEPTED}, got '20261128'"),
        ("2026-W48", f"{ACCEPTED}, got '2026-W48'"),
        ("2026-11-28T10", f"{ACCEPTED}, got '2026-11-28T10'"),
        ("", f"{ACCEPTED}, got ''"),
        ("2026-02-30", "'2026-02-30' is not a real date or time (day is out of range for month)"),
        ("2026-12-03", "'2026-12-03' is in the future; give the day the set was filmed, or auto"),
    ],
)
def test_anything_else_is_one_line_naming_the_accepted_forms(berlin, text, message):
    with pytest.raises(RecordedValueError) as info:
        parse_recorded(text, now=NOW)
    assert str(info.value) == message
    assert isinstance(info.value, ValueError) and isinstance(info.value, FormcheckError)
    assert info.value.exit_code == 2


def test_a_video_is_dated_by_its_container_creation_time(tmp_path):
    path = _video(tmp_path / "set.mp4", {"creation_time": "2026-11-28T10:15:00.000000Z"})
    assert recording_time(path) == (datetime(2026, 11, 28, 10, 15, tzinfo=UTC), "container")


def test_a_naive_header_time_is_utc_not_local(berlin, tmp_path):
    path = _recording(tmp_path / "set.jsonl", "2026-11-20 08:00:00")
    assert recording_time(path) == (datetime(2026, 11, 20, 8, 0, tzinfo=UTC), "container")


@pytest.mark.parametrize(
    "metadata",
    [
        None,  # nothing said
        {"creation_time": "1970-01-01T00:00:00Z"},  # a clock never set
        {"creation_time": "2099-01-01T00:00:00Z"},  # in the future
    ],
    ids=["none", "unset-clock", "future"],
)
def test_without_a_believable_creation_time_a_video_is_dated_by_its_modification_time(
    tmp_path, metadata
):
    path = _video(tmp_path / "set.mkv", metadata)
    assert recording_time(path) == (MTIME, "file")


def test_a_recording_is_dated_by_its_header(tmp_path):
    for name in ("set.jsonl.gz", "set.jsonl"):
        path = _recording(tmp_path / name, "2026-11-25T10:00:00+00:00")
        assert recording_time(path) == (datetime(2026, 11, 25, 10, 0, tzinfo=UTC), "container")


@pytest.mark.parametrize("created", ["", "sometime", "1904-01-01T00:00:00+00:00"])
def test_a_recording_without_a_header_time_is_dated_by_its_modification_time(tmp_path, created):
    path = _recording(tmp_path / "set.jsonl.gz", created)
    assert recording_time(path) == (MTIME, "file")


def test_a_file_ffmpeg_cannot_open_is_dated_by_its_modification_time(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"not really a picture")
    os.utime(path, (MTIME.timestamp(), MTIME.timestamp()))
    assert recording_time(path) == (MTIME, "file")


def test_a_missing_file_is_one_line(tmp_path):
    with pytest.raises(SourceError, match=r"^.*gone\.mp4: cannot read its recording date .*"):
        recording_time(tmp_path / "gone.mp4")


@pytest.mark.parametrize(
    ("recorded_from", "kind", "words"),
    [
        ("container", "video", "from the video's metadata"),
        ("container", "recording", "from the recording's header"),
        ("given", "video", "given by hand"),
        ("file", "video", "from the file's modification time"),
        ("analysed", "live", "live"),
        ("analysed", "video", "when it was analysed; the filming date is unknown"),
    ],
)
def test_where_the_date_came_from_in_words(recorded_from, kind, words):
    assert recorded_words(recorded_from, kind) == words


def test_file_hash_is_the_sha256_of_the_bytes_read_in_chunks(tmp_path):
    small = tmp_path / "abc"
    small.write_bytes(b"abc")
    assert file_hash(small) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    big = tmp_path / "big"
    data = bytes(range(256)) * (3 * 4096 + 7)  # 3 MiB and a bit: several chunks
    big.write_bytes(data)
    assert file_hash(big) == hashlib.sha256(data).hexdigest()
    with pytest.raises(SourceError, match="cannot read it to hash it"):
        file_hash(tmp_path / "missing")
