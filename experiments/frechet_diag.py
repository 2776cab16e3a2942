"""Development (not run by the pipeline): where does the learned generator's Frechet distance come from?

05's learned generator sits at 5.6x the real-vs-real floor; the tokenizer's reconstructions at 1.7x. Here, on
validation seeds and against the validation split's real videos (in 05's pixel judge's features), sets of
`--n` videos per class:
- real: training videos (a floor for this set size);
- recon: the tokenizer's reconstruction of those training videos;
- drawn along real tracks: the track model (05's renderer) given the training videos' own tracks (read from pixels),
  with each decoding: the drawing alone, no learned motion;
- learned: the track flow's tracks, drawn with each decoding (the published generator).
Also per set: the share of token cells away from the ball (no ball pixel within the cell's 8x8 px in its frames) whose
id differs from the position's background id, and the ball's radius / mean colour.
"""
import argparse, json, time
import numpy as np, torch
from trajnb.core import run_path
from trajnb.dataset import CLASSES, get_dataset, ball_centroid
from trajnb.tokenizer import get_tokenizer, get_tokens
from trajnb.generate import (load_generator, load_track_flow, load_pixel_judge, judge_apply, frechet_distance, LearnedGenerator,
                             maskgit_decode, video_tracks, background_ids)

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--n', type=int, default=30, help='videos per class per set')
ap.add_argument('--threads', type=int, default=1)
ap.add_argument('--split', default='val', choices=('val', 'test'), help='the real videos compared against (default val)')
ap.add_argument('--decodings', default='[{"steps":24},{"steps":24,"temperature":0.7},{"steps":24,"temperature":0.5},{"steps":24,"guidance":1.0},{"steps":24,"guidance":0.0}]')
a = ap.parse_args()
torch.set_num_threads(a.threads)
run = run_path(a.run); ds = get_dataset(run); tok = get_tokenizer(run)
pj = load_pixel_judge(run/'pixel_judge'/'judge.pt'); tm = load_generator(run/'track_model'/'generator.pt')
flow = load_track_flow(run/'learned_generator'/'track_flow.pt')
ids_all = torch.as_tensor(get_tokens(run, tok, ds)); tr, va = ds.indices('train'), ds.indices(a.split)
bg = background_ids(ids_all[tr]).view(tok.grid)
va_feat = judge_apply(pj, ds.videos[va], 'features').numpy()
pick = np.concatenate([tr[ds.labels[tr] == i][:a.n] for i in range(len(CLASSES))])          # balanced training videos
real = ds.videos[pick]; labels = torch.as_tensor(ds.labels[pick]); real_tracks = video_tracks(real)
with torch.no_grad(): recon = tok.decode(ids_all[pick]).clamp(0, 1).numpy()

def stats(videos, ids=None) -> dict:
    v = videos if videos.dtype != np.uint8 else videos.astype(np.float32) / 255
    f = judge_apply(pj, v, 'features').numpy(); p = judge_apply(pj, v).argmax(1).numpy()
    out = dict(frechet=frechet_distance(f, va_feat), class_match=float((p == labels.numpy()).mean()))
    if ids is not None:
        ids = torch.as_tensor(ids).view(len(ids), *tok.grid); t, h, w = tok.grid
        c = ball_centroid(v); away = torch.ones(len(ids), t, h, w, dtype=torch.bool)
        for n in range(len(ids)):
            for f_ in range(16):
                if np.isfinite(c[n, f_]).all():
                    cx, cy = c[n, f_]; j, i = int(cx // (64 // w)), int(cy // (64 // h))
                    away[n, f_ // (16 // t), max(i - 1, 0):i + 2, max(j - 1, 0):j + 2] = False
        out['offbg_away'] = float(((ids != bg) & away).sum() / away.sum())
    return out

rows = [dict(set='real (train)', **stats(real, ids_all[pick])), dict(set='recon (train)', **stats(recon, ids_all[pick]))]
print(rows, flush=True)
for d in json.loads(a.decodings):
    t0 = time.time()
    ids = maskgit_decode(tm, labels, seed=900, track=real_tracks, **{'steps': 24, 'temperature': 1.0, 'guidance': 3.0, 'choice_noise': 2.0, **d})
    with torch.no_grad(): v = tok.decode(ids.view(len(ids), *tok.grid)).clamp(0, 1).numpy()
    rows.append(dict(set=f'drawn along real tracks {d}', **stats(v, ids))); print(rows[-1], f'{time.time() - t0:.0f} s', flush=True)
    g = LearnedGenerator(tm, tok, flow, **{'steps': 24, 'temperature': 1.0, 'guidance': 3.0, 'choice_noise': 2.0, **d})
    res = [g.sample(c, a.n, seed=900 + i) for i, c in enumerate(CLASSES)]
    ids = torch.cat([r[0] for r in res])
    with torch.no_grad(): v = tok.decode(ids).clamp(0, 1).numpy()
    rows.append(dict(set=f'learned {d}', **stats(v, ids))); print(rows[-1], flush=True)
import pandas as pd
print(pd.DataFrame(rows).round(4).to_string(index=False))
