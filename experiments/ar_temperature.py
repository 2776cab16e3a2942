"""Development (not run by the pipeline): does sampling the autoregressive track model's high frequencies cooler
bring the learned generator's videos closer to real ones?

The published learned generator's tracks are rougher than real ones (mean second difference 0.93 px against 0.83;
`frechet_parts.py`), and drawing each coefficient at its bin's midpoint does not change that. If the roughness came
from the model's spread over the high-frequency coefficients' bins, sampling those cooler would remove it. Here the
run's trained `TrackAR` samples with a temperature per frequency (`--temps`: a JSON list of settings, each one value
or one per frequency) and its tracks are drawn by the run's track model with the run's decoding, and each setting and
seed set (700, 1700, ...: validation-style, never published) is scored by `VideoFidelity` (05's Frechet distance,
each half of the judge's features, copy rate, roughness of the drawn ball and of the asked track).
"""
import argparse, json
import pandas as pd
from _common import judge_setup, VideoFidelity

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--temps', default='[1.0, [1,1,1,1,0.7,0.7,0.7,0.7], [1,1,0.8,0.8,0.6,0.6,0.6,0.6], 0.8, [1,1,1,0.5,0.5,0.5,0.5,0.5]]')
ap.add_argument('--n_per_class', type=int, default=100)
ap.add_argument('--sets', type=int, default=2)
ap.add_argument('--refs', type=int, default=10)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--split', default='val', choices=('val', 'test'), help="the held-out videos whose distance to the training split sets the copy threshold")
a = ap.parse_args()
run, ds, big, judge, feat, g, dec = judge_setup(a)
V = VideoFidelity(run, ds, big, g, feat, a.n_per_class, a.refs, a.split)
rows = [dict(setting='real (floor)', **V.floor)]; print(rows[-1], flush=True)
for temp in json.loads(a.temps):
    g.motion_temperature = temp
    for s in range(a.sets):
        rows.append(dict(setting=json.dumps(temp), seeds=700 + 1000 * s, **V.score(700 + 1000 * s, **dec))); print(rows[-1], flush=True)
print(f'copy threshold tau {V.tau:.4f} (5th percentile of the {a.split} split)')
print(pd.DataFrame(rows).round(3).to_string(index=False))
