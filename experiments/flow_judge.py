"""Development (not run by the pipeline): does a track flow that shrinks the motion less bring the learned generator
closer to real videos in the pixel judge's features?

`flow_fidelity.py` found one flow setting that halves the shrinkage of the ball's path (at the track level). Here a
flow of `--config` (train_track_flow kwargs) is trained as 05 trains its own (the training split's ball and shadow
tracks and the run's cached further stream tracks, `stream_tracks.npz`), put in place of the run's flow in its learned
generator (same track model, same decoding), and both generators draw `--sets` seed sets of `--n_per_class` videos a
class (seed offsets 700, 1700, ...: validation-style seeds, never published), scored against the same `--refs` random
reference sets of large-test-set videos (05's `frechet_references`; the floor is a second real set). Also each set's
mean ball speed (px a frame), real videos' for reference.
"""
import argparse, copy, json, time
import numpy as np, pandas as pd
from trajnb.dataset import CLASSES, tracks_of, estimate_background, ball_centroid
from trajnb.generate import frechet_references, train_track_flow, train_track_ar
from _common import judge_setup

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--config', default='{"steps": 30000, "width": 256, "depth": 6, "batch_size": 256, "lr": 0.001}')
ap.add_argument('--kind', default='flow', choices=('flow', 'ar'), help="the alternative track model: a `TrackFlow` or a `TrackAR` (--config: train_track_ar's kwargs)")
ap.add_argument('--n_per_class', type=int, default=100)
ap.add_argument('--sets', type=int, default=2)
ap.add_argument('--refs', type=int, default=10)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--split', default='val', choices=('val', 'test'), help='unused: the large test set is the reference, as in 05')
a = ap.parse_args()
run, ds, big, judge, feat, base, dec = judge_setup(a); k = a.n_per_class
tr = ds.indices('train'); bg = estimate_background(ds.videos[tr])
with np.load(run / 'stream_tracks.npz') as z: st, sl = z['tracks'], z['labels']
t0 = time.time()
flow, _ = (train_track_flow if a.kind == 'flow' else train_track_ar)(np.concatenate([tracks_of(ds.videos[tr], bg), st]), np.concatenate([ds.labels[tr], sl]), **json.loads(a.config))
print(f'{a.kind} {a.config} trained in {time.time() - t0:.0f} s', flush=True)
alt = copy.copy(base); alt.motion = flow.eval()
speed = lambda v: float(np.nanmean(np.linalg.norm(np.diff(ball_centroid(v), axis=1), axis=-1)))
sets, speeds = {}, {'real': speed(big.videos[:400])}
for name, g in [('run flow', base), ('alternative flow', alt)]:
    for s in range(a.sets):
        off = 700 + 1000 * s
        vids = [(g.tok.decode(g.sample_ids(c, k, seed=off + i, **dec)).clamp(0, 1).numpy() * 255).astype(np.uint8) for i, c in enumerate(CLASSES)]
        sets[f'{name}, seeds {off}'] = np.concatenate([feat(v) for v in vids]); speeds[f'{name}, seeds {off}'] = speed(np.concatenate(vids))
        print(list(sets)[-1], 'sampled', flush=True)
rows, summary = frechet_references(sets, feat(big.videos), big.labels, k, n_ref=a.refs, fractions=(1.0,), seed=0)
tab = pd.DataFrame(summary).T[['fd', 'sd', 'lo', 'hi']].assign(speed_px=pd.Series(speeds))
print(tab.round(3).to_string())
