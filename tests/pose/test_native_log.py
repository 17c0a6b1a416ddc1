"""MediaPipe's native log lines are kept off stderr, and nothing else is (issue 20, item 13a).

The end-to-end check (a real ``formcheck analyze`` in a subprocess) is in test_no_network.py;
these pin the filter and the redirection of file descriptor 2 without the model.
"""

from __future__ import annotations

import os
import sys

from formcheck.pose.landmarker import VERBOSE_ENV, _NativeStderr, _split_native

ABSL = (
    b"W0000 00:00:1796593082.093480   24829 landmark_projection_calculator.cc:81] Using NORM_RECT"
)
LITERT = [
    b"INFO: [environment.cc:36] Creating LiteRT environment with options",
    b"WARNING: [model_load.cc:402] Sparsity tensors may not yet be fully supported.",
    b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",
    b"WARNING: Logging before InitGoogle() is written to STDERR",
    b"E0000 00:00:1778098539.490043 26131921 portable_clearcut_uploader.cc:90] Failed to send",
    b"=== Source Location Trace: ===",
    b"wireless/android/play/playlog/cplusplus/portable_clearcut_uploader.cc:180",
]


def test_native_lines_are_split_from_the_rest() -> None:
    data = b"\n".join([b"formcheck: note: first", ABSL, *LITERT, b"last, unfinished"])
    rest, native = _split_native(data)
    assert rest == b"formcheck: note: first\nlast, unfinished"
    assert native == [line.decode() for line in [ABSL, *LITERT]]


def test_a_line_another_writer_left_unfinished_keeps_its_start() -> None:
    rest, native = _split_native(b"\x1b[2K 40% frames" + ABSL + b"\nnext\n")
    assert rest == b"\x1b[2K 40% frames" + b"next\n"
    assert native == [ABSL.decode()]


def test_ordinary_text_that_mentions_levels_is_kept() -> None:
    text = b"formcheck: error: INFO: is not an exercise\n  W0000 in a table\nnote.cc:12 ok\n"
    assert _split_native(text) == (text, [])


def test_descriptor_2_is_quiet_during_a_call_and_the_rest_is_passed_on(capfd) -> None:
    quiet = _NativeStderr()
    print("before", file=sys.stderr)
    with quiet():
        os.write(2, ABSL + b"\n")  # as native code writes: straight to the descriptor
        print("python, meanwhile", file=sys.stderr)
        os.write(2, LITERT[2] + b"\n")
    print("after", file=sys.stderr)
    with quiet():  # the scratch file is reused, and starts empty
        os.write(2, b"second call\n")
    quiet.close()
    assert capfd.readouterr().err == "before\npython, meanwhile\nafter\nsecond call\n"
    assert list(quiet.lines) == [ABSL.decode(), LITERT[2].decode()]


def test_an_exception_inside_still_restores_descriptor_2(capfd) -> None:
    quiet = _NativeStderr()
    try:
        with quiet():
            os.write(2, b"kept\n")
            raise RuntimeError("model failed")
    except RuntimeError:
        pass
    os.write(2, b"afterwards\n")
    quiet.close()
    assert capfd.readouterr().err == "kept\nafterwards\n"


def test_verbose_passes_the_native_lines_on(capfd, monkeypatch) -> None:
    """``formcheck --verbose`` sets the variable; then MediaPipe's own lines reach stderr."""
    from typer.testing import CliRunner

    from formcheck.cli.app import app

    monkeypatch.setenv(VERBOSE_ENV, "")  # put back as it was after the test
    assert CliRunner().invoke(app, ["--verbose", "models", "path"]).exit_code in (0, 1)
    assert os.environ.get(VERBOSE_ENV) == "1"  # the CLI sets what the adapter reads
    quiet = _NativeStderr()
    with quiet():
        os.write(2, ABSL + b"\nours\n")
    quiet.close()
    assert capfd.readouterr().err == ABSL.decode() + "\nours\n"
    assert list(quiet.lines) == [ABSL.decode()]
