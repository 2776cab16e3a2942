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
import json, time
import numpy as np, torch
from trajnb.generate import video_tracks, train_track_flow
from _common import flow_parser, load_run, finite, stream_tracks, frechet_by_class

ap = flow_parser(more_help='further training tracks available to the configs (n_more)', configs_help='list of train_track_flow kwargs (+ n_more)')
ap.add_argument('--n_ref', type=int, default=3000)
ap.add_argument('--n_draw', type=int, default=2000)
ap.add_argument('--split', default='val', choices=('val', 'test'), help="a second, smaller reference: the dataset's split (default val)")
a = ap.parse_args()
run, ds, big = load_run(a)
tr, sp = ds.indices('train'), ds.indices(a.split)
tr_t, tr_y = video_tracks(ds.videos[tr]).numpy(), ds.labels[tr]
t0 = time.time()
mt, ml = stream_tracks(ds, a.more, len(ds), big.points)
rt, ry = stream_tracks(ds, a.n_ref, len(ds) + a.more + 5000, big.points)
ok = finite(rt); rt, ry = rt[ok], ry[ok]
print(f'{len(mt)} more tracks, {len(rt)} reference tracks in {time.time() - t0:.0f} s', flush=True)
sp_t = video_tracks(ds.videos[sp]).numpy(); sp_t = sp_t[finite(sp_t)]
fd = lambda x, y: frechet_by_class(x, y, rt, ry, fd_split=sp_t)
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
