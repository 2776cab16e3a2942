"""Development (not run by the pipeline): compare track flows with a low-noise track-level Frechet distance.

`flow_sweep.py` scored 400 sampled tracks against the 180 validation tracks, and two draws of one flow differed by
13 points (37 vs 50): too noisy to choose a setting. Here the reference is `--n_ref` further videos of the
dataset's stream (never trained on here, none near a val/test path nor a path of the large test set: a validation
set, not the test split), their ball tracks read from their pixels; each flow draws `--n_draw` tracks (balanced
over the classes) with two sampling seeds, and the Frechet distance over the 32 track coordinates is reported per
draw (`fd`; `fd_split`: against the `--split` videos' tracks, as `flow_sweep.py` did). The floor: the 840 training
tracks, 840 further stream tracks, and the last `--n_draw` of the `--more` further tracks (as many as a draw: the
floor to read a flow against; keep `--more` above every config's `n_more` so they are unseen), against the same reference.
"""
import argparse, json, time
import numpy as np, torch
from trajnb.core import run_path
from trajnb.dataset import CLASSES, get_dataset, get_test_set, more_training_videos
from trajnb.generate import video_tracks, train_track_flow, frechet_distance

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--more', type=int, default=10000, help='further training tracks available to the configs (n_more)')
ap.add_argument('--n_ref', type=int, default=3000)
ap.add_argument('--n_draw', type=int, default=2000)
ap.add_argument('--configs', default='[{}]', help='list of train_track_flow kwargs (+ n_more)')
ap.add_argument('--threads', type=int, default=1)
ap.add_argument('--split', default='val', choices=('val', 'test'), help="a second, smaller reference: the dataset's split (default val)")
a = ap.parse_args()
torch.set_num_threads(a.threads)
run = run_path(a.run); ds = get_dataset(run); big = get_test_set(run)
tr, sp = ds.indices('train'), ds.indices(a.split); fin = lambda t: np.isfinite(t).reshape(len(t), -1).all(1)
tr_t, tr_y = video_tracks(ds.videos[tr]).numpy(), ds.labels[tr]
t0 = time.time()
grab = lambda m: (video_tracks(m.videos).numpy(), m.labels)
def stream(n, start):
    out = [grab(more_training_videos(ds, min(2000, start + n - s), start=s, exclude=big.points)) for s in range(start, start + n, 2000)]
    return np.concatenate([o[0] for o in out]), np.concatenate([o[1] for o in out])
mt, ml = stream(a.more, len(ds)) if a.more else (np.zeros((0, 16, 2), np.float32), np.zeros(0, int))
rt, ry = stream(a.n_ref, len(ds) + a.more + 5000)
ok = fin(rt); rt, ry = rt[ok], ry[ok]
print(f'{len(mt)} more tracks, {len(rt)} reference tracks in {time.time() - t0:.0f} s', flush=True)
sp_t = video_tracks(ds.videos[sp]).numpy(); sp_t = sp_t[fin(sp_t)]
def fd(x, y) -> dict:
    x, y = x[fin(x)], y[fin(x)]
    out = dict(fd=frechet_distance(x.reshape(len(x), -1), rt.reshape(len(rt), -1)), fd_split=frechet_distance(x.reshape(len(x), -1), sp_t.reshape(len(sp_t), -1)))
    for i, c in enumerate(CLASSES): out[c[:4]] = frechet_distance(x[y == i].reshape((y == i).sum(), -1), rt[ry == i].reshape((ry == i).sum(), -1))
    return out
rows = [dict(config='floor: the 840 training tracks', **fd(tr_t, tr_y)),
        dict(config='floor: 840 further stream tracks', **fd(mt[:840], ml[:840])) if len(mt) >= 840 else {},
        dict(config=f'floor: the last {a.n_draw} further stream tracks (as many as a draw)', **fd(mt[-a.n_draw:], ml[-a.n_draw:])) if len(mt) >= a.n_draw else {}]
for r in rows: print(r, flush=True)
for cfg in json.loads(a.configs):
    cfg = dict(cfg); n_more = cfg.pop('n_more', 0); t0 = time.time()
    flow, hist = train_track_flow(np.concatenate([tr_t, mt[:n_more]]), np.concatenate([tr_y, ml[:n_more]]), **cfg)
    secs = time.time() - t0; k = a.n_draw // 4; lab = np.repeat(np.arange(4), k)
    for draw in (0, 1):
        s = torch.cat([flow.sample(torch.full((k,), i), seed=1000 * draw + 70 + i) for i in range(4)]).numpy()
        rows.append(dict(config=json.dumps(dict(n_more=n_more, **cfg)), draw=draw, train_s=round(secs), **fd(s, lab)))
        print(rows[-1], flush=True)
import pandas as pd
print(pd.DataFrame([r for r in rows if r]).round(3).to_string(index=False))
