"""Development (not run by the pipeline): which half of the pixel judge's features carries the learned generator's
Frechet excess, and what differs in the ball's motion?

The judge's feature vector is two halves: a 3D CNN over the frames, and an MLP over the ball's image track measured
from the pixels (positions, velocities x4, accelerations x8). For `--sets` seed sets of the learned generator (seed
offsets 700, 1700, ...: validation-style, never published; the run's own decoding) and a real floor set, the Frechet
distance against `--refs` random real reference sets is computed on the whole vector and on each half, and against
the rest of the large test set with the part of it that is a shift of the mean. Then the
motion itself: the mean size of the measured track's second differences (`track_roughness`) and of its velocity, for
real videos, the generated videos and the flow's own tracks (what the renderer was asked to follow), and how far the
rendered ball lands from the track it was asked to follow.
"""
import argparse
import numpy as np, pandas as pd, torch
from trajnb.dataset import CLASSES, ball_centroid, tracks_of, estimate_background
from trajnb.generate import frechet_distance, track_roughness, maskgit_decode
from _common import judge_setup

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--n_per_class', type=int, default=100)
ap.add_argument('--sets', type=int, default=2)
ap.add_argument('--refs', type=int, default=10)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--along', action='store_true', help="also draw the floor set's own tracks, raw and kept to the flow's DCT coefficients")
ap.add_argument('--split', default='val', choices=('val', 'test'), help='unused: the large test set is the reference, as in 05')
a = ap.parse_args()
run, ds, big, judge, feat, g, dec = judge_setup(a); k = a.n_per_class
real = feat(big.videos); half = real.shape[1] // 2
rng = np.random.default_rng(0)
def balanced(exclude=()):
    return np.concatenate([rng.choice(np.setdiff1d(np.flatnonzero(big.labels == i), exclude), k, replace=False) for i in range(4)])
floor_idx = balanced()
sets, motion = {'real (floor)': real[floor_idx]}, {'real videos': ball_centroid(big.videos[floor_idx])}
follow = []
if a.along:                                    # the renderer along the floor set's own tracks: raw, and smoothed as the flow represents them
    bg = estimate_background(ds.videos[ds.indices('train')]); P = g.motion.cfg['points']
    real_tr = torch.from_numpy(tracks_of(big.videos[floor_idx], bg if P > 1 else None)); real_tr = real_tr.squeeze(2) if P == 1 else real_tr
    shrink = lambda t, f: t.mean(1, keepdim=True) + f * (t - t.mean(1, keepdim=True))   # the motion about its mean position, scaled by f
    for name, tr in [('along real tracks', real_tr), (f"along real tracks kept to {g.motion.cfg['n_coef']} DCT coefficients", g.motion.denorm(g.motion.norm(real_tr))),
                     ('along real tracks, motion x0.95', shrink(real_tr, 0.95)), ('along real tracks, motion x0.90', shrink(real_tr, 0.90))]:
        ids = torch.cat([maskgit_decode(g.model, torch.as_tensor(big.labels[floor_idx[i:i + 100]]), seed=950 + i, track=tr[i:i + 100], **{**g.defaults, **dec})
                         for i in range(0, len(floor_idx), 100)])
        v = g.tok.decode(ids.view(-1, *g.tok.grid)).clamp(0, 1); sets[name] = feat(v); motion[name] = ball_centroid((v.numpy() * 255).astype(np.uint8))
        print('drawn', name, flush=True)
for s in range(a.sets):
    off = 700 + 1000 * s; fs, vids, asked = [], [], []
    for i, c in enumerate(CLASSES):
        ids, tr = g.sample(c, k, seed=off + i, **dec)
        v = g.tok.decode(ids).clamp(0, 1); fs.append(feat(v)); vids.append(ball_centroid((v.numpy() * 255).astype(np.uint8)))
        asked.append(tr[:, :, 0] if tr.ndim == 4 else tr)
    sets[f'learned seeds {off}'] = np.concatenate(fs)
    m, t = np.concatenate(vids), np.concatenate(asked)
    motion[f'learned videos {off}'], motion[f'flow tracks {off}'] = m, t
    follow.append(np.nanmean(np.linalg.norm(m - t, axis=-1)))
    print('sampled', off, flush=True)
rows = []
for r in range(a.refs):
    ref = balanced(exclude=floor_idx)
    for name, x in sets.items():
        rows.append(dict(set=name, ref=r, whole=frechet_distance(x, real[ref]), cnn=frechet_distance(x[:, :half], real[ref, :half]),
                         track=frechet_distance(x[:, half:], real[ref, half:])))
tab = pd.DataFrame(rows).groupby('set')[['whole', 'cnn', 'track']].agg(['mean', 'std'])
print(tab.round(2).to_string())
rest = real[np.setdiff1d(np.arange(len(real)), floor_idx)]    # each set against the rest of the large test set: how much is a shift of the mean?
def mean_term(x, y): return float(((x.mean(0) - y.mean(0))**2).sum())
print(pd.DataFrame({n: dict(cnn=frechet_distance(x[:, :half], rest[:, :half]), cnn_mean_term=mean_term(x[:, :half], rest[:, :half]),
                            track=frechet_distance(x[:, half:], rest[:, half:]), track_mean_term=mean_term(x[:, half:], rest[:, half:]))
                    for n, x in sets.items()}).T.round(2).to_string())
mo = pd.DataFrame({n: dict(roughness_px=np.nanmean(track_roughness(t)),
                            speed_px=np.nanmean(np.linalg.norm(np.diff(t, axis=1), axis=-1)),
                            missing_frac=float(np.mean(~np.isfinite(t).all(-1)))) for n, t in motion.items()}).T
print(mo.round(3).to_string())
print('renderer following error (px, measured ball vs flow track):', np.round(follow, 3))
