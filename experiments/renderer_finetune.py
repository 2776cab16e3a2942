"""Development (not run by the pipeline): 06's renderer fine-tune (`guide_epochs`, `guide_lr`), chosen on validation.

06 fine-tunes 05's transformer into the renderer that draws frames 13-16 along a given track (05's
`train_track_model` with 06's `prediction_pattern`). Its epochs and peak learning rate were once chosen on test-split
numbers. Here each (epochs, lr) pair of `--epochs` x `--lr` is fine-tuned from the run's 05 transformer and scored on
the `--split` videos (default: validation) with the **true** future tracks as the guide (the tracks measured in the
true frames 13-16: what the renderer itself can do, apart from any track model): the ball's centroid error over frames
13-16 and the MSE against the tokenizer's reconstruction.
"""
import argparse, time
import numpy as np, torch
from trajnb.core import run_path
from trajnb.dataset import get_dataset, foreground_mask, training_tracks
from trajnb.generate import get_generator, train_track_model, load_generator, VideoGenerator
from trajnb.tokenizer import get_tokens, get_tokenizer
from trajnb.predict import (prediction_pattern, TrackPredictor, estimate_background, frame_scores,
                            PAST_FRAMES, FUTURE_FRAMES)

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--epochs', type=int, nargs='+', default=[4, 8, 12])
ap.add_argument('--lr', type=float, nargs='+', default=[2e-3])
ap.add_argument('--shadow', type=int, nargs='+', default=[1], help='1: the track carries the shadow too (as 06); 0: the ball alone')
ap.add_argument('--generator', default=None, help="the transformer to fine-tune (a generator.pt; default: the run's 05 transformer)")
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--split', default='val', choices=('val', 'test'), help='the videos scored (default val)')
a = ap.parse_args()
torch.set_num_threads(a.threads)
run = run_path(a.run); ds = get_dataset(run)
gen = get_generator(run, physics=False) if a.generator is None else VideoGenerator(load_generator(a.generator), get_tokenizer(run))
tok = gen.tok
ids = get_tokens(run, tok, ds); tracks = {sh: training_tracks(ds, bool(sh)) for sh in a.shadow}
ev = ds.indices(a.split); v = ds.videos[ev]; true = v[:, PAST_FRAMES:].astype(np.float32) / 255
fg = foreground_mask(ds.points[ev][:, PAST_FRAMES:], ds.camera)
with torch.no_grad(): rec = tok.decode(tok.encode(torch.from_numpy(v).float() / 255))[:, PAST_FRAMES:].clamp(0, 1).numpy()
mse_rec = float(((rec - true) ** 2).mean()); bg = estimate_background(ds.videos[ds.indices('train')])
print(f'{len(ev)} {a.split} videos; reconstruction MSE {mse_rec:.2e}')
for sh in a.shadow:
  fut = tracks[sh].numpy()[ev, PAST_FRAMES:]                 # the tracks measured in the true frames 13-16 (the oracle guide)
  fut = fut if fut.ndim == 4 else fut[:, :, None]
  for e in a.epochs:
    for lr in a.lr:
        name = f'dev_renderer_e{e}_lr{lr:g}_sh{sh}'; t0 = time.perf_counter()
        gf = train_track_model(gen, ds, ids, run, epochs=e, lr=lr, seed=a.seed, tracks=tracks[sh], progress=False,
                               **{**prediction_pattern(tok), 'name': name})
        secs = time.perf_counter() - t0
        rend = TrackPredictor(VideoGenerator(load_generator(run/name/'generator.pt'), tok), lambda past: fut, bg if sh else None, steps=1)
        s = frame_scores(rend(v), true, fg)
        sm = s.summary()
        print(f'shadow={sh} epochs={e:2d} lr={lr:g}: centroid {sm["centroid_err_px"]:.3f} px, MSE {sm["mse"] / mse_rec:.3f}x recon, '
              f'fg PSNR {sm["fg_psnr_db"]:.2f} dB; {secs:.0f} s', flush=True)
