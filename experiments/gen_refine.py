"""Development (not run by the pipeline): can the family equations lift 05's class match?

On a finished full run (`trajnb run --profile full`), for `--n` videos per class:
  draft    05's generator as the notebook calls it (candidate 0 reproduces 05's class match)
  rerank   draw `--k` drafts per video and keep the one whose ball track the requested family fits best
           (BIC margin over the other families; the judge is never consulted)
  refine   fit the requested family to the draft's track and redraw the video along the fitted track with a
           track-conditioned copy of 05's transformer (fine-tuned here, cached in RUN/dev_renderer)
Prints class match per class for each, and how closely the redrawn ball follows the fitted track; for reference, the
judge's accuracy on the real videos of `--split` (default: validation).
"""
import argparse, json, math, time
from dataclasses import replace
import numpy as np, torch
from trajnb.core import run_path
from trajnb.dataset import CLASSES, get_dataset, ball_centroid
from trajnb.tokenizer import get_tokenizer, get_tokens
from trajnb.classify import get_token_classifier
from trajnb.generate import load_generator, VideoGenerator, maskgit_decode, MaskGITLoss, train_generator
from trajnb.physics import fit_projected, N_PARAMS
from trajnb.train import TrainConfig

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full'); ap.add_argument('--n', type=int, default=25)
ap.add_argument('--k', type=int, default=3); ap.add_argument('--epochs', type=int, default=4)
ap.add_argument('--lr', type=float, default=2e-3); ap.add_argument('--p_prefix', type=float, default=0.5)
ap.add_argument('--name', default='dev_renderer'); ap.add_argument('--seed_base', type=int, default=0)
ap.add_argument('--out', default=None)
ap.add_argument('--split', default='val', choices=('val', 'test'),
                help="real videos on which the judge's own accuracy is reported as the reference (default val)")
a = ap.parse_args()
torch.set_num_threads(int(__import__("os").environ.get("THREADS", "2")))
run = run_path(a.run); ds = get_dataset(run); tok = get_tokenizer(run); cam = ds.camera
gen = VideoGenerator(load_generator(run), tok)
judge = get_token_classifier(run)
T0 = time.time()

def judge_of(videos): return judge(torch.from_numpy(np.asarray(videos, np.float32))).numpy().argmax(1)

ref = ds.indices(a.split)
print(f"judge on {len(ref)} real {a.split} videos: {float((judge_of(ds.videos[ref].astype(np.float32) / 255) == ds.labels[ref]).mean()):.3f}", flush=True)

def bics(uv):
    fits = {f: fit_projected(cam, uv, f) for f in CLASSES}
    n_ok = int(np.isfinite(uv).all(1).sum())
    if n_ok < 5: return fits, {f: math.inf for f in CLASSES}
    b = {f: 2 * n_ok * math.log(fits[f].rmse_px ** 2 + 0.2 ** 2) + N_PARAMS[f] * math.log(2 * n_ok) for f in CLASSES}   # select_family's BIC, every value kept
    return fits, b

res = {}
for i, c in enumerate(CLASSES):
    cands = []
    for j in range(a.k):
        s = a.seed_base * 1000 + i if j == 0 else a.seed_base * 1000 + 10000 * j + i
        ids = gen.sample_ids(c, a.n, seed=s); vid = tok.decode(ids).clamp(0, 1).numpy()
        pred = judge_of(vid); fb = [bics(uv) for uv in ball_centroid(vid)]
        margin = np.array([b[c] - min(v for f, v in b.items() if f != c) if math.isfinite(b[c]) else math.inf for _, b in fb])
        cands.append(dict(seed=s, pred=pred, margin=margin, fits=[f for f, _ in fb], sel=[min(b, key=b.get) for _, b in fb]))
    res[c] = cands
    print(f'{c}: drafts judged {[float((cd["pred"] == i).mean()) for cd in cands]}, physics picks requested '
          f'{[float(np.mean([s == c for s in cd["sel"]])) for cd in cands]} ({time.time() - T0:.0f} s)', flush=True)

print('\n== rerank by physics (BIC margin of the requested family), class match per class ==')
for kk in range(1, a.k + 1):
    m = {}
    for i, c in enumerate(CLASSES):
        M = np.stack([cd['margin'] for cd in res[c][:kk]]); P = np.stack([cd['pred'] for cd in res[c][:kk]])
        pick = M.argmin(0); m[c] = float((P[pick, np.arange(a.n)] == i).mean())
    print(f'k={kk}: mean {np.mean(list(m.values())):.3f} min {min(m.values()):.2f}', {c: round(v, 2) for c, v in m.items()})
for i, c in enumerate(CLASSES):      # does the margin predict the judge?
    M = np.concatenate([cd['margin'] for cd in res[c]]); ok = np.concatenate([cd['pred'] == i for cd in res[c]])
    fin = np.isfinite(M)
    print(f'{c}: judge right {ok.mean():.2f}; when requested family wins by BIC {ok[M < 0].mean() if (M < 0).any() else float("nan"):.2f} '
          f'(n={int((M < 0).sum())}), else {ok[M >= 0].mean() if (M >= 0).any() else float("nan"):.2f}; median margin right/wrong '
          f'{np.median(M[fin & ok]) if (fin & ok).any() else float("nan"):.1f}/{np.median(M[fin & ~ok]) if (fin & ~ok).any() else float("nan"):.1f}')

# --- refine: a track-conditioned copy of 05's transformer ------------------------------------------------------
f_r = run/a.name/'generator.pt'
if not f_r.exists():
    t0 = time.time()
    cfg = replace(gen.model.cfg, track=True, frames=tok.cfg.frames, size=tok.cfg.size)
    loss = MaskGITLoss(p_prefix=a.p_prefix, n_past_steps=12 // tok.frames_per_step, fg_weight=4.0, p_track=1.0, track_noise=0.2)
    gf = train_generator(get_tokens(run, tok, ds), ds, cfg, TrainConfig(epochs=a.epochs, batch_size=8, lr=a.lr, seed=0, progress=False),
                         loss, run, n_val=64, seed=0, name=a.name, init=gen.model.state_dict())
    print(f'renderer fine-tuned in {time.time() - t0:.0f} s; last epoch', {k: round(v, 4) for k, v in gf.history[-1].items()})
rend = load_generator(f_r)
print('\n== refine: redraw along the requested family fitted to the draft ==')
out = {}
for i, c in enumerate(CLASSES):
    cd = res[c][0]
    tr = np.stack([f[c].uv if f[c].params else np.full((16, 2), np.nan) for f in cd['fits']]).astype(np.float32)
    ids = maskgit_decode(rend, torch.full((a.n,), i), steps=24, temperature=1.0, guidance=3.0, choice_noise=2.0,
                         seed=cd['seed'], track=torch.from_numpy(tr)).view(a.n, *rend.cfg.grid)
    vid = tok.decode(ids).clamp(0, 1).numpy(); pred = judge_of(vid)
    err = np.linalg.norm(ball_centroid(vid) - tr, axis=-1)
    out[c] = float((pred == i).mean())
    print(f'{c}: refined {out[c]:.2f} (draft {float((cd["pred"] == i).mean()):.2f}); judged as '
          f'{ {k: int((pred == j).sum()) for j, k in enumerate(CLASSES)} }; ball vs fitted track {np.nanmean(err):.2f} px, '
          f'fit rmse median {np.median([f[c].rmse_px for f in cd["fits"]]):.2f} px ({time.time() - T0:.0f} s)', flush=True)
print(f'refine: mean {np.mean(list(out.values())):.3f} min {min(out.values()):.2f}')
if a.out: json.dump(dict(refine=out), open(a.out, 'w'))
