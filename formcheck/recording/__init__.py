"""Landmark recordings: save the pose stream to a file and replay it anywhere a video goes."""

from formcheck.recording.format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    RecordingHeader,
    RecordingSource,
    RecordingWriter,
    is_recording_path,
    read_recording,
)

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "RecordingHeader",
    "RecordingSource",
    "RecordingWriter",
    "is_recording_path",
    "read_recording",
]
