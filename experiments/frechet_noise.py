"""Development (not run by the pipeline): how noisy is 05's Frechet distance at n = 400 videos a set?

05 scores every set against one real set of 400 test videos and reads the floor from one second real set. Here the
pixel judge of a finished run scores, against `--reps` random real reference sets of the same size drawn from the large
test set (balanced over the classes), each disjoint from the set it is compared with:
- the floor: another random real set of the same size;
- the learned generator's videos (the published seeds);
- the tokenizer's reconstructions and the track model drawing along real tracks, of a fixed real set, excluded from
  the references.
With `--shadow` (for a run whose learned generator draws the ball's track alone): a track model that also takes the shadow's track (trained here as 05 trains its own, on the training
split, saved as run_dir/track_model_shadow/) draws the same fixed real set along its ball's and shadow's tracks, and the
generated videos of a learned generator of both points (a two-point `TrackFlow` trained as 05 trains its own, drawn by
that track model).
Also the same at smaller set sizes (the Frechet distance's bias grows as 1/n), so that FD(n) = FD_inf + k/n can be fitted
(05's `frechet_references`, which 05 now runs itself for its own sets).
The test split's videos are read only to score, as 05 does; no setting is chosen here.
"""
import argparse, math, time
import numpy as np, torch, pandas as pd
from trajnb.core import run_path
from trajnb.dataset import CLASSES, get_dataset, get_test_set
from trajnb.generate import get_generator, get_pixel_judge, judge_apply, frechet_references, maskgit_decode
from trajnb.tokenizer import get_tokenizer, get_tokens
from trajnb.dataset import estimate_background, tracks_of, more_training_tracks, training_tracks
from trajnb.generate import train_track_model, load_generator, train_track_flow, LearnedGenerator

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full')
ap.add_argument('--reps', type=int, default=20)
ap.add_argument('--n_per_class', type=int, default=100)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--shadow', action='store_true', help='also draw along the real ball and shadow tracks with a 2-point track model')
ap.add_argument('--flow_more', type=int, default=10000)
ap.add_argument('--flow_steps', type=int, default=10000)
ap.add_argument('--flow_width', type=int, default=128)
ap.add_argument('--split', default='val', choices=('val', 'test'), help='unused: the large test set is the reference, as in 05')
a = ap.parse_args()
torch.set_num_threads(a.threads)
run = run_path(a.run); ds = get_dataset(run); big = get_test_set(run); seed = 0; k = a.n_per_class
judge = get_pixel_judge(run, len(ds), seed); tok = get_tokenizer(run, len(ds), seed)
feat = lambda v: judge_apply(judge, v, 'features').numpy()
t0 = time.time(); real = feat(big.videos); print(f'{len(real)} real features in {time.time() - t0:.0f} s', flush=True)
by_class = [np.flatnonzero(big.labels == i) for i in range(4)]
fixed = np.concatenate([c[-k:] for c in by_class])                 # the real set that the tokenizer and the drawing redraw
pool = [c[:-k] for c in by_class]                                 # references and floor sets come from the rest
lgen = get_generator(run, len(ds), seed, kind='learned')
bg = estimate_background(ds.videos[ds.indices('train')])           # the scene, to find the shadow
if a.shadow and lgen.model.cfg.track_points > 1: ap.error('--shadow compares with a one-point learned generator; this run has a two-point one')
t0 = time.time()
learned = np.concatenate([feat(tok.decode(lgen.sample(c, k, seed=seed * 1000 + i)[0]).clamp(0, 1).numpy()) for i, c in enumerate(CLASSES)])
with torch.no_grad():
    recon = np.concatenate([feat(tok.decode(tok.encode(torch.from_numpy(big.videos[fixed[i:i + 64]]).float() / 255)).clamp(0, 1).numpy())
                            for i in range(0, len(fixed), 64)])
    tr = torch.from_numpy(tracks_of(big.videos[fixed], bg if lgen.model.cfg.track_points > 1 else None)).squeeze(2)   # the points its renderer takes
    ids = torch.cat([maskgit_decode(lgen.model, torch.as_tensor(big.labels[fixed[i:i + 100]]), seed=seed * 1000 + 950 + i,
                                    track=tr[i:i + 100], **lgen.defaults) for i in range(0, len(fixed), 100)])
    along = feat(tok.decode(ids.view(-1, *tok.grid)).clamp(0, 1).numpy())
sets = dict(tokenizer=recon, along_real_tracks=along, learned=learned)
if a.shadow:
    f2 = run/'track_model_shadow'/'generator.pt'
    if not f2.exists():
        t1 = time.time()
        train_track_model(get_generator(run, len(ds), seed, physics=False), ds, get_tokens(run, tok, ds), run, epochs=4, lr=2e-3,
                          n_past_steps=3, n_val=64, seed=seed, name='track_model_shadow', tracks=training_tracks(ds, shadow=True), progress=False)
        print(f'2-point track model trained in {time.time() - t1:.0f} s', flush=True)
    m2 = load_generator(f2)
    tr2 = torch.from_numpy(tracks_of(big.videos[fixed], bg))
    with torch.no_grad():
        ids2 = torch.cat([maskgit_decode(m2, torch.as_tensor(big.labels[fixed[i:i + 100]]), seed=seed * 1000 + 950 + i,
                                         track=tr2[i:i + 100], **lgen.defaults) for i in range(0, len(fixed), 100)])
    sets['along_real_ball_shadow'] = feat(tok.decode(ids2.view(-1, *tok.grid)).clamp(0, 1).numpy())
    # the learned generator of both points: a flow over the ball's and the shadow's tracks (the 05 recipe), drawn by m2
    t1 = time.time(); tr_i = ds.indices('train')
    more_t, more_l = more_training_tracks(ds, a.flow_more, bg, exclude=big.points, cache=run/'stream_tracks.npz')
    ftr = np.concatenate([tracks_of(ds.videos[tr_i], bg), more_t]); fl = np.concatenate([ds.labels[tr_i], more_l])
    print(f'{len(ftr)} two-point training tracks, {np.isfinite(ftr).reshape(len(ftr), -1).all(1).mean():.1%} with both points', flush=True)
    flow2, _ = train_track_flow(ftr, fl, steps=a.flow_steps, width=a.flow_width, seed=seed)
    print(f'two-point flow trained in {time.time() - t1:.0f} s', flush=True)
    g2 = LearnedGenerator(m2, tok, flow2, **lgen.defaults)
    sets['learned_ball_shadow'] = np.concatenate([feat(tok.decode(g2.sample(c, k, seed=seed * 1000 + i)[0]).clamp(0, 1).numpy())
                                                  for i, c in enumerate(CLASSES)])
print(f'generated and redrawn sets in {time.time() - t0:.0f} s', flush=True)
rest = np.concatenate(pool)
rows, summary = frechet_references(sets, real[rest], big.labels[rest], k, n_ref=a.reps, seed=0)
df = pd.DataFrame(rows)
print(df.pivot_table(index='n', columns='set', values='fd', aggfunc=['mean', 'std']).round(2).to_string())
print(pd.DataFrame(summary).T.round(2).to_string())
