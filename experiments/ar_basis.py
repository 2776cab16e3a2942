"""Development (not run by the pipeline): which basis should the autoregressive track model write a track in?

`TrackAR` models 8 coefficients per coordinate. In the DCT basis, keeping 8 of 16 coefficients bends a parabola: the
cosines cannot end a quadratic cleanly, and the kept track rings at its ends (its mean second difference 0.47 px
against 0.38 for the training parabolas themselves; 05's basis table). The first 8 discrete Legendre polynomials hold
a quadratic exactly. Here `TrackAR`s are trained as 05 trains them (the training split's tracks and the run's cached
stream tracks, the validation split's as validation) with each `--configs` entry (`train_track_ar` kwargs), drawn by
the run's track model with the run's decoding, and scored by `VideoFidelity` on seed sets 700, 1700, ... (never
published) against the large test set.
"""
import argparse, json, time
import numpy as np, pandas as pd, torch
from trajnb.dataset import tracks_of, estimate_background
from trajnb.generate import train_track_ar, load_track_ar
from _common import judge_setup, VideoFidelity

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--configs', default='[{"basis": "legendre"}]', help='list of train_track_ar kwargs (steps, d_model, n_layers default to 05 full)')
ap.add_argument('--n_per_class', type=int, default=100)
ap.add_argument('--sets', type=int, default=2)
ap.add_argument('--refs', type=int, default=10)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--save', default=None, help='a directory to save each trained model in (track_ar_<i>.pt)')
ap.add_argument('--load', default='', help='comma-separated saved TrackAR files to score as well (no training)')
ap.add_argument('--first_set', type=int, default=0, help='the first seed set (700 + 1000 * set)')
ap.add_argument('--split', default='val', choices=('val', 'test'), help="the AR model's validation tracks, and the copy threshold's held-out videos")
a = ap.parse_args()
run, ds, big, judge, feat, g, dec = judge_setup(a)
V = VideoFidelity(run, ds, big, g, feat, a.n_per_class, a.refs, a.split)
tr, va = ds.indices('train'), ds.indices(a.split)
bg = estimate_background(ds.videos[tr])
with np.load(run / 'stream_tracks.npz') as z: st, sl = z['tracks'], z['labels']
train_t, train_y = np.concatenate([tracks_of(ds.videos[tr], bg), st]), np.concatenate([ds.labels[tr], sl])
val = (tracks_of(ds.videos[va], bg), ds.labels[va])
rows = [dict(config='real (floor)', **V.floor)]; print(rows[-1], flush=True)
sets = [700 + 1000 * s for s in range(a.first_set, a.first_set + a.sets)]
for off in sets: rows.append(dict(config="run's own", seeds=off, **V.score(off, **dec))); print(rows[-1], flush=True)
for f in filter(None, a.load.split(',')):
    g.motion = load_track_ar(f).eval()
    for off in sets: rows.append(dict(config=f, seeds=off, **V.score(off, **dec))); print(rows[-1], flush=True)
for k, cfg in enumerate(json.loads(a.configs)):
    cfg = dict(dict(steps=3000, d_model=96, n_layers=3), **cfg)
    t0 = time.time(); m, hist = train_track_ar(train_t, train_y, val=val, **cfg); secs = time.time() - t0
    if a.save: from trajnb.generate import save_track_ar; save_track_ar(m, f'{a.save}/track_ar_{k}.pt')
    g.motion = m.eval()
    for off in sets:
        rows.append(dict(config=json.dumps(cfg), seeds=off, train_s=round(secs), val_ce=round(hist[-1]['val_loss'], 3), **V.score(off, **dec)))
        print(rows[-1], flush=True)
print(pd.DataFrame(rows).round(3).to_string(index=False))
