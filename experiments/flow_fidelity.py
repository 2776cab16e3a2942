"""Development (not run by the pipeline): how well does the two-point track flow reproduce the motion of real tracks,
measured where the pixel judge looks (positions, velocities, accelerations)?

`frechet_parts.py` found the learned generator's excess in both halves of the judge's features, and at the track level
the published flow's velocities and accelerations are far from real ones. Here flows are trained on the run's
training-split tracks and the first `--n_train` of its cached further stream tracks (`stream_tracks.npz`, ball and
shadow), and scored against held-out stream tracks of the same cache (never trained on here; none near a validation
or test path): the reference is the next `--n_ref` tracks, the floor the `--n_ref` after those (real vs real). Each
flow draws as many tracks as the floor holds, with the floor's labels. Reported: the Frechet distance over all 64
coordinates and over the ball's velocities and accelerations and the shadow's offset from the ball, and
`path_ratio`, the mean path length of the ball relative to the reference's (below 1: the flow's balls travel less).
Also the floor's own tracks kept to 8, 12 and 16 DCT coefficients: what the representation alone loses.
"""
import argparse, json, time
import numpy as np, pandas as pd, torch
from trajnb.generate import train_track_flow
from _common import load_run, finite as fin, path_len as path, StreamFidelity

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--n_train', type=int, default=7000)
ap.add_argument('--n_ref', type=int, default=1400)
ap.add_argument('--configs', default='[{"steps": 10000}]', help='list of train_track_flow kwargs, + "sample_steps"')
ap.add_argument('--draws', type=int, default=2)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--own', action='store_true', help="also: the run's saved flow against the last 3,000 stream tracks it was trained on, per class, at --noise_scales")
ap.add_argument('--noise_scales', default='[1.0, 1.05, 1.1]', help='sd of the starting noise when sampling (1: as trained)')
ap.add_argument('--split', default='val', choices=('val', 'test'), help='unused: the reference is held-out stream tracks')
a = ap.parse_args()
run, ds, _ = load_run(a, test_set=False)
S = StreamFidelity(run, ds, a.n_train, a.n_ref)
st, sl, train_t, train_y, flo_t, flo_y, score = S.st, S.sl, S.train_t, S.train_y, S.flo_t, S.flo_y, S.score
if a.own:                                      # does the published flow shrink even the tracks it learned from? Quantiles of path length, flow / real
    from trajnb.generate import load_track_flow
    own = load_track_flow(run / 'learned_generator' / 'track_flow.pt'); ot_, oy = st[-3000:], sl[-3000:]; ok = fin(ot_); ot_, oy = ot_[ok], oy[ok]
    for tau in json.loads(a.noise_scales):
        smp = [own.sample(torch.as_tensor(oy[i:i + 500]), seed=5 + i, noise_scale=tau).numpy() for i in range(0, len(oy), 500)]
        ps, pr = path(np.concatenate(smp)), path(ot_)
        print(f'noise sd {tau}: path length flow/real at quantiles 0.1, 0.5, 0.9 per class',
              {c: [round(float(np.quantile(ps[oy == c], q) / np.quantile(pr[oy == c], q)), 3) for q in (0.1, 0.5, 0.9)] for c in range(4)}, flush=True)
rows = [dict(config='floor: held-out real tracks', **score(flo_t))]; print(rows[-1], flush=True)
from trajnb.generate import TrackFlow
for k in (8, 12, 16):                          # what the flow's representation alone loses: the floor's tracks kept to k DCT coefficients
    tf = TrackFlow(n_coef=k, points=2); x = flo_t[fin(flo_t)]
    rows.append(dict(config=f'floor kept to {k} DCT coefficients', **score(tf.denorm(tf.norm(x)).numpy()))); print(rows[-1], flush=True)
for cfg in json.loads(a.configs):
    cfg = dict(cfg); ss = cfg.pop('sample_steps', [32]); t0 = time.time()
    flow, hist = train_track_flow(train_t, train_y, **cfg); secs = time.time() - t0
    for n_steps in ss:
        for d in range(a.draws):
            s = torch.cat([flow.sample(torch.as_tensor(flo_y[i:i + 500]), seed=100 * d + i, n_steps=n_steps) for i in range(0, len(flo_y), 500)]).numpy()
            rows.append(dict(config=json.dumps(cfg), sample_steps=n_steps, draw=d, train_s=round(secs), loss=round(hist[-1]['train_loss'], 4), **score(s)))
            print(rows[-1], flush=True)
print(pd.DataFrame(rows).to_string(index=False))
