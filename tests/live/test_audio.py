"""Sound is optional: missing players, failing devices and chatty cues never break a session."""

from __future__ import annotations

import io
import wave

from formcheck.live import Audio
from formcheck.live.audio import tone_wav


class FakeProc:
    def __init__(self, argv, code):
        self.argv, self.code, self.done, self.terminated = argv, code, False, False

    def poll(self):
        return self.code if self.done else None

    def terminate(self):
        self.terminated, self.done = True, True

    def wait(self, timeout=None):
        return self.code

    def kill(self):
        self.done = True


class FakePopen:
    """Records the commands run; each process ends when the test says so."""

    def __init__(self, codes=None):
        self.procs: list[FakeProc] = []
        self.codes = codes or {}

    def __call__(self, argv, **kwargs):
        proc = FakeProc(argv, self.codes.get(argv[0], 0))
        self.procs.append(proc)
        return proc

    def finish_all(self):
        for p in self.procs:
            p.done = True


def which_of(*present):
    return lambda name: f"/usr/bin/{name}" if name in present else None


def test_nothing_installed_one_notice_and_silence():
    notes: list[str] = []
    popen = FakePopen()
    audio = Audio(notify=notes.append, which=which_of(), popen=popen)
    audio.beep("rep")
    audio.say("Straighten your left knee")
    audio.poll()
    assert popen.procs == []
    assert len(notes) == 1 and "no beeps" in notes[0] and "no spoken cues" in notes[0]


def test_beep_plays_a_wav_and_skips_while_one_is_playing():
    popen = FakePopen()
    audio = Audio(which=which_of("aplay"), popen=popen, speech=False)
    audio.beep("rep")
    audio.beep("rep")  # the first is still playing
    assert len(popen.procs) == 1
    argv = popen.procs[0].argv
    assert argv[0] == "/usr/bin/aplay" and argv[-1].endswith("rep.wav")
    popen.finish_all()
    audio.beep("hold")
    assert len(popen.procs) == 2 and popen.procs[1].argv[-1].endswith("hold.wav")
    audio.close()


def test_a_failing_player_falls_back_then_goes_quiet_with_one_notice():
    notes: list[str] = []
    popen = FakePopen(codes={"/usr/bin/paplay": 1, "/usr/bin/aplay": 1})
    audio = Audio(notify=notes.append, which=which_of("paplay", "aplay"), popen=popen,
                  speech=False)  # fmt: skip
    for _ in range(4):
        audio.beep()
        popen.finish_all()
        audio.poll()
    assert [p.argv[0] for p in popen.procs] == ["/usr/bin/paplay", "/usr/bin/aplay"]
    assert len(notes) == 1 and "aplay failed" in notes[0]
    assert not audio.can_beep


def test_speech_one_at_a_time_newest_waiting_cue_wins():
    now = [0.0]
    popen = FakePopen()
    audio = Audio(which=which_of("espeak-ng"), popen=popen, clock=lambda: now[0])
    audio.say("one")
    audio.say("two")  # waits: "one" is speaking
    audio.say("three")  # replaces "two" in the waiting slot
    assert [p.argv[-1] for p in popen.procs] == ["one"]
    popen.finish_all()
    audio.poll()
    assert [p.argv[-1] for p in popen.procs] == ["one", "three"]
    audio.say("four")
    now[0] = 10.0  # too old by the time "three" ends: not spoken any more
    popen.finish_all()
    audio.poll()
    assert [p.argv[-1] for p in popen.procs] == ["one", "three"]


def test_close_stops_our_speech():
    popen = FakePopen()
    audio = Audio(which=which_of("espeak-ng"), popen=popen)
    audio.say("hello")
    audio.close()
    assert popen.procs[0].terminated


def test_popen_error_is_not_fatal():
    notes: list[str] = []

    def broken(argv, **kwargs):
        raise OSError("exec format error")

    audio = Audio(notify=notes.append, which=which_of("aplay", "espeak-ng"), popen=broken)
    audio.beep()
    audio.say("hi")
    assert not audio.can_beep and not audio.can_speak
    assert notes == ["audio: aplay failed (no sound device?); continuing without sound"]


def test_tone_is_a_short_wav():
    with wave.open(io.BytesIO(tone_wav(((880.0, 0.1),)))) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)
        assert w.getnframes() == 2205


def test_no_sound_device_silences_speech_too_with_one_notice():
    notes: list[str] = []
    popen = FakePopen(codes={"/usr/bin/aplay": 1})  # espeak-ng would exit 0 regardless
    audio = Audio(notify=notes.append, which=which_of("aplay", "espeak-ng"), popen=popen)
    audio.beep()
    popen.finish_all()
    audio.poll()
    audio.say("Straighten your left knee")
    audio.beep()
    assert [p.argv[0] for p in popen.procs] == ["/usr/bin/aplay"]
    assert notes == ["audio: aplay failed (no sound device?); continuing without sound"]
