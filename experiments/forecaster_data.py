"""Development (not run by the pipeline): is 06's learned track forecaster short of data or of steps?

06's `TrackForecaster` (an MLP over the ball's and the shadow's image tracks of frames 1-12) trains on the dataset's
840 training videos (x2 time-reversed). Its compute curve flattened near 0.6 px of ball error on frames 13-16. Here
it is trained on the same training tracks plus the tracks measured from the pixels of `--more` further training
videos of the dataset's stream (00's `more_training_videos`: split 'train', none near a held-out path), for each
budget of `--steps`, and scored on the `--split` videos (default: validation): the ball's and the shadow's mean
error (px) over frames 13-16 against the tracks measured in the true frames.
"""
import argparse, time
import numpy as np, torch
from trajnb.core import run_path
from trajnb.dataset import get_dataset, training_tracks
from trajnb.predict import (train_track_forecaster, track_error, more_training_tracks, estimate_background,
                            PAST_FRAMES)

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--more', type=int, nargs='+', default=[0, 3000, 10000, 20000], help='further training videos')
ap.add_argument('--steps', type=int, nargs='+', default=[5000, 20000], help='training steps')
ap.add_argument('--batch', type=int, default=64)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--split', default='val', choices=('val', 'test'), help='the videos scored (default val)')
a = ap.parse_args()
torch.set_num_threads(a.threads)
ds = get_dataset(run_path(a.run)); tr, ev = ds.indices('train'), ds.indices(a.split)
trk = training_tracks(ds).numpy()
bg = estimate_background(ds.videos[tr])
t0 = time.perf_counter(); extra, _ = more_training_tracks(ds, max(a.more), bg); t_more = time.perf_counter() - t0
print(f'{len(extra)} further training tracks in {t_more:.0f} s; scored on {len(ev)} {a.split} videos')
for n in a.more:
    for s in a.steps:
        fit = train_track_forecaster(trk, tr, ev, steps=s, batch_size=a.batch, seed=a.seed, extra=extra[:n])
        f = fit.model.forecast(trk[ev, :PAST_FRAMES])
        print(f'more={n:6d} steps={s:6d} batch={a.batch}: ball {track_error(f, trk[ev, PAST_FRAMES:]):.3f} px, '
              f'shadow {track_error(f[:, :, 1:], trk[ev, PAST_FRAMES:, 1:]):.3f} px, best step {fit.best_step}, '
              f'{fit.train_seconds:.0f} s', flush=True)
