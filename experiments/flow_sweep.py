"""Development (not run by the pipeline): the track flow's own sweep, scored on tracks alone (cheap).

The learned generator's Frechet gap is mostly its tracks (`frechet_diag.py`, `flow_data.py`). Here the flow is
trained with each setting on the 840 training tracks plus `--more` further training videos' ball tracks (none near
a val/test path nor a path of the large test set), and 400 sampled tracks (100 per class) are compared with the
validation split's measured tracks by a Frechet distance over the 32 track coordinates, per class and pooled; the
floor is the training tracks against the same validation tracks.
"""
import argparse, json, time
import numpy as np, torch
from trajnb.core import run_path
from trajnb.dataset import CLASSES, get_dataset, get_test_set, more_training_map
from trajnb.generate import video_tracks, train_track_flow, frechet_distance

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--more', type=int, default=10000)
ap.add_argument('--configs', default='[{}]', help='list of train_track_flow kwargs (+ n_more, sample_steps)')
ap.add_argument('--threads', type=int, default=1)
ap.add_argument('--split', default='val', choices=('val', 'test'), help='the tracks compared against (default val)')
a = ap.parse_args()
torch.set_num_threads(a.threads)
run = run_path(a.run); ds = get_dataset(run); big = get_test_set(run)
tr, va = ds.indices('train'), ds.indices(a.split)
fin = lambda t: np.isfinite(t).reshape(len(t), -1).all(1)
tr_t, va_t = video_tracks(ds.videos[tr]).numpy(), video_tracks(ds.videos[va]).numpy()
tr_y, va_y = ds.labels[tr], ds.labels[va]
t0 = time.time()
res = more_training_map(ds, a.more, lambda m: (video_tracks(m.videos).numpy(), m.labels), exclude=big.points)
mt = np.concatenate([r[0] for r in res]) if res else np.zeros((0, 16, 2), np.float32); ml = np.concatenate([r[1] for r in res]) if res else np.zeros(0, int)
print(f'{len(mt)} more tracks in {time.time() - t0:.0f} s', flush=True)
def fd_tracks(x, y) -> dict:
    "Pooled and per-class Frechet distances of tracks x (labels y) to the validation tracks."
    x, y = x[fin(x)], y[fin(x)]; v, vy = va_t[fin(va_t)], va_y[fin(va_t)]
    out = dict(fd=frechet_distance(x.reshape(len(x), -1), v.reshape(len(v), -1)))
    for i, c in enumerate(CLASSES): out[c[:4]] = frechet_distance(x[y == i].reshape((y == i).sum(), -1), v[vy == i].reshape((vy == i).sum(), -1))
    return out
rows = [dict(config='floor: training tracks', **fd_tracks(tr_t, tr_y))]
print(rows[-1], flush=True)
for cfg in json.loads(a.configs):
    cfg = dict(cfg); n_more = cfg.pop('n_more', a.more); sstep = cfg.pop('sample_steps', 32); t0 = time.time()
    flow, hist = train_track_flow(np.concatenate([tr_t, mt[:n_more]]), np.concatenate([tr_y, ml[:n_more]]), **cfg)
    secs = time.time() - t0
    lab = np.repeat(np.arange(4), 100)
    s = torch.cat([flow.sample(torch.full((100,), i), seed=70 + i, n_steps=sstep) for i in range(4)]).numpy()
    rows.append(dict(config=json.dumps(dict(n_more=n_more, sample_steps=sstep, **cfg)), train_s=round(secs), **fd_tracks(s, lab)))
    print(rows[-1], flush=True)
import pandas as pd
print(pd.DataFrame(rows).round(3).to_string(index=False))
