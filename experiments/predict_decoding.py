"""Decoding variants of 06_predict's predictor on a full run (no training): does decoding fix the lagging ball?

  python experiments/predict_decoding.py --run runs/full
  python experiments/predict_decoding.py --run runs/full --split train --only-argmax [--generator OTHER/generator.pt]
Prints, per variant, the centroid error on frames 13-16 of the `--split` videos (default: validation), the share of frames without a ball and
the displacement gain (predicted vs true displacement from frame 12; 1 keeps up, 0 stays put), per class.
"""
import argparse
import numpy as np, torch
from trajnb.predict import get_predictor, past_ids, FuturePredictor, displacement_gain, PAST_FRAMES
from trajnb.generate import future_region, VideoGenerator, load_generator
from trajnb.dataset import CLASSES, get_dataset, ball_centroid

ap = argparse.ArgumentParser(); ap.add_argument('--run', default='runs/full'); ap.add_argument('--k', type=int, default=8)
ap.add_argument('--split', default='val', choices=('train', 'val', 'test'),
                help="videos scored: the first 180 of this split (default val; 'train': does the model fit its own futures?)")
ap.add_argument('--generator', default=None, help="another transformer (a generator.pt of experiments/transformer_runs.py) with the run's tokenizer")
ap.add_argument('--only-argmax', action='store_true')
ap.add_argument('--guide', action='store_true', help="06's guided predictor (default: the transformer without the guide, as these runs were made)")
a = ap.parse_args(); torch.set_num_threads(2)
pred = get_predictor(a.run, guide=a.guide)
if a.generator: pred = FuturePredictor(VideoGenerator(load_generator(a.generator), pred.tok), cam=pred.cam, guide=a.guide, background=pred.background)
model, tok = pred.model, pred.tok; cfg = model.cfg
ds = get_dataset(a.run); te = ds.indices(a.split)[:180]; y = ds.labels[te]
v = ds.videos[te].astype(np.float32) / 255; c = ball_centroid(v); ct, last = c[:, PAST_FRAMES:], c[:, PAST_FRAMES - 1:PAST_FRAMES]

def report(name, frames):
    p = ball_centroid(frames); e = np.linalg.norm(p - ct, axis=-1); dt, dp = ct - last, p - last
    gain = lambda m: displacement_gain(dt[m], dp[m])
    print(f'{name:34s} {np.nanmean(e):.2f} px  miss {np.isnan(e).mean():.3f}  gain {gain(np.ones(len(y), bool)):.2f} | '
          + ' '.join(f'{cl[:4]} {np.nanmean(e[y == i]):.2f} px gain {gain(y == i):.2f}' for i, cl in enumerate(CLASSES)), flush=True)

report('argmax, 1 round (06)', pred(v))
if a.only_argmax: raise SystemExit
report('soft read-out E[code]', pred.soft(v))
report('T 1, 1 round', pred(v, seed=5, temperature=1.0))
report('T 1, 12 rounds, choice noise 2', pred(v, seed=5, temperature=1.0, steps=12, choice_noise=2.0))
report('argmax, 12 rounds', pred(v, steps=12))
for T in (0.5, 1.0):                      # minimum Bayes risk: the sample whose track is nearest the other samples'
    s = np.stack([pred(v, seed=1 + 1000 * k, temperature=T) for k in range(a.k)], 1)
    cs = np.nan_to_num(ball_centroid(s.reshape(-1, *s.shape[2:])).reshape(len(v), a.k, -1, 2), nan=1e3)
    pick = np.linalg.norm(cs[:, :, None] - cs[:, None], axis=-1).mean(-1).sum(2).argmin(1)
    report(f'MBR of {a.k} samples, T {T}', s[np.arange(len(v)), pick])

# guidance on the past: logits + w (logits - logits with part of the past masked)
past = past_ids(tok, v); N = len(past); ids = torch.zeros(N, cfg.n_tokens, dtype=torch.long); ids[:, :past[0].numel()] = past.flatten(1)
fut, step = future_region(cfg.grid, pred.n_past), torch.arange(cfg.n_tokens) // (cfg.n_tokens // cfg.grid[0])
null = torch.full((N,), cfg.null_class)
@torch.no_grad()
def logits(mask): return torch.cat([model(ids[i:i + 60].masked_fill(mask, cfg.mask_id), null[i:i + 60]) for i in range(0, N, 60)])
base = logits(fut)
for name, m in dict(last_step=step >= pred.n_past - 1, whole_past=torch.ones(cfg.n_tokens, dtype=torch.bool), first_steps=(step < pred.n_past - 1) | fut).items():
    weak = logits(m)
    for w in (0.5, 1.0, 2.0):
        out = ids.clone(); out[:, fut] = (base + w * (base - weak)).argmax(-1)[:, fut]
        report(f'past guidance: {name} w {w}', tok.decode(out.view(N, *cfg.grid))[:, PAST_FRAMES:].clamp(0, 1).numpy())
