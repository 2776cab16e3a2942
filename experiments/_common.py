"""Shared setup of the track-model experiments; not a script itself.

`flow_eval.py` and `flow_sweep.py`: the arguments they share (`--run`, `--more`, `--configs`, `--threads`), loading
the run, the further stream tracks and the per-class Frechet distances of tracks. `flow_fidelity.py` and
`track_ar.py`: `StreamFidelity`, held-out cached stream tracks as reference and floor. `flow_judge.py` and
`frechet_parts.py`: `judge_setup`, the run's pixel judge and learned generator. Each script adds its own `--split`: `tests/test_experiments.py`
reads a script's split from the script's own code, so no helper here adds one or names a split.
"""
import argparse, json
import numpy as np, torch
from trajnb.core import run_path
from trajnb.dataset import CLASSES, get_dataset, get_test_set, more_training_videos, tracks_of, estimate_background
from trajnb.generate import video_tracks, frechet_distance, get_generator, get_pixel_judge, judge_apply

def flow_parser(more_help:str=None, configs_help:str=None) -> argparse.ArgumentParser:
    "A parser with the arguments the flow experiments share; the script adds its own."
    ap = argparse.ArgumentParser()
    ap.add_argument('--run', default='runs/full')
    ap.add_argument('--more', type=int, default=10000, help=more_help)
    ap.add_argument('--configs', default='[{}]', help=configs_help)
    ap.add_argument('--threads', type=int, default=1)
    return ap

def load_run(a, test_set:bool=True) -> tuple:
    "torch's threads set from `a.threads`; (run directory, its dataset, its large test set or None) of `a.run`."
    torch.set_num_threads(a.threads)
    run = run_path(a.run)
    return run, get_dataset(run), get_test_set(run) if test_set else None

def judge_setup(a) -> tuple:
    "`load_run`, then the run's pixel judge, its feature map, its learned generator and that generator's decoding: (run, ds, big, judge, feat, gen, decoding)."
    run, ds, big = load_run(a)
    judge = get_pixel_judge(run, len(ds)); feat = lambda v: judge_apply(judge, v, 'features').numpy()
    gen = get_generator(run, len(ds), 0, kind='learned')
    return run, ds, big, judge, feat, gen, json.loads((run / 'learned_generator' / 'decoding.json').read_text())

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

def track_parts(t) -> dict:
    "Two-point tracks (N,16,2,2) -> flat features: all coordinates, the ball's velocities and accelerations, the shadow's offset from the ball."
    ball, sh = t[:, :, 0], t[:, :, 1]; f = lambda x: x.reshape(len(x), -1)
    return dict(all=f(t), ball_vel=f(np.diff(ball, axis=1)), ball_acc=f(np.diff(ball, 2, axis=1)), offset=f(sh - ball))

def path_len(t) -> np.ndarray:
    "The ball's path length (px) of each track (N,16,2,2)."
    return np.linalg.norm(np.diff(t[:, :, 0], axis=1), axis=-1).sum(1)

class StreamFidelity:
    "A run's cached stream tracks (`stream_tracks.npz`, ball and shadow) split into training tracks (the training split's and the first `n_train` cached ones: `train_t`, `train_y`), a held-out reference (the next `n_ref`, finite rows) and a floor (the `n_ref` after those: `flo_t`, `flo_y`); `score` compares tracks with the reference."
    def __init__(self, run, ds, n_train:int, n_ref:int):
        with np.load(run / 'stream_tracks.npz') as z: self.st, self.sl = z['tracks'], z['labels']
        st, sl, tr = self.st, self.sl, ds.indices('train')
        self.bg = estimate_background(ds.videos[tr])
        self.train_t = np.concatenate([tracks_of(ds.videos[tr], self.bg), st[:n_train]]); self.train_y = np.concatenate([ds.labels[tr], sl[:n_train]])
        ref_t, ref_y = st[n_train:n_train + n_ref], sl[n_train:n_train + n_ref]
        ok = finite(ref_t); self.ref_t, self.ref_y = ref_t[ok], ref_y[ok]
        self.flo_t, self.flo_y = st[n_train + n_ref:n_train + 2 * n_ref], sl[n_train + n_ref:n_train + 2 * n_ref]
        self.R = track_parts(self.ref_t)

    def score(self, t, y=None) -> dict:
        "Frechet distances of `t`'s finite rows' `track_parts` to the reference's, the mean path ratio, and with labels `y` the median path ratio per class."
        ok = finite(t); t = t[ok]; P = track_parts(t)
        out = {k: round(frechet_distance(P[k], self.R[k]), 3) for k in self.R}
        out['path_ratio'] = round(path_len(t).mean() / path_len(self.ref_t).mean(), 3)
        if y is not None:
            y = y[ok]; out.update({f'path_{c}': round(float(np.median(path_len(t[y == c])) / np.median(path_len(self.ref_t[self.ref_y == c]))), 3) for c in range(4)})
        return out
