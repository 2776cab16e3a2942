"""Development (not run by the pipeline): does an autoregressive track model reproduce the ball's motion without the
flow's shrinkage?

The published track flow (`TrackFlow`) draws balls that travel 3-8% less than real ones (`flow_fidelity.py`), and
that shows in the pixel judge's features. An autoregressive model of the same 32 numbers (8 DCT coefficients of the
ball's and the shadow's u and v) has no reason to shrink: it is fitted by maximum likelihood, one coefficient at a
time given the ones before (low frequencies first), each quantised to `--bins` bins at its training quantiles, and
sampled at temperature 1 (uniform within the bin). Trained and scored as `flow_fidelity.py` scores flows (the same
training tracks, held-out reference and floor), with the validation split's tracks as its validation set.
"""
import argparse, json, time
import numpy as np, pandas as pd, torch
from trajnb.core import run_path
from trajnb.dataset import get_dataset, tracks_of, estimate_background
from trajnb.generate import frechet_distance, train_track_ar

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--n_train', type=int, default=7000)
ap.add_argument('--n_ref', type=int, default=1400)
ap.add_argument('--configs', default='[{"steps": 4000}]', help='list of train_track_ar kwargs')
ap.add_argument('--draws', type=int, default=2)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--split', default='val', choices=('val', 'test'), help="the AR model's validation tracks (held-out stream tracks are the reference)")
a = ap.parse_args()
torch.set_num_threads(a.threads)
run = run_path(a.run); ds = get_dataset(run)
with np.load(run / 'stream_tracks.npz') as z: st, sl = z['tracks'], z['labels']
tr = ds.indices('train'); bg = estimate_background(ds.videos[tr])
train_t = np.concatenate([tracks_of(ds.videos[tr], bg), st[:a.n_train]]); train_y = np.concatenate([ds.labels[tr], sl[:a.n_train]])
va = ds.indices(a.split); val = (tracks_of(ds.videos[va], bg), ds.labels[va])
ref_t, ref_y = st[a.n_train:a.n_train + a.n_ref], sl[a.n_train:a.n_train + a.n_ref]
flo_t, flo_y = st[a.n_train + a.n_ref:a.n_train + 2 * a.n_ref], sl[a.n_train + a.n_ref:a.n_train + 2 * a.n_ref]
fin = lambda t: np.isfinite(t).reshape(len(t), -1).all(1)
ok = fin(ref_t); ref_t, ref_y = ref_t[ok], ref_y[ok]
def parts(t) -> dict:
    ball, sh = t[:, :, 0], t[:, :, 1]; f = lambda x: x.reshape(len(x), -1)
    return dict(all=f(t), ball_vel=f(np.diff(ball, axis=1)), ball_acc=f(np.diff(ball, 2, axis=1)), offset=f(sh - ball))
path = lambda x: np.linalg.norm(np.diff(x[:, :, 0], axis=1), axis=-1).sum(1)
R = parts(ref_t)
def score(t, y=None) -> dict:
    ok = fin(t); t = t[ok]; P = parts(t)
    out = {k: round(frechet_distance(P[k], R[k]), 3) for k in R}
    out['path_ratio'] = round(path(t).mean() / path(ref_t).mean(), 3)
    if y is not None:                                    # per class: median path length against the reference's
        y = y[ok]; out.update({f'path_{c}': round(float(np.median(path(t[y == c])) / np.median(path(ref_t[ref_y == c]))), 3) for c in range(4)})
    return out
rows = [dict(config='floor: held-out real tracks', **score(flo_t, flo_y))]; print(rows[-1], flush=True)
for cfg in json.loads(a.configs):
    t0 = time.time(); m, hist = train_track_ar(train_t, train_y, val=val, eval_at=set(range(0, 100001, 1000)), **cfg); secs = time.time() - t0
    print(json.dumps(cfg), f'{secs:.0f} s', [(h['step'], round(h['train_loss'], 3), round(h.get('val_loss', np.nan), 3)) for h in hist], flush=True)
    for d in range(a.draws):
        s = torch.cat([m.sample(torch.as_tensor(flo_y[i:i + 500]), seed=100 * d + i) for i in range(0, len(flo_y), 500)]).numpy()
        rows.append(dict(config=json.dumps(cfg), draw=d, train_s=round(secs), val=round(hist[-1].get('val_loss', np.nan), 4), **score(s, flo_y)))
        print(rows[-1], flush=True)
print(pd.DataFrame(rows).to_string(index=False))
