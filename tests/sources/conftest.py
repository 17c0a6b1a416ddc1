"""Test videos made on the fly: known frame count, known timestamps, each frame showing its index.

Every picture carries its frame number as 8 vertical bars (white = bit set, lowest bit on the
left), wide enough to survive lossy coding, so a test can check frame order from pixels alone.
"""

from __future__ import annotations

import fractions
import struct
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import pytest

BITS = 8
BAR_W = 16
CODE_H = 32


def draw_index(index: int, width: int = BITS * BAR_W, height: int = CODE_H) -> np.ndarray:
    """A BGR picture whose first ``BITS * BAR_W`` columns encode ``index`` in binary."""
    image = np.zeros((height, width, 3), np.uint8)
    for bit in range(BITS):
        if index >> bit & 1:
            image[:, bit * BAR_W : (bit + 1) * BAR_W] = 255
    return image


def marker_picture(width: int = 96, height: int = 128) -> np.ndarray:
    """An upright picture: black, with a white square in the top-left corner."""
    image = np.zeros((height, width, 3), np.uint8)
    image[:32, :32] = 255
    return image


class VideoFactory:
    """Writes test videos into one temporary folder."""

    draw_index = staticmethod(draw_index)
    marker_picture = staticmethod(marker_picture)

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def index_of(image: np.ndarray) -> int:
        """Read back the index drawn by :func:`draw_index`."""
        bars = image[:, : BITS * BAR_W].reshape(image.shape[0], BITS, BAR_W, 3)
        levels = bars.mean(axis=(0, 2, 3))
        return int(sum(1 << bit for bit in range(BITS) if levels[bit] > 128))

    def cfr(
        self,
        name: str,
        n_frames: int,
        fps: float,
        *,
        fourcc: str = "mp4v",
        first_index: int = 0,
        size_wh: tuple[int, int] = (BITS * BAR_W, CODE_H),
    ) -> Path:
        """A constant-frame-rate video written by ``cv2.VideoWriter``."""
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, size_wh)
        assert writer.isOpened(), f"cannot write {path} with {fourcc}"
        try:
            for i in range(n_frames):
                writer.write(draw_index(first_index + i, *size_wh))
        finally:
            writer.release()
        return path

    def with_pyav(
        self,
        name: str,
        times_s: Sequence[float],
        *,
        options: dict[str, str] | None = None,
        rotation_ccw: int | None = None,
        pictures: Sequence[np.ndarray] | None = None,
    ) -> Path:
        """A video with explicit presentation times (ms precision), written by PyAV."""
        av = pytest.importorskip("av")
        path = self.folder / name
        time_base = fractions.Fraction(1, 1000)
        pics = pictures if pictures is not None else [draw_index(i) for i in range(len(times_s))]
        with av.open(str(path), "w", options=options or {}) as out:
            stream = out.add_stream("mpeg4", rate=25)
            stream.width, stream.height = pics[0].shape[1], pics[0].shape[0]
            stream.pix_fmt = "yuv420p"
            stream.time_base = time_base
            stream.codec_context.time_base = time_base
            if rotation_ccw is not None:
                if not hasattr(stream, "set_display_rotation"):
                    pytest.skip("this PyAV cannot write a display rotation")
                stream.set_display_rotation(rotation_ccw)
            for t_s, pic in zip(times_s, pics, strict=True):
                frame = av.VideoFrame.from_ndarray(pic, format="bgr24")
                frame.pts = round(t_s * 1000)
                frame.time_base = time_base
                for packet in stream.encode(frame):
                    out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)
        return path

    def rotated(self, name: str, rotation_cw: int, n_frames: int = 3) -> Path:
        """An MP4 whose stored frames are turned, with a track matrix that turns them back.

        The stored picture is :func:`marker_picture` rotated ``rotation_cw`` degrees
        anticlockwise, as a phone held upright stores it; the ``tkhd`` matrix written by
        ``cv2.VideoWriter`` (identity) is patched to a ``rotation_cw`` clockwise turn, as
        phones write it.
        """
        undo = {
            90: cv2.ROTATE_90_COUNTERCLOCKWISE,
            180: cv2.ROTATE_180,
            270: cv2.ROTATE_90_CLOCKWISE,
        }
        stored = cv2.rotate(marker_picture(), undo[rotation_cw])
        path = self.folder / name
        height, width = stored.shape[:2]
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (width, height))
        for _ in range(n_frames):
            writer.write(stored)
        writer.release()
        patch_track_rotation(path, rotation_cw)
        return path

    def cut(self, source: Path, name: str, fraction: float) -> Path:
        """A copy of ``source`` holding only its first ``fraction`` of bytes."""
        data = source.read_bytes()
        path = self.folder / name
        path.write_bytes(data[: int(len(data) * fraction)])
        return path


_ONE, _MINUS_ONE = 0x00010000, 0xFFFF0000  # 16.16 fixed point
_MATRIX_CW = {  # (a, b, c, d) of the tkhd matrix for a clockwise display rotation
    0: (_ONE, 0, 0, _ONE),
    90: (0, _ONE, _MINUS_ONE, 0),
    180: (_MINUS_ONE, 0, 0, _MINUS_ONE),
    270: (0, _MINUS_ONE, _ONE, 0),
}


def patch_track_rotation(path: Path, rotation_cw: int) -> None:
    """Rewrite the 3x3 matrix of the only ``tkhd`` box in an MP4 file."""
    data = bytearray(path.read_bytes())
    at = data.find(b"tkhd")
    assert at > 0 and data.find(b"tkhd", at + 1) < 0, "expected exactly one track header"
    version = data[at + 4]
    # after 'tkhd': version+flags, times, track id, reserved, duration, reserved, layer, ...
    offset = at + (44 if version == 0 else 56)
    old = struct.unpack(">9I", data[offset : offset + 36])
    assert old == (_ONE, 0, 0, 0, _ONE, 0, 0, 0, 0x40000000), f"unexpected matrix {old}"
    a, b, c, d = _MATRIX_CW[rotation_cw]
    data[offset : offset + 36] = struct.pack(">9I", a, b, 0, c, d, 0, 0, 0, 0x40000000)
    path.write_bytes(bytes(data))


@pytest.fixture
def videos(tmp_path: Path) -> VideoFactory:
    return VideoFactory(tmp_path)


class _SpyCapture:
    """Wraps ``cv2.VideoCapture`` and remembers whether each capture was released."""

    real = cv2.VideoCapture
    made: list[_SpyCapture] = []

    def __init__(self, *args: object) -> None:
        self._cap = self.real(*args)
        self.released = False
        self.made.append(self)

    def release(self) -> None:
        self.released = True
        self._cap.release()

    def __getattr__(self, name: str) -> object:
        return getattr(self._cap, name)


@pytest.fixture
def capture_spy(monkeypatch: pytest.MonkeyPatch) -> list[_SpyCapture]:
    """Every ``cv2.VideoCapture`` made during the test, each with a ``released`` flag."""
    made: list[_SpyCapture] = []
    monkeypatch.setattr(_SpyCapture, "made", made)
    monkeypatch.setattr(cv2, "VideoCapture", _SpyCapture)
    return made
