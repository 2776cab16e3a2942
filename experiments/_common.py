"""Shared setup of the track-model experiments; not a script itself.

`flow_eval.py` and `flow_sweep.py`: the arguments they share (`--run`, `--more`, `--configs`, `--threads`), loading
the run, the further stream tracks and the per-class Frechet distances of tracks. `flow_fidelity.py` and
`track_ar.py`: `StreamFidelity`, held-out cached stream tracks as reference and floor. `flow_judge.py` and
`frechet_parts.py`: `judge_setup`, the run's pixel judge and learned generator. `ar_temperature.py` and
`ar_basis.py`: `VideoFidelity`, a learned generator's videos scored as 05 scores them. Each script adds its own `--split`: `tests/test_experiments.py`
reads a script's split from the script's own code, so no helper here adds one or names a split.
"""
import argparse, json
import numpy as np, torch
from trajnb.core import run_path
import time
from trajnb.dataset import CLASSES, get_dataset, get_test_set, more_training_videos, tracks_of, estimate_background, ball_centroid, make_test_set, save_dataset, load_dataset
from trajnb.generate import video_tracks, frechet_distance, get_generator, get_pixel_judge, judge_apply, track_roughness, small, nn_dist
from trajnb.tokenizer import get_tokens

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

def judge_setup(a, test_set:bool=True) -> tuple:
    "`load_run` (without the large test set, `big` None, unless `test_set`), then the run's pixel judge, its feature map, its learned generator and that generator's decoding: (run, ds, big, judge, feat, gen, decoding)."
    run, ds, big = load_run(a, test_set)
    judge = get_pixel_judge(run, len(ds)); feat = lambda v: judge_apply(judge, v, 'features').numpy()
    gen = get_generator(run, len(ds), 0, kind='learned')
    return run, ds, big, judge, feat, gen, json.loads((run / 'learned_generator' / 'decoding.json').read_text())

def val_stream_set(run, ds, seed:int, n:int):
    "A large validation set of a stream of its own (`make_test_set(n, seed)`, none near `ds`; never the published test set), cached in the run directory."
    vp = run / f'experiments_val_set_{seed}_{n}.npz'
    if vp.exists(): return load_dataset(vp)
    t0 = time.time(); vs = make_test_set(n, seed, ds.camera, exclude=ds); save_dataset(vs, vp)
    print(f'validation set made in {time.time() - t0:.0f} s', flush=True)
    return vs

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

class VideoFidelity:
    "How close a learned generator's videos are to real ones, as 05 judges them: the Frechet distance (whole pixel-judge vector and each half) to `n_refs` random balanced real reference sets of `n_per_class` per class from the large test set `big`, a floor set disjoint from them, the copy rate against the training split (05's threshold: the 5th percentile of the `split` videos' distance to it), and the mean second difference (`track_roughness`) of the drawn ball and of the track it was asked to follow."
    def __init__(self, run, ds, big, gen, feat, n_per_class:int=100, n_refs:int=10, split:str='val'):
        self.gen, self.feat, self.k = gen, feat, n_per_class
        self.real = feat(big.videos); self.half = self.real.shape[1] // 2
        rng = np.random.default_rng(0)
        balanced = lambda excl=(): np.concatenate([rng.choice(np.setdiff1d(np.flatnonzero(big.labels == i), excl), n_per_class, replace=False) for i in range(4)])
        self.floor_idx = balanced(); self.refs = [balanced(self.floor_idx) for _ in range(n_refs)]
        ids_all = get_tokens(run, gen.tok, ds)
        rec = lambda idx: small(gen.tok.decode(torch.as_tensor(ids_all[idx])).clamp(0, 1))
        self.train_rec = rec(ds.indices('train')); self.tau = float(np.quantile(nn_dist(rec(ds.indices(split)), self.train_rec), 0.05))
        self.floor = dict(**self.fds(self.real[self.floor_idx]), roughness=float(np.nanmean(track_roughness(ball_centroid(big.videos[self.floor_idx])))))

    def fds(self, x) -> dict:
        "Frechet distances of features `x` to the references, averaged: whole vector, CNN half, track half."
        h = self.half
        return {p: float(np.mean([frechet_distance(x[:, s], self.real[r][:, s]) for r in self.refs]))
                for p, s in (('whole', slice(None)), ('cnn', slice(0, h)), ('track', slice(h, None)))}

    def score(self, offset:int, **dec) -> dict:
        "The generator's `n_per_class` videos a class from seeds `offset + class`, decoded with `dec`, scored."
        fs, vids, asked, near = [], [], [], []
        for i, c in enumerate(CLASSES):
            ids, tr = self.gen.sample(c, self.k, seed=offset + i, **dec)
            v = self.gen.tok.decode(ids).clamp(0, 1); fs.append(self.feat(v)); vids.append(ball_centroid((v.numpy() * 255).astype(np.uint8)))
            asked.append(tr[:, :, 0] if tr.ndim == 4 else tr); near.append(nn_dist(small(v), self.train_rec))
        asked, vids = np.concatenate(asked), np.concatenate(vids)
        rough = lambda t: [round(float(np.nanmean(track_roughness(t[i * self.k:(i + 1) * self.k]))), 3) for i in range(4)]
        return dict(**self.fds(np.concatenate(fs)), copy_rate=float((np.concatenate(near) < self.tau).mean()), copies_by_class=[int((n < self.tau).sum()) for n in near],
                    roughness=float(np.nanmean(track_roughness(vids))), asked_roughness=float(np.nanmean(track_roughness(asked))),
                    asked_by_class=rough(asked), path_px=float(np.nanmean(np.linalg.norm(np.diff(asked, axis=1), axis=-1).sum(1))))
