"""Development runs of 05's masked token transformer on a full run's tokens, scored as 06_predict and 05_generate score.

Not part of the package or the tests: the measurements behind the tables in 05_generate and 06_predict.
  python experiments/transformer_runs.py --run runs/full --epochs 60 --name e60          # 2x the published training
  python experiments/transformer_runs.py --run runs/full --epochs 7 --more 3000 --name more3000   # 3000 more stream videos
  python experiments/transformer_runs.py --run runs/full --aux 1.0 --name aux               # + a centroid-regression head
  python experiments/transformer_runs.py --run runs/full --no-factorized --name free_ids    # 1000 free ids, no digit head
  python experiments/transformer_runs.py --run runs/full --no-rope --name no_rope           # absolute positions only
Each prints one JSON line (and appends it to OUT/results.jsonl): steps, validation loss, future-token accuracy on the
ball, centroid error on frames 13-16 of the `--split` videos (default: validation; one argmax round, as 06, and the other `--pred-steps`), MSE vs reconstruction, displacement gain, class match
of 25 generated videos per class (05's seeds and decoding) read by the run's 04 judge.
"""
import argparse, json, time
import numpy as np, torch, torch.nn as nn
from trajnb.generate import (MaskGITConfig, MaskedTokenTransformer, MaskGITLoss, VideoGenerator, background_ids,
                             future_accuracy, future_region, token_levels)
from trajnb.predict import FuturePredictor, frame_scores, displacement_gain, PAST_FRAMES
from trajnb.train import TrainConfig, fit, load_checkpoint
from trajnb.core import seed_everything
from trajnb.dataset import CLASSES, get_dataset, foreground_mask, ball_centroid, more_training_videos
from trajnb.tokenizer import get_tokenizer, get_tokens
from trajnb.classify import get_token_classifier

ap = argparse.ArgumentParser()
ap.add_argument('--run', default='runs/full'); ap.add_argument('--out', default='/tmp/trajnb_dev'); ap.add_argument('--name', default='exp')
ap.add_argument('--epochs', type=int, default=30); ap.add_argument('--bs', type=int, default=8); ap.add_argument('--lr', type=float, default=1e-3)
ap.add_argument('--more', type=int, default=0, help='more training videos from the dataset stream')
ap.add_argument('--aux', type=float, default=0.0, help='weight of a head regressing the 16 ball centroids (prefix samples only)')
ap.add_argument('--no-factorized', action='store_true', help='free 1000-way ids instead of the FSQ digits (levels=None)')
ap.add_argument('--no-rope', action='store_true', help='learned absolute positions only, no 3D rotary attention')
ap.add_argument('--pred-steps', type=int, nargs='+', default=[1], help='decoding rounds of the prediction scores (the first is the headline)')
ap.add_argument('--save-generator', default=None, help='also save the trained transformer (05 format, save_generator) to this path')
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--split', default='val', choices=('val', 'test'),
                help='videos scored for prediction (default val; its first 64 also pick the best epoch)')
a = ap.parse_args()
torch.set_num_threads(a.threads)
ds = get_dataset(a.run); tok = get_tokenizer(a.run); ids = torch.as_tensor(np.asarray(get_tokens(a.run, tok, ds))).long()
labels, split = torch.as_tensor(ds.labels), ds.split
if a.more:
    more = more_training_videos(ds, a.more)
    ids = torch.cat([ids, tok.encode(torch.from_numpy(more.videos).float() / 255)]); labels = torch.cat([labels, torch.as_tensor(more.labels)])
    split = np.concatenate([split, more.split]); print(f'{len(more)} more training videos', flush=True)
cen = torch.from_numpy(np.concatenate([ball_centroid(ds.videos[i:i + 100].astype(np.float32) / 255) for i in range(0, len(ds), 100)])).float() / 8
if a.more: cen = torch.cat([cen, torch.from_numpy(ball_centroid(more.videos.astype(np.float32) / 255)).float() / 8])

class AuxTransformer(MaskedTokenTransformer):
    "05's transformer plus a linear head on the class token's output that regresses the ball's 16 centroids (in 8 px cells)."
    def __init__(self, cfg):
        super().__init__(cfg); self.aux = nn.Linear(cfg.d_model, 32); nn.init.zeros_(self.aux.weight); nn.init.zeros_(self.aux.bias)
    def forward(self, ids, labels, per_digit=False, track=None):
        h = self.hidden(ids, labels, track); self.aux_out = self.aux(h[:, 0]).view(-1, 16, 2)
        return self.logits(h[:, 1:], per_digit)

class AuxLoss(MaskGITLoss):
    "05's loss (background weighting) + `aux` x squared centroid error of the head, on the prefix-pattern samples."
    def masks(self, *args, **kw):
        out = super().masks(*args, **kw); self.is_pre = out[1]; return out
    def __call__(self, model, batch):
        main, ms = super().__call__(model, batch[:2])          # one forward pass: it also left model.aux_out
        c = batch[2]; sel = torch.isfinite(c).all(-1) & self.is_pre[:, None]
        aux = (((model.aux_out - torch.nan_to_num(c)) ** 2).sum(-1) * sel).sum() / sel.sum().clamp(min=1)
        return main + a.aux * aux, dict(ms, aux_px=8 * aux.sqrt())

tr, va = np.flatnonzero(split == 'train'), np.flatnonzero(split == 'val')[:64]
seed_everything(0)
mcfg = MaskGITConfig(tok.codebook_size, tok.grid, d_model=128, n_layers=4, n_heads=4,
                     levels=None if a.no_factorized else token_levels(tok), rope=not a.no_rope)
model = (AuxTransformer if a.aux else MaskedTokenTransformer)(mcfg); model.background.copy_(background_ids(ids[tr]))
loss = (AuxLoss if a.aux else MaskGITLoss)(p_prefix=0.5, n_past_steps=3, fg_weight=4.0); loss.background = model.background.clone()
data = lambda idx: torch.utils.data.TensorDataset(ids[idx], labels[idx], *([cen[idx]] if a.aux else []))
res = fit(model, data(tr), loss, TrainConfig(epochs=a.epochs, batch_size=a.bs, lr=a.lr, seed=0, device='cpu', progress=False),
          f'{a.out}/{a.name}', val_ds=data(va), eval_fn=lambda m: future_accuracy(m, ids[va], 3), name='generator')
if res.best_path is not None: load_checkpoint(res.best_path, model)
model.eval(); h = res.history[-1]
if a.save_generator and not a.aux:
    from trajnb.generate import save_generator
    save_generator(model, a.save_generator)

te = ds.indices(a.split); v = ds.videos[te]; true = v[:, PAST_FRAMES:].astype(np.float32) / 255
fg_te = foreground_mask(ds.points[te], ds.camera)[:, PAST_FRAMES:]
by_steps = {k: frame_scores(FuturePredictor(VideoGenerator(model, tok), steps=k)(v), true, fg_te).summary()['centroid_err_px'] for k in a.pred_steps}
p = FuturePredictor(VideoGenerator(model, tok), steps=a.pred_steps[0])(v)
fs = frame_scores(p, true, fg_te); s, e = fs.summary(), fs.centroid_err
rec = tok.decode(ids[te])[:, PAST_FRAMES:].clamp(0, 1).numpy()
c = ball_centroid(v.astype(np.float32) / 255); last = c[:, PAST_FRAMES - 1:PAST_FRAMES]; dt, dp = c[:, PAST_FRAMES:] - last, ball_centroid(p) - last
out = dict(name=a.name, args=vars(a), train_s=res.train_seconds, videos_per_s=res.samples_per_s, steps=h['step'], val_loss=h.get('val_loss'),
           future_fg_acc=h.get('future_fg_acc'), centroid_err_px=s['centroid_err_px'], per_frame=np.nanmean(e, 0).round(2).tolist(),
           mse_ratio_to_recon=s['mse'] / float(((rec - true) ** 2).mean()), displacement_gain=float(displacement_gain(dt, dp)),
           centroid_err_px_by_steps=by_steps, per_class={cl: float(np.nanmean(e[ds.labels[te] == i])) for i, cl in enumerate(CLASSES)})
if a.aux:
    with torch.no_grad():
        x = ids[te].flatten(1).masked_fill(future_region(mcfg.grid, 3), mcfg.mask_id); model(x, torch.full((len(te),), mcfg.null_class))
    ea = np.linalg.norm(model.aux_out.numpy() * 8 - c, axis=-1)           # the head's error per frame, future masked
    out.update(aux_head_future_px=float(np.nanmean(ea[:, PAST_FRAMES:])), aux_head_past_px=float(np.nanmean(ea[:, 1:PAST_FRAMES])),
               aux_head_per_frame=np.nanmean(ea, 0).round(2).tolist())
judge = get_token_classifier(a.run); gen = VideoGenerator(model, tok)
out['class_match'] = {cl: float((judge(gen.generate(cl, 25, seed=i)).numpy().argmax(1) == i).mean()) for i, cl in enumerate(CLASSES)}
print(json.dumps(out), flush=True)
with open(f'{a.out}/results.jsonl', 'a') as f: f.write(json.dumps(out) + '\n')
