"""Development (not run by the pipeline): how good is 05's pixel judge, and how much of a Frechet distance is the tokenizer's?

05's `PixelJudge` (a 3D CNN over the frames beside an MLP over the ball's measured track) is trained on the dataset's
840 training videos; it reads 95.9% of real test videos right, so a class match near 90% is partly the judge's own
error. Here it is trained with `--more` further training videos of the dataset's stream (00's `more_training_videos`)
for each of `--epochs`, and scored on the `--split` videos (default: validation), overall and per class.

Then, in each judge's features, Frechet distances between sets of `--n_fd` real videos that no judge trained on (the
next samples of the dataset's stream, after every `--more`): two real sets (the floor), and the tokenizer's
reconstruction of the second set against the first (what drawing through the tokenizer costs before any generator).
"""
import argparse, time
import numpy as np, torch
from trajnb.core import run_path
from trajnb.dataset import CLASSES, get_dataset, more_training_videos
from trajnb.tokenizer import get_tokenizer
from trajnb.generate import train_pixel_judge, judge_apply, frechet_distance

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--more', type=int, nargs='+', default=[0, 3000])
ap.add_argument('--epochs', type=int, nargs='+', default=[8])
ap.add_argument('--n_fd', type=int, default=400, help='videos per Frechet set')
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--split', default='val', choices=('val', 'test'), help='the videos scored (default val)')
a = ap.parse_args()
torch.set_num_threads(a.threads)
run = run_path(a.run); ds = get_dataset(run); tok = get_tokenizer(run); ev = ds.indices(a.split)
more = more_training_videos(ds, max(a.more))
fresh = more_training_videos(ds, 2 * a.n_fd, start=len(ds) + max(a.more))        # never trained on by any judge here
A, B = fresh.videos[:a.n_fd], fresh.videos[a.n_fd:2 * a.n_fd]
with torch.no_grad(): rB = np.concatenate([tok.decode(tok.encode(torch.from_numpy(B[i:i + 32]).float() / 255)).clamp(0, 1).numpy()
                                           for i in range(0, len(B), 32)])
print(f'{len(more)} more training videos; {a.split}: {len(ev)} videos; Frechet sets of {len(A)} fresh stream videos')
for n in a.more:
    for e in a.epochs:
        t0 = time.perf_counter()
        j, best, hist = train_pixel_judge(ds, epochs=e, seed=a.seed, progress=False, more=more.subset(np.arange(n)))
        secs = time.perf_counter() - t0
        pred = judge_apply(j, ds.videos[ev]).argmax(1).numpy(); y = ds.labels[ev]
        per = {c: round(float((pred[y == i] == i).mean()), 3) for i, c in enumerate(CLASSES)}
        f = lambda v: judge_apply(j, v, 'features').numpy()
        fA, fB, frB = f(A), f(B), f(rB)
        print(f'more={n:5d} epochs={e:2d}: {a.split} accuracy {float((pred == y).mean()):.3f} {per}, best epoch {best}, {secs:.0f} s; '
              f'Frechet real-real {frechet_distance(fB, fA):.3f}, recon-real {frechet_distance(frB, fA):.3f}', flush=True)
