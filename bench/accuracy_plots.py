"""Plots of the driving signal on real clips where formcheck miscounted (for the README).

    python bench/accuracy_plots.py CACHE_DIR [-o docs]

CACHE_DIR holds the landmark recordings that ``formcheck eval --cache`` made. An exercise that
reads the body's outline is not cached there; ``formcheck record CLIP -o CACHE_DIR/NAME.jsonl.gz``
records one (counting needs no outline). Only signals are drawn (feature values over time, the
engine's reps shaded, the person's rest level and where a rep's top begins): no frame of the
clips, which may not be redistributed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from formcheck.engine import Engine, load_exercise  # noqa: E402
from formcheck.eval.labels import default_clips_dir, read_labels  # noqa: E402
from formcheck.recording import read_recording  # noqa: E402

CLIPS = default_clips_dir()

# clip -> features to draw (the drive and what explains the miss)
CASES = {  # None: the exercise's driving feature
    "one-arm-row_side_1.mp4": None,
    "shrug_front_2.mp4": None,
    "superman_side_1.mp4": None,
}
LABELS = ("labels.csv", "labels-new.csv")


def plot_case(clip: str, features: list[str] | None, cache: Path, out: Path) -> Path:
    labels = [lb for name in LABELS for lb in read_labels(CLIPS / name)]
    label = next(lb for lb in labels if lb.file == clip)
    defn = load_exercise(label.exercise)
    rec = next(cache.glob(f"{Path(clip).stem}.*.jsonl.gz"))
    _, frames = read_recording(rec)
    engine = Engine(defn)
    names = features or sorted({defn.reps.drive.replace("{side}", s) for s in ("left", "right")})
    t, series = [], {n: [] for n in names}
    rest = {s: [] for s in engine.sides}  # the person's rest level and where a rep starts
    enter = {s: [] for s in engine.sides}
    extractor = engine.new_extractor()
    for f in frames:
        engine.update(extractor.update(f))
        t.append(f.t_s)
        for n in names:
            series[n].append(engine.values.get(n, float("nan")))
        for s in engine.sides:
            rest[s].append(engine.machine(s).rest)
            enter[s].append(engine.machine(s).enter)
    engine.finish()
    fig, ax = plt.subplots(figsize=(9, 3.2))
    for n in names:
        ax.plot(t, series[n], label=n, lw=1.4)
    for r in engine.reps:
        ax.axvspan(r.start_s, r.end_s, color="tab:green", alpha=0.15)
    drive = defn.reps.drive.split("{")[0]
    if any(n.startswith(drive) for n in names):  # the levels belong to the drawn drive
        for s in engine.sides:
            ax.plot(t, rest[s], color="grey", ls=":", lw=1)
            ax.plot(t, enter[s], color="grey", ls="--", lw=1)
    ax.set_title(f"{clip}: labelled {label.reps} reps, formcheck counted {len(engine.reps)}\n"
                 "green: counted reps; dotted: the person's rest; dashed: where a rep's top "
                 "begins", fontsize=9)  # fmt: skip
    ax.set_xlabel("time (s)")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    path = out / f"accuracy-{Path(clip).stem}.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cache", type=Path)
    ap.add_argument("-o", "--out", type=Path, default=Path("docs"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for clip, feats in CASES.items():
        print(plot_case(clip, feats, args.cache, args.out))


if __name__ == "__main__":
    main()
