"""Development (not run by the pipeline): does an autoregressive track model reproduce the ball's motion without the
flow's shrinkage?

The published track flow (`TrackFlow`) draws balls that travel 3-8% less than real ones (`flow_fidelity.py`), and
that shows in the pixel judge's features. An autoregressive model of the same 32 numbers (8 DCT coefficients of the
ball's and the shadow's u and v) has no reason to shrink: it is fitted by maximum likelihood, one coefficient at a
time given the ones before (low frequencies first), each quantised to `--bins` bins at its training quantiles, and
sampled at temperature 1 (uniform within the bin). Trained and scored as `flow_fidelity.py` scores flows (the same
training tracks, held-out reference and floor), with the validation split's tracks as its validation set.
"""
import argparse, json, time
import numpy as np, pandas as pd, torch
from trajnb.dataset import tracks_of
from trajnb.generate import train_track_ar
from _common import load_run, StreamFidelity

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--n_train', type=int, default=7000)
ap.add_argument('--n_ref', type=int, default=1400)
ap.add_argument('--configs', default='[{"steps": 4000}]', help='list of train_track_ar kwargs')
ap.add_argument('--draws', type=int, default=2)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--split', default='val', choices=('val', 'test'), help="the AR model's validation tracks (held-out stream tracks are the reference)")
a = ap.parse_args()
run, ds, _ = load_run(a, test_set=False)
S = StreamFidelity(run, ds, a.n_train, a.n_ref)
va = ds.indices(a.split); val = (tracks_of(ds.videos[va], S.bg), ds.labels[va])
train_t, train_y, flo_t, flo_y, score = S.train_t, S.train_y, S.flo_t, S.flo_y, S.score
rows = [dict(config='floor: held-out real tracks', **score(flo_t, flo_y))]; print(rows[-1], flush=True)
for cfg in json.loads(a.configs):
    t0 = time.time(); m, hist = train_track_ar(train_t, train_y, val=val, eval_at=set(range(0, 100001, 1000)), **cfg); secs = time.time() - t0
    print(json.dumps(cfg), f'{secs:.0f} s', [(h['step'], round(h['train_loss'], 3), round(h.get('val_loss', np.nan), 3)) for h in hist], flush=True)
    for d in range(a.draws):
        s = torch.cat([m.sample(torch.as_tensor(flo_y[i:i + 500]), seed=100 * d + i) for i in range(0, len(flo_y), 500)]).numpy()
        rows.append(dict(config=json.dumps(cfg), draw=d, train_s=round(secs), val=round(hist[-1].get('val_loss', np.nan), 4), **score(s, flo_y)))
        print(rows[-1], flush=True)
print(pd.DataFrame(rows).to_string(index=False))
