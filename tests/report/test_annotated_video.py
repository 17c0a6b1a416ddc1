"""--annotate: an H.264 MP4 that browsers play, one frame per analysed frame."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from report_files import load_report

from formcheck.errors import OutputError
from formcheck.render.video import AnnotatedVideoWriter
from formcheck.report import AnalysisJob, run_job


def test_annotated_video_of_a_recording(samples, tmp_path):
    out = tmp_path / "cat-cow"
    outcome = run_job(
        AnalysisJob(str(samples / "cat-cow.jsonl.gz"), "cat-cow", str(out), annotate=True)
    )
    assert outcome.status == "ok", outcome.error
    report = load_report(out)
    assert report["outputs"]["annotated_video"] == "annotated.mp4"
    cap = cv2.VideoCapture(str(out / "annotated.mp4"))
    frames, banner = 0, []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        if frames == 100:
            assert image.shape == (540, 960, 3)
            assert image[:, :, 1].max() > 150  # the green skeleton (and the HUD) are drawn
        bottom = image[-10:].reshape(-1, 3).mean(axis=0)
        if np.abs(bottom - (48, 44, 40)).max() > 30:  # not the plain background: a cue
            banner.append(frames / 30.0)  # the sample is 30 fps from t = 0
        frames += 1
    cap.release()
    assert frames == report["input"]["frames"] == 360
    # the shallow cat of rep 2 is cued when the rep is confirmed (its end, debounced by the
    # 0.2 s min_phase_s) for about 2 s, and nothing else is
    rep2 = report["reps"][1]
    assert rep2["faults"][0]["fault"] == "partial_range"
    assert rep2["end_s"] <= banner[0] <= rep2["end_s"] + 0.3
    assert 1.9 <= banner[-1] - banner[0] <= 2.6 and len(banner) == pytest.approx(69, abs=8)
    assert not list(out.glob(".*"))  # no temporary file left behind


def test_the_video_is_h264_a_browser_plays_from_the_start(samples, tmp_path):
    """H.264 in yuv420p (what every browser decodes) with the index before the data
    ("faststart": a page can seek before the whole file has loaded)."""
    import av

    out = tmp_path / "cat-cow"
    job = AnalysisJob(str(samples / "cat-cow.jsonl.gz"), "cat-cow", str(out), annotate=True)
    assert run_job(job).status == "ok"
    path = out / "annotated.mp4"
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert stream.average_rate == 30
        assert sum(1 for _ in container.decode(stream)) == 360
    data = path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")


def test_a_portrait_picture_is_drawn_in_a_16_9_video_with_the_overlay_beside_it(tmp_path):
    """A 360x640 portrait set: the video is 1138x640, the person in the middle 360 px and the
    counter in the bar to its left at the size it has over a landscape video, as the live
    window draws a portrait picture full screen (not a third of the picture covered)."""
    from formcheck.engine import load_exercise
    from formcheck.engine.selftest import build_case
    from formcheck.recording import RecordingHeader, RecordingWriter
    from formcheck.render.video import video_size
    from formcheck.synth import Camera, render

    assert video_size((360, 640)) == (1138, 640)
    assert video_size((1080, 1920)) == (1920, 1080)
    assert video_size((1280, 720)) == (1280, 720) and video_size((65, 49)) == (64, 48)
    bird_dog = load_exercise("bird-dog")
    script = build_case(bird_dog, bird_dog.selftest.cases[0])
    camera = Camera(azimuth_deg=90, resolution_wh=(360, 640))
    frames = render(script, camera, fps=30.0)[:240]
    path = tmp_path / "portrait.jsonl.gz"
    header = RecordingHeader("mannequin, portrait", 30.0, (360, 640), "synthetic")
    with RecordingWriter(path, header) as writer:
        for frame in frames:
            writer.write(frame)
    out = tmp_path / "portrait"
    job = AnalysisJob(str(path), "bird-dog", str(out), annotate=True)
    assert run_job(job).status == "ok"
    cap = cv2.VideoCapture(str(out / "annotated.mp4"))
    for _ in range(200):
        ok, image = cap.read()
        assert ok
    cap.release()
    assert image.shape == (640, 1138, 3)
    left, right = (1138 - 360) // 2, (1138 + 360) // 2  # the picture's columns
    green = np.all(np.abs(image.astype(int) - (90, 220, 90)) < 25, axis=2)  # the skeleton
    cols = np.flatnonzero(green[260:].any(axis=0))  # under the counter and the hold bar
    assert cols.size and left - 2 <= cols.min() and cols.max() <= right + 2
    white = (image[:200, :left].min(axis=2) > 230).sum()  # the counter's digits, in the bar
    assert white > 500


def test_writer_refuses_an_unwritable_folder(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write"):
        AnnotatedVideoWriter(blocker / "v.mp4", 30, (64, 48))


def test_an_interrupted_video_keeps_its_frames(tmp_path):
    path = tmp_path / "v.mp4"
    with pytest.raises(KeyboardInterrupt), AnnotatedVideoWriter(path, 10, (65, 49)) as video:
        for _ in range(7):
            video.write(np.zeros((49, 65, 3), np.uint8))
        raise KeyboardInterrupt
    cap = cv2.VideoCapture(str(path))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 7
    assert (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (64, 48)
