"""Development (not run by the pipeline): the track flow's own sweep, scored on tracks alone (cheap).

The learned generator's Frechet gap is mostly its tracks (`frechet_diag.py`, `flow_data.py`). Here the flow is
trained with each setting on the 840 training tracks plus `--more` further training videos' ball tracks (none near
a val/test path nor a path of the large test set), and 400 sampled tracks (100 per class) are compared with the
validation split's measured tracks by a Frechet distance over the 32 track coordinates, per class and pooled; the
floor is the training tracks against the same validation tracks.
"""
import json, time
import numpy as np, torch
from trajnb.generate import video_tracks, train_track_flow
from _common import flow_parser, load_run, finite, stream_tracks, frechet_by_class

ap = flow_parser(configs_help='list of train_track_flow kwargs (+ n_more, sample_steps)')
ap.add_argument('--split', default='val', choices=('val', 'test'), help='the tracks compared against (default val)')
a = ap.parse_args()
run, ds, big = load_run(a)
tr, va = ds.indices('train'), ds.indices(a.split)
tr_t, va_t = video_tracks(ds.videos[tr]).numpy(), video_tracks(ds.videos[va]).numpy()
tr_y, va_y = ds.labels[tr], ds.labels[va]
ok = finite(va_t); va_t, va_y = va_t[ok], va_y[ok]
t0 = time.time()
mt, ml = stream_tracks(ds, a.more, len(ds), big.points)
print(f'{len(mt)} more tracks in {time.time() - t0:.0f} s', flush=True)
fd_tracks = lambda x, y: frechet_by_class(x, y, va_t, va_y)      # pooled and per class, to the --split tracks
rows = [dict(config='floor: training tracks', **fd_tracks(tr_t, tr_y))]
print(rows[-1], flush=True)
for cfg in json.loads(a.configs):
    cfg = dict(cfg); n_more = cfg.pop('n_more', a.more); sstep = cfg.pop('sample_steps', 32); t0 = time.time()
    flow, hist = train_track_flow(np.concatenate([tr_t, mt[:n_more]]), np.concatenate([tr_y, ml[:n_more]]), **cfg)
    secs = time.time() - t0
    lab = np.repeat(np.arange(4), 100)
    s = torch.cat([flow.sample(torch.full((100,), i), seed=70 + i, n_steps=sstep) for i in range(4)]).numpy()
    rows.append(dict(config=json.dumps(dict(n_more=n_more, sample_steps=sstep, **cfg)), train_s=round(secs), **fd_tracks(s, lab)))
    print(rows[-1], flush=True)
import pandas as pd
print(pd.DataFrame(rows).round(3).to_string(index=False))
