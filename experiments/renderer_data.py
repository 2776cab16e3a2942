"""Development (not run by the pipeline): is the learned generator's renderer short of training videos?

The learned generator's track model (the transformer that draws a video along a given ball-and-shadow track) is
fine-tuned on the 840 training videos of the dataset only. Its drawn balls follow fast, tight helices worst (1-2 px
off the asked track, against 0.5 px on average), and those videos are the ones furthest from every real video in the
pixel judge's track features. Here it is fine-tuned as 05 does (the run's transformer as the start, its settings) on
the training split plus `--more` further training videos of the dataset's stream (none near a held-out path or a
path of the large test set; encoded by the run's tokenizer), for `--epochs` epochs, and the learned generator (the
run's motion model and decoding) is scored with it by `VideoFidelity` on seed sets 700, 1700, ... (never published),
beside the run's own track model.
"""
import argparse, time, types
import numpy as np, pandas as pd, torch
from trajnb.dataset import tracks_of, estimate_background, more_training_videos
from trajnb.generate import train_track_model, load_generator
from trajnb.tokenizer import get_tokens
from trajnb.classify import video_ids
from _common import judge_setup, VideoFidelity

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--more', type=int, default=3000)
ap.add_argument('--epochs', type=int, default=2)
ap.add_argument('--n_per_class', type=int, default=100)
ap.add_argument('--sets', type=int, default=2)
ap.add_argument('--refs', type=int, default=10)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--out', default='/tmp/renderer_data', help='run directory of the fine-tuned track model')
ap.add_argument('--split', default='val', choices=('val', 'test'), help="the held-out videos of the copy threshold (the track model validates on val, as in 05)")
a = ap.parse_args()
run, ds, big, judge, feat, g, dec = judge_setup(a)
V = VideoFidelity(run, ds, big, g, feat, a.n_per_class, a.refs, a.split)
rows = [dict(renderer='real (floor)', **V.floor)]; print(rows[-1], flush=True)
for s in range(a.sets): rows.append(dict(renderer="run's own", seeds=700 + 1000 * s, **V.score(700 + 1000 * s, **dec))); print(rows[-1], flush=True)
t0 = time.time()
more = more_training_videos(ds, a.more, exclude=big.points)
more_ids = video_ids(g.tok, more.videos)
bg = estimate_background(ds.videos[ds.indices('train')])
ids = np.concatenate([get_tokens(run, g.tok, ds), more_ids]); tracks = np.concatenate([tracks_of(ds.videos, bg), tracks_of(more.videos, bg)])
split = np.concatenate([ds.split, more.split])                  # the track model validates on the val split, as in 05
both = types.SimpleNamespace(labels=np.concatenate([ds.labels, more.labels]), indices=lambda k: np.flatnonzero(split == k))
print(f'{len(more)} further videos rendered and encoded in {time.time() - t0:.0f} s', flush=True)
base = types.SimpleNamespace(model=load_generator(run / 'generator' / 'generator.pt'), tok=g.tok)
t0 = time.time()
fit = train_track_model(base, both, ids, a.out, epochs=a.epochs, n_val=64, name='track_model', tracks=tracks, progress=False)
secs = time.time() - t0; print(f'fine-tuned in {secs:.0f} s; validation loss {fit.history[-1].get("val_loss")}', flush=True)
g.model = fit.model
for s in range(a.sets):
    rows.append(dict(renderer=f'+{len(more)} videos, {a.epochs} epochs', seeds=700 + 1000 * s, train_s=round(secs), **V.score(700 + 1000 * s, **dec)))
    print(rows[-1], flush=True)
print(pd.DataFrame(rows).round(3).to_string(index=False))
