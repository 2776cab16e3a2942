"""Development (not run by the pipeline): does the Frechet distance against the split that chooses 05's decoding
agree with the one against the large test set?

05 chooses the learned generator's decoding by the Frechet distance of 30 videos per class (validation seeds) to the
180 real videos of `--split`, and publishes the distance of 100 per class (other seeds) to 20 reference sets of 400
large-test-set videos. Here, for the learned generators of one or more run directories that share a tokenizer and a
pixel judge (the same machine kind and seed give the same ones), each with its own chosen decoding and with argmax
decoding, the distance of the same generated videos to (a) the `--split`'s real videos and (b) `--draws` random sets
of as many large-test-set videos; and the same for real videos of the large test set, as the floor of each.
"""
import argparse, json
import numpy as np, torch
from trajnb.core import run_path
from trajnb.dataset import CLASSES, get_dataset, get_test_set
from trajnb.generate import get_generator, get_pixel_judge, judge_apply, frechet_distance

ap = argparse.ArgumentParser()
ap.add_argument('--runs', nargs='+', default=['runs/full'], help='run directories; the first one gives the judge and the real videos')
ap.add_argument('--n_per_class', type=int, default=30)
ap.add_argument('--offset', type=int, default=700, help='seed offset of the generated videos (05 chooses on 700)')
ap.add_argument('--draws', type=int, default=10)
ap.add_argument('--ref_size', type=int, default=None, help="videos in each large-test draw (default: as many as the split's)")
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--split', default='val', choices=('val', 'test'), help="the dataset split 05 would choose on")
a = ap.parse_args()
torch.set_num_threads(a.threads)
run = run_path(a.runs[0]); ds = get_dataset(run); big = get_test_set(run); k = a.n_per_class
judge = get_pixel_judge(run, len(ds)); feat = lambda v: judge_apply(judge, v, 'features').numpy()
split_f = feat(ds.videos[ds.indices(a.split)]); big_f = feat(big.videos); rng = np.random.default_rng(0)
def big_draws(f):
    "Distances of features `f` to `draws` random large-test sets of len(split_f) videos, balanced over the classes."
    per = (a.ref_size or len(split_f)) // len(CLASSES); out = []
    for _ in range(a.draws):
        idx = np.concatenate([rng.choice(np.flatnonzero(big.labels == i)[:-k], per, replace=False) for i in range(len(CLASSES))])
        out.append(frechet_distance(f, big_f[idx]))
    return np.mean(out), np.std(out)
rows = []
real = np.concatenate([big_f[np.flatnonzero(big.labels == i)[-k:]] for i in range(len(CLASSES))])   # the floor's set, kept out of every draw
rows.append(dict(set='real (large test)', vs_split=frechet_distance(real, split_f), vs_big=big_draws(real)))
for r in a.runs:
    g = get_generator(r, len(ds), 0, kind='learned')
    for name, kw in [('chosen ' + json.dumps({k2: g.defaults[k2] for k2 in ('steps', 'temperature')}), {}), ('argmax 8', dict(steps=8, temperature=0.0))]:
        f = np.concatenate([feat(g.tok.decode(g.sample_ids(c, k, seed=a.offset + i, **kw)).clamp(0, 1)) for i, c in enumerate(CLASSES)])
        rows.append(dict(set=f"{r} P={g.motion.cfg['points']} {name}", vs_split=frechet_distance(f, split_f), vs_big=big_draws(f)))
        print(rows[-1], flush=True)
for row in rows:
    print(f"{row['set']:60s} vs {a.split} {row['vs_split']:7.2f}   vs large test {row['vs_big'][0]:7.2f} +/- {row['vs_big'][1]:.2f}")
