"""Shared setup of the track-flow experiments (`flow_eval.py`, `flow_sweep.py`); not a script itself.

The arguments they share (`--run`, `--more`, `--configs`, `--threads`), loading the run, the further stream tracks
and the per-class Frechet distances of tracks. Each script adds its own `--split`: `tests/test_experiments.py`
reads a script's split from the script's own code, so no helper here adds one or names a split.
"""
import argparse
import numpy as np, torch
from trajnb.core import run_path
from trajnb.dataset import CLASSES, get_dataset, get_test_set, more_training_videos
from trajnb.generate import video_tracks, frechet_distance

def flow_parser(more_help:str=None, configs_help:str=None) -> argparse.ArgumentParser:
    "A parser with the arguments the flow experiments share; the script adds its own."
    ap = argparse.ArgumentParser()
    ap.add_argument('--run', default='runs/full')
    ap.add_argument('--more', type=int, default=10000, help=more_help)
    ap.add_argument('--configs', default='[{}]', help=configs_help)
    ap.add_argument('--threads', type=int, default=1)
    return ap

def load_run(a) -> tuple:
    "torch's threads set from `a.threads`; (run directory, its dataset, its large test set) of `a.run`."
    torch.set_num_threads(a.threads)
    run = run_path(a.run)
    return run, get_dataset(run), get_test_set(run)

def finite(t) -> np.ndarray:
    "Bool (N,): the rows of tracks `t` (N,...) without a NaN."
    return np.isfinite(t).reshape(len(t), -1).all(1)

def stream_tracks(ds, n:int, start:int, exclude, chunk:int=2000) -> tuple:
    "(ball tracks (n',16,2) px, labels) of the further training videos `start`..`start+n-1` of `ds`'s stream (00's `more_training_videos`: none near a val/test path nor a path in `exclude`), read from their pixels, rendered `chunk` at a time."
    out = [(video_tracks(m.videos).numpy(), m.labels)
           for m in (more_training_videos(ds, min(chunk, start + n - s), start=s, exclude=exclude) for s in range(start, start + n, chunk))]
    if not out: return np.zeros((0, 16, 2), np.float32), np.zeros(0, int)
    return np.concatenate([o[0] for o in out]), np.concatenate([o[1] for o in out])

def frechet_by_class(x, y, ref, ref_y, **pooled) -> dict:
    "Frechet distances over the 32 track coordinates of tracks `x` (labels `y`; rows with a NaN dropped) to the finite tracks `ref` (labels `ref_y`): pooled (`fd`), then pooled to each further reference in `pooled`, then per class (first 4 letters)."
    x, y = x[finite(x)], y[finite(x)]
    flat = lambda t: t.reshape(len(t), -1)
    out = dict(fd=frechet_distance(flat(x), flat(ref)), **{k: frechet_distance(flat(x), flat(r)) for k, r in pooled.items()})
    for i, c in enumerate(CLASSES): out[c[:4]] = frechet_distance(flat(x[y == i]), flat(ref[ref_y == i]))
    return out
