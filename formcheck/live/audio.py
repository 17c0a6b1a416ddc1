"""Optional sound: a short beep on each rep and at a reached hold, spoken cues.

Nothing here is required: a beep is a tiny WAV played by ``paplay`` or ``aplay`` (whichever
exists), speech goes through ``espeak-ng`` (or ``espeak``), each as a subprocess that is never
waited for. Without a player, a speech engine or a sound device the session runs silently,
after one notice. At most one utterance plays at a time: a cue that arrives while another is
spoken waits in a one-slot buffer (a newer one replaces it; one left waiting too long is
dropped), as frames do.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np

__all__ = ["Audio", "tone_wav"]

_PLAYERS = (("paplay", ()), ("aplay", ("-q",)))
_SPEAKERS = (("espeak-ng", ("-s", "165")), ("espeak", ("-s", "165")))
_TONES = {"rep": ((880.0, 0.09),), "hold": ((1320.0, 0.07), (1760.0, 0.11))}
_SPEECH_STALE_S = 2.5  # a waiting cue older than this is not spoken any more


def tone_wav(notes: tuple[tuple[float, float], ...], rate_hz: int = 22050) -> bytes:
    """A mono 16-bit WAV of ``(frequency_hz, duration_s)`` notes, with soft edges."""
    parts = []
    for freq_hz, dur_s in notes:
        t = np.arange(int(rate_hz * dur_s)) / rate_hz
        ramp = np.minimum(1.0, np.minimum(t, dur_s - t) / 0.01)  # 10 ms fade in and out
        parts.append(0.4 * np.sin(2 * math.pi * freq_hz * t) * ramp)
    pcm = (np.concatenate(parts) * 32767).astype("<i2").tobytes()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate_hz)
        w.writeframes(pcm)
    return buf.getvalue()


class Audio:
    """Beeps and speech through external players; degrades to silence, never raises.

    ``notify`` receives the one-line notices (no player found, a player failed). ``which``
    and ``popen`` stand in for :func:`shutil.which` and :class:`subprocess.Popen` in tests.
    """

    def __init__(
        self,
        *,
        speech: bool = True,
        notify: Callable[[str], None] | None = None,
        which: Callable[[str], str | None] = shutil.which,
        popen: Callable[..., subprocess.Popen] = subprocess.Popen,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._notify = notify or (lambda _msg: None)
        self._popen = popen
        self._clock = clock
        self._players = [(exe, args) for name, args in _PLAYERS if (exe := which(name))]
        self._speakers = (
            [(exe, args) for name, args in _SPEAKERS if (exe := which(name))] if speech else []
        )
        self._beep: subprocess.Popen | None = None
        self._speech: subprocess.Popen | None = None
        self._waiting: tuple[str, float] | None = None
        self._dir: Path | None = None
        self._wavs: dict[str, Path] = {}
        missing = []
        if not self._players:
            missing.append("no beeps (neither paplay nor aplay found)")
        if speech and not self._speakers:
            missing.append("no spoken cues (espeak-ng not found)")
        if missing:
            self._notify("audio: " + "; ".join(missing))

    @property
    def can_beep(self) -> bool:
        return bool(self._players)

    @property
    def can_speak(self) -> bool:
        return bool(self._speakers)

    def beep(self, kind: str = "rep") -> None:
        """A short tone: ``"rep"`` (one note) or ``"hold"`` (two rising notes)."""
        self.poll()
        if not self._players or (self._beep is not None and self._beep.poll() is None):
            return  # a beep still playing: one is enough
        exe, args = self._players[0]
        self._beep = self._start([exe, *args, str(self._wav(kind))], self._players, "beeps")

    def say(self, text: str) -> None:
        """Speak ``text`` now, or as soon as the current utterance ends."""
        if not self._speakers:
            return
        self._waiting = (text, self._clock())
        self.poll()

    def poll(self) -> None:
        """Notice finished players (a failure switches that sound off); start waiting speech.
        Call it once per frame."""
        if self._beep is not None and (code := self._beep.poll()) is not None:
            self._beep = None
            if code != 0:
                self._give_up(self._players, "beeps")
        if self._speech is not None and (code := self._speech.poll()) is not None:
            self._speech = None
            if code != 0:
                self._give_up(self._speakers, "spoken cues")
        if self._speech is None and self._waiting is not None and self._speakers:
            text, since = self._waiting
            self._waiting = None
            if self._clock() - since <= _SPEECH_STALE_S:
                exe, args = self._speakers[0]
                self._speech = self._start([exe, *args, text], self._speakers, "spoken cues")

    def close(self) -> None:
        """Stop speaking (the processes this object started) and remove the WAV files."""
        self._waiting = None
        for proc in (self._speech, self._beep):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=1.0)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self._speech = self._beep = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
            self._wavs.clear()

    # -- pieces --------------------------------------------------------------------------
    def _wav(self, kind: str) -> Path:
        if kind not in self._wavs:
            if self._dir is None:
                self._dir = Path(tempfile.mkdtemp(prefix="formcheck-audio-"))
            path = self._dir / f"{kind}.wav"
            path.write_bytes(tone_wav(_TONES[kind]))
            self._wavs[kind] = path
        return self._wavs[kind]

    def _start(
        self, argv: list[str], tools: list[tuple[str, tuple[str, ...]]], what: str
    ) -> subprocess.Popen | None:
        try:
            return self._popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        except OSError:
            self._give_up(tools, what)
            return None

    def _give_up(self, tools: list[tuple[str, tuple[str, ...]]], what: str) -> None:
        """The first tool failed (no sound device, no server): try the next, else go quiet."""
        failed = Path(tools.pop(0)[0]).name if tools else "?"
        if tools:
            return
        if tools is self._players and self._speakers:
            # espeak-ng exits 0 even when it has no device to play on, so a player that found
            # none is the only sign: the same sound system would fail speech too
            self._speakers.clear()
            self._waiting = None
            what = "sound"
        self._notify(f"audio: {failed} failed (no sound device?); continuing without {what}")
