"""Development (not run by the pipeline): is the learned generator's Frechet gap its motion, and does the track flow
learn it better from more training tracks?

`frechet_diag.py` found, on validation seeds against the validation split's real videos (30 per class, 05's pixel
judge): real training videos 5.26, their reconstructions 6.18, the renderer drawn along those videos' own tracks 7.05,
the published learned generator (the flow's tracks, the same renderer) 12.93. So most of the excess is the flow's
tracks. Here the flow is retrained on the 840 training tracks plus `--more` further training videos' ball tracks
(00's `more_training_videos`, none near a val/test path nor a path of the large test set; read from their pixels),
for `--steps`, and scored the same way: Frechet distance and class match of 30 videos per class (seeds 900+),
and a track-level Frechet distance (the tracks themselves, 32-d) of 400 flow tracks against the validation tracks.
"""
import argparse, json, time
import numpy as np, torch
from trajnb.core import run_path
from trajnb.dataset import CLASSES, get_dataset, get_test_set, more_training_videos
from trajnb.tokenizer import get_tokenizer
from trajnb.generate import (load_generator, load_pixel_judge, judge_apply, frechet_distance, LearnedGenerator,
                             video_tracks, train_track_flow)

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--configs', default='[[0,3000,128],[10000,3000,128],[10000,10000,128],[10000,10000,256]]', help='[n_more, steps, width(, n_coef)] each')
ap.add_argument('--n', type=int, default=30)
ap.add_argument('--threads', type=int, default=1)
ap.add_argument('--split', default='val', choices=('val', 'test'), help='the real videos compared against (default val)')
a = ap.parse_args()
torch.set_num_threads(a.threads)
run = run_path(a.run); ds = get_dataset(run); tok = get_tokenizer(run); big = get_test_set(run)
pj = load_pixel_judge(run/'pixel_judge'/'judge.pt'); tm = load_generator(run/'track_model'/'generator.pt')
tr, va = ds.indices('train'), ds.indices(a.split)
tr_t, va_t = video_tracks(ds.videos[tr]).numpy(), video_tracks(ds.videos[va]).numpy()
va_feat = judge_apply(pj, ds.videos[va], 'features').numpy()
n_max = max(c[0] for c in json.loads(a.configs)); t0 = time.time(); mt, ml = [], []
for s in range(len(ds), len(ds) + n_max, 2000):
    m = more_training_videos(ds, min(2000, len(ds) + n_max - s), start=s, exclude=big.points)
    mt.append(video_tracks(m.videos).numpy()); ml.append(m.labels)
mt = np.concatenate(mt) if mt else np.zeros((0, 16, 2), np.float32); ml = np.concatenate(ml) if ml else np.zeros(0, int)
print(f'{len(mt)} more tracks in {time.time() - t0:.0f} s', flush=True)
ok_va = np.isfinite(va_t).reshape(len(va_t), -1).all(1)
rows = []
for cfg in json.loads(a.configs):
    n_more, steps, width = cfg[:3]; n_coef = cfg[3] if len(cfg) > 3 else 8; t0 = time.time()
    flow, hist = train_track_flow(np.concatenate([tr_t, mt[:n_more]]), np.concatenate([ds.labels[tr], ml[:n_more]]), steps=steps, width=width, n_coef=n_coef,
                                  val=(torch.from_numpy(va_t[ok_va]), torch.from_numpy(ds.labels[va][ok_va])))
    secs = time.time() - t0
    ftr = torch.cat([flow.sample(torch.full((100,), i), seed=50 + i) for i in range(4)]).numpy()
    trk_fd = frechet_distance(ftr.reshape(len(ftr), -1), va_t[ok_va].reshape(ok_va.sum(), -1))
    g = LearnedGenerator(tm, tok, flow, steps=24)
    res = [g.sample(c, a.n, seed=900 + i) for i, c in enumerate(CLASSES)]
    with torch.no_grad(): v = tok.decode(torch.cat([r[0] for r in res])).clamp(0, 1).numpy()
    lab = np.repeat(np.arange(4), a.n)
    rows.append(dict(n_more=n_more, steps=steps, width=width, n_coef=n_coef, train_s=round(secs), val_loss=hist[-1]['val_loss'], track_frechet=trk_fd,
                     frechet=frechet_distance(judge_apply(pj, v, 'features').numpy(), va_feat),
                     class_match=float((judge_apply(pj, v).argmax(1).numpy() == lab).mean())))
    print(rows[-1], flush=True)
import pandas as pd
print(pd.DataFrame(rows).round(4).to_string(index=False))
