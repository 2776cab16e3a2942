"""Development (not run by the pipeline): how much does 05's Frechet distance of a generator move with its own
sampling seeds, and is the two-point learned generator closer to real videos than the one-point one?

For each run directory's learned generator (runs that share a tokenizer and pixel judge), `--sets` sets of
`--n_per_class` videos a class from seed offsets 700, 1700, ... (validation-style seeds, never published), each
decoded with `--decodings`; every set scored against the same `--refs` random reference sets of 4 x n_per_class
large-test-set videos (05's `frechet_references`, whose floor is a second real set).
"""
import argparse, json
import numpy as np, pandas as pd, torch
from trajnb.core import run_path
from trajnb.dataset import CLASSES, get_dataset, get_test_set
from trajnb.generate import get_generator, get_pixel_judge, judge_apply, frechet_references

ap = argparse.ArgumentParser()
ap.add_argument('--runs', nargs='+', default=['runs/full'])
ap.add_argument('--n_per_class', type=int, default=100)
ap.add_argument('--sets', type=int, default=4)
ap.add_argument('--refs', type=int, default=10)
ap.add_argument('--decodings', default='[{"steps": 8, "temperature": 0.0}]')
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--split', default='val', choices=('val', 'test'), help='unused: the large test set is the reference, as in 05')
a = ap.parse_args()
torch.set_num_threads(a.threads)
run = run_path(a.runs[0]); ds = get_dataset(run); big = get_test_set(run); k = a.n_per_class
judge = get_pixel_judge(run, len(ds)); feat = lambda v: judge_apply(judge, v, 'features').numpy()
real = feat(big.videos); sets = {}
for r in a.runs:
    g = get_generator(r, len(ds), 0, kind='learned'); P = g.motion.cfg['points']
    for d in json.loads(a.decodings):
        for s in range(a.sets):
            off = 700 + 1000 * s
            sets[f'P={P} {json.dumps(d)} seeds {off}'] = np.concatenate([feat(g.tok.decode(g.sample_ids(c, k, seed=off + i, **d)).clamp(0, 1))
                                                                         for i, c in enumerate(CLASSES)])
            print(list(sets)[-1], 'sampled', flush=True)
rows, summary = frechet_references(sets, real, big.labels, k, n_ref=a.refs, fractions=(1.0,), seed=0)
tab = pd.DataFrame(summary).T[['fd', 'sd', 'lo', 'hi']]
print(tab.round(2).to_string())
for P in sorted({name.split()[0] for name in sets}):
    v = tab.loc[[n for n in tab.index if n.startswith(P + ' ')], 'fd']
    print(f'{P}: mean over seed sets {v.mean():.2f}, sd {v.std(ddof=1):.2f}, range {v.min():.2f}-{v.max():.2f}')
