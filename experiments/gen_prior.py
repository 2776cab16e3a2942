"""Development (not run by the pipeline): class-conditional generation with the motion from a physics prior.

On a finished full run with a track-taking transformer (experiments/gen_refine.py makes RUN/dev_renderer):
  1. fit every training video's ball track (pixels) with its labelled family through the camera (`fit_projected`);
  2. a new path of class c: each parameter group (linear: start / velocity; circle: centre / plane / radius+speed+phase;
     helix: the same + advance) taken from an independently drawn training fit of c, redrawn until the scene's own
     acceptance rule (`_acceptable`: ball and shadow in frame, above ground, moving, not edge-on) passes;
  3. the track model draws the video along the projected path (24 rounds, guidance 3, as 05 decodes).
Scores: the judge's class match, how closely the ball follows the path, the copy rate against the copy threshold of
05 (the 5th percentile of the `--split` videos' distances to their nearest training video; default: validation).
"""
import argparse, math, time
import numpy as np, torch
from trajnb.core import run_path
from trajnb.dataset import CLASSES, get_dataset, ball_centroid, family_points, times
from trajnb.dataset import _acceptable
from trajnb.tokenizer import get_tokenizer, get_tokens
from trajnb.classify import get_token_classifier
from trajnb.generate import load_generator, maskgit_decode, video_tracks, small, nn_dist
from trajnb.physics import fit_projected

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full'); ap.add_argument('--n', type=int, default=25)
ap.add_argument('--renderer', default='dev_renderer'); ap.add_argument('--max_rmse', type=float, default=1.0)
ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--split', default='val', choices=('val', 'test'),
                help="held-out real videos that set the copy threshold (default val; 05 uses test)")
a = ap.parse_args()
T0 = time.time()
run = run_path(a.run); ds = get_dataset(run); tok = get_tokenizer(run); cam = ds.camera
rend = load_generator(run/a.renderer/'generator.pt'); judge = get_token_classifier(run)
GROUPS = dict(linear=[('p0',), ('v',)], parabolic=[('p0',), ('v0',)],
              circular=[('c',), ('u', 'v', 'n'), ('radius', 'omega', 'phase')],
              helical=[('c',), ('u', 'v', 'n'), ('radius', 'omega', 'phase', 'advance')])

tr = ds.indices('train'); uv_tr = video_tracks(ds.videos[tr]).numpy()
fits = {c: [] for c in CLASSES}
for uv, l in zip(uv_tr, ds.labels[tr]):
    f = fit_projected(cam, uv, CLASSES[l])
    if f.params and f.rmse_px <= a.max_rmse: fits[CLASSES[l]].append(f.params)
print('training fits kept (rmse <= %.1f px):' % a.max_rmse, {c: len(v) for c, v in fits.items()}, f'({time.time() - T0:.0f} s)', flush=True)

def sample_path(c, rng, tries=200):
    for k in range(tries):
        p = {}
        for g in GROUPS[c]:
            src = fits[c][rng.integers(len(fits[c]))]
            p.update({key: src[key] for key in g})
        pts = family_points(c, p, times(16))
        if _acceptable(c, p, pts, cam): return pts, k + 1
    raise RuntimeError(f'no acceptable {c} path in {tries} draws')

ids_all = get_tokens(run, tok, ds)
train_rec = small(tok.decode(torch.as_tensor(ids_all[tr])).clamp(0, 1))
te = ds.indices(a.split); test_rec = small(tok.decode(torch.as_tensor(ids_all[te])).clamp(0, 1))
nn_real = nn_dist(test_rec, train_rec); tau = float(np.quantile(nn_real, 0.05))
rng = np.random.default_rng(a.seed)
allnn, res = [], {}
for i, c in enumerate(CLASSES):
    paths = [sample_path(c, rng) for _ in range(a.n)]
    pts = np.stack([p for p, _ in paths]); u, v, _ = cam.project(pts.reshape(-1, 3))
    track = np.stack([u, v], -1).reshape(a.n, 16, 2).astype(np.float32)
    ids = maskgit_decode(rend, torch.full((a.n,), i), steps=24, temperature=1.0, guidance=3.0, choice_noise=2.0,
                         seed=a.seed * 1000 + i, track=torch.from_numpy(track)).view(a.n, *rend.cfg.grid)
    vid = tok.decode(ids).clamp(0, 1).numpy()
    pred = judge(torch.from_numpy(vid)).numpy().argmax(1)
    follow = np.nanmean(np.linalg.norm(ball_centroid(vid) - track, axis=-1))
    nn = nn_dist(small(vid), train_rec); allnn.append(nn)
    res[c] = float((pred == i).mean())
    print(f'{c}: class match {res[c]:.2f}, judged as { {k: int((pred == j).sum()) for j, k in enumerate(CLASSES)} }; ball vs path '
          f'{follow:.2f} px; draws per path {np.mean([k for _, k in paths]):.1f}; within copy threshold {float((nn < tau).mean()):.2f} '
          f'({time.time() - T0:.0f} s)', flush=True)
allnn = np.concatenate(allnn)
print(f'mean {np.mean(list(res.values())):.3f}, min {min(res.values()):.2f}; copy rate {float((allnn < tau).mean()):.3f} vs held-out '
      f'{float((nn_real < tau).mean()):.3f}; median NN distance generated {np.median(allnn):.4f}, real {np.median(nn_real):.4f}')
