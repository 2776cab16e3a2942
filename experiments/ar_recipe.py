"""Development (not run by the pipeline): the training recipe of the autoregressive track model, TrackAR.

05 trains `TrackAR` at a constant learning rate and returns the EMA of its weights, so that a checkpoint at step s is
a model trained s steps (the compute curve). The curve still falls at 6,000 steps, and those steps cost 12 min on the
EPYC (123 ms a step, batch 128 of 32 coefficients, width 96, 3 blocks), more on AVX2. Two questions, each asked by
training `--configs` entries (`train_track_ar` kwargs) as 05 trains the model (the training split's and the run's cached
stream tracks; the validation split's tracks as validation, cross-entropy at `--eval_at` steps):
- a warmup-stable-decay schedule (the last 30% of the steps taking the rate linearly to 0) often reaches in N steps
  what a constant rate reaches in about 2N. Measured with a `decay` option of `fit_averaged` that no longer exists:
  at 3,000 steps it gave validation cross-entropy 3.514 against 3.499 at a constant rate (the EMA already averages
  the late weights). Not adopted; the option was removed.
- torch.profiler puts a third of a training step in `aten::bernoulli_`: dropout's random masks (CPU random numbers
  cost about 2 ns each, 4 masks a block). `{"dropout": 0.0}` asks what dropout buys. On the run's 10,839 tracks,
  without dropout: validation cross-entropy 4.70, 4.03, 3.49, 3.47, 3.54, 3.65, 3.78 at 500, 1,000, 2,000 ... 6,000
  steps (overfitting after 3,000; with dropout 0.1 the run's model reached 3.425 at 6,000). With `--more 30000`
  stream tracks and no dropout: 4.11, 3.46, 3.33, 3.27, 3.24, 3.215 at 1,000 ... 6,000 steps, in 447 s (1.6x faster
  a step). Its videos were no closer: Frechet 5.02, 7.39, 8.82, 7.23, 6.51, 7.73 on seed sets 700 to 5,700 (mean
  7.12) against the run's own AR's 4.33, 6.21, 6.70, 7.07, 7.59, 7.49 (mean 6.57; floor 2.89; 100 videos a class),
  a difference of 0.8 standard errors of the seed spread, while its tracks are closer to real stream tracks in every
  class. Trained on for 9,000 steps (708 s): cross-entropy 3.328, 3.215, 3.172 at 3,000, 6,000, 9,000 steps, and its
  videos no closer either: 4.14, 8.36, 9.09, 5.93, 7.36, 8.56 (mean 7.24; copy rate 6.3%). The seed sets are paired
  across models (the same seed draws the same random numbers, so a set's luck is shared): set by set the 6,000-step
  model is 0.55 further (se 0.44), and with the renderer on 6,000 further videos (`renderer_data.py`) 0.61 further
  (se 0.43). Not adopted (2026-12-08): 05 keeps dropout 0.1 on 10,839 tracks (`ar_dropout`, `flow_more`).
`--motion_temps` scores `--load`ed models at other sampling temperatures of the AR (`LearnedGenerator.motion_temperature`).
Each trained model is drawn by the run's track model with the run's decoding and scored by `VideoFidelity` against a
large *validation* set (`make_test_set` on a stream of its own, `--val_seed`, none near the run's dataset; never the
published test set), on seed sets 700, 1700, ... (never published); `--sets 0` skips that.
"""
import argparse, json, time
import numpy as np, pandas as pd, torch
from trajnb.dataset import tracks_of, estimate_background, get_test_set, more_training_tracks
from trajnb.generate import train_track_ar, load_track_ar, save_track_ar
from _common import VideoFidelity, judge_setup, val_stream_set

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--configs', default='[{"dropout": 0.0}]', help='list of train_track_ar kwargs (steps, d_model, n_layers default to 05 full)')
ap.add_argument('--n_per_class', type=int, default=100)
ap.add_argument('--sets', type=int, default=1)
ap.add_argument('--refs', type=int, default=10)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--val_seed', type=int, default=777, help='the seed of the large validation set (a stream of its own; not the run seed)')
ap.add_argument('--n_val', type=int, default=1200)
ap.add_argument('--more', type=int, default=0, help="further stream tracks instead of the run's cached ones (e.g. 30000; cached in the run directory)")
ap.add_argument('--eval_at', default='500,1000,2000,3000,4000,5000')
ap.add_argument('--save', default=None, help='a directory to save each trained model in (track_ar_<i>.pt)')
ap.add_argument('--load', default='', help="comma-separated saved TrackAR files to score as well (no training); 'run' for the run's own")
ap.add_argument('--motion_temps', default='1.0', help="comma-separated sampling temperatures of the AR model for the --load models (LearnedGenerator's motion_temperature)")
ap.add_argument('--split', default='val', choices=('val', 'test'), help="the AR model's validation tracks, and the copy threshold's held-out videos")
a = ap.parse_args()
run, ds, _, judge, feat, g, dec = judge_setup(a, test_set=False)        # the Frechet references come from `vs`, not the large test set
vs = val_stream_set(run, ds, a.val_seed, a.n_val)
V = VideoFidelity(run, ds, vs, g, feat, a.n_per_class, a.refs, a.split)
tr, va = ds.indices('train'), ds.indices(a.split)
bg = estimate_background(ds.videos[tr])
if a.more: st, sl = more_training_tracks(ds, a.more, bg, exclude=get_test_set(run).points, cache=run / f'experiments_stream_tracks_{a.more}.npz')
else:
    with np.load(run / 'stream_tracks.npz') as z: st, sl = z['tracks'], z['labels']
print(f'{len(st)} stream tracks', flush=True)
train_t, train_y = np.concatenate([tracks_of(ds.videos[tr], bg), st]), np.concatenate([ds.labels[tr], sl])
val = (tracks_of(ds.videos[va], bg), ds.labels[va])
rows = [dict(config='real (floor)', **V.floor)]; print(rows[-1], flush=True)
sets = [700 + 1000 * s for s in range(a.sets)]
for f in filter(None, a.load.split(',')):
    if f != 'run': g.motion = load_track_ar(f).eval()
    mt0 = g.motion_temperature
    for mt in map(float, a.motion_temps.split(',')):
        g.motion_temperature = mt
        for off in sets: rows.append(dict(config=f, motion_temperature=mt, seeds=off, **V.score(off, **dec))); print(rows[-1], flush=True)
    g.motion_temperature = mt0
eval_at = {int(s) for s in a.eval_at.split(',')}
for k, cfg in enumerate(json.loads(a.configs)):
    cfg = dict(dict(steps=3000, d_model=96, n_layers=3), **cfg)
    t0 = time.time(); m, hist = train_track_ar(train_t, train_y, val=val, eval_at=eval_at, **cfg); secs = time.time() - t0
    print(json.dumps(cfg), 'val CE by step:', {h['step']: round(h['val_loss'], 3) for h in hist}, f'{secs:.0f} s', flush=True)
    if a.save: save_track_ar(m, f'{a.save}/track_ar_{k}.pt')
    g.motion = m.eval()
    for off in sets:
        rows.append(dict(config=json.dumps(cfg), seeds=off, train_s=round(secs), val_ce=round(hist[-1]['val_loss'], 3), **V.score(off, **dec)))
        print(rows[-1], flush=True)
print(pd.DataFrame(rows).round(3).to_string(index=False))
