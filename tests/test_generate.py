"05_generate / 06_predict: mask schedule, seeded generation, honest prefix conditioning, save/load, projected family fits."
import math
import numpy as np, pytest, torch
from trajnb.generate import (MaskGITConfig, MaskedTokenTransformer, MaskGITLoss, VideoGenerator, cosine_schedule, random_mask,
                             future_region, maskgit_decode, save_generator, load_generator, physics_check, token_levels,
                             rope_angles, token_foreground)
from trajnb.predict import FuturePredictor, past_ids, PAST_FRAMES, estimate_background, shadow_centroid
from trajnb.tokenizer import VideoTokenizer, TokenizerConfig
from trajnb.dataset import make_dataset, CLASSES

@pytest.fixture(scope='module')
def parts():
    "An untrained tiny tokenizer and transformer that fit together (honesty and determinism do not need training)."
    torch.manual_seed(0)
    tok = VideoTokenizer(TokenizerConfig(channels=(8, 16), blocks=(1, 1))).eval()
    model = MaskedTokenTransformer(MaskGITConfig(tok.codebook_size, tok.grid, d_model=32, n_layers=1, levels=token_levels(tok))).eval()
    return tok, model

@pytest.fixture(scope='module')
def videos():
    return torch.from_numpy(make_dataset(4, seed=3).videos).float() / 255

def test_mask_schedule():
    g = torch.Generator().manual_seed(1)
    assert float(cosine_schedule(0.0)) == 1.0 and abs(float(cosine_schedule(1.0))) < 1e-6
    m = random_mask(20000, 256, generator=g)
    assert m.sum(1).min() >= 1
    assert abs(m.float().mean().item() - 2 / math.pi) < 0.01            # E[cos(pi r / 2)], r ~ U(0,1)
    fut = future_region((4, 8, 8), 3)
    m = random_mask(2000, 256, fut, generator=g)
    assert not m[:, :192].any() and m[:, 192:].sum(1).min() >= 1
    assert abs(m[:, 192:].float().mean().item() - 2 / math.pi) < 0.02

def test_rotary_angles_and_factorised_scores(parts):
    a = rope_angles((4, 8, 8), 32)
    assert a.shape == (257, 16) and (a[0] == 0).all()                # class token: no rotation
    ft, fh = 10 ** (-torch.arange(6) / 6), 10 ** (-torch.arange(5) / 5)          # 16 pairs: 6 for time, 5 for rows, 5 for columns
    assert torch.allclose(a[1 + 64], torch.cat([ft, torch.zeros(10)]))          # (t, y, x) = (1, 0, 0)
    assert torch.allclose(a[1 + 2 * 8], torch.cat([torch.zeros(6), 2 * fh, torch.zeros(5)]))   # (0, 2, 0)
    _, model = parts
    lp = model(torch.randint(0, 1000, (2, 256)), torch.tensor([0, 4]))
    assert torch.allclose(lp.exp().sum(-1), torch.ones(2, 256), atol=1e-4)   # normalised over the 1000 ids

def test_loss_only_counts_masked_tokens(parts):
    _, model = parts
    ids = torch.randint(0, model.cfg.vocab_size, (8, *model.cfg.grid)); y = torch.arange(8) % 4
    torch.manual_seed(0); loss, ms = MaskGITLoss()(model, (ids, y))
    assert loss.ndim == 0 and math.isfinite(loss.item()) and 0 <= ms['masked_acc'] <= 1
    assert abs(loss.item() - math.log(model.cfg.vocab_size)) < 1.0     # untrained: about uniform

def test_generation_is_seeded(parts):
    tok, model = parts
    gen = VideoGenerator(model, tok, steps=4)
    a, b, c = gen.sample_ids('helical', 2, seed=5), gen.sample_ids('helical', 2, seed=5), gen.sample_ids('helical', 2, seed=6)
    assert torch.equal(a, b) and not torch.equal(a, c)
    v = gen.generate('linear', 1, seed=0)
    assert v.shape == (1, 16, 3, 64, 64) and v.min() >= 0 and v.max() <= 1
    with pytest.raises(ValueError, match='unknown class'): gen.generate('spiral', 1)

def test_decode_keeps_known_tokens(parts):
    _, model = parts
    ids = torch.randint(0, model.cfg.vocab_size, (3, model.cfg.n_tokens))
    known = ~future_region(model.cfg.grid, 3).expand(3, -1)
    out = maskgit_decode(model, torch.full((3,), model.cfg.null_class), ids, known, steps=3, temperature=1.0, seed=0)
    assert torch.equal(out[known], ids[known]) and (out < model.cfg.vocab_size).all()

def test_prediction_ignores_the_future(parts, videos):
    "Changing frames 13-16 changes neither the conditioning tokens nor the prediction; changing the past does change the conditioning."
    tok, model = parts
    pred = FuturePredictor(VideoGenerator(model, tok), steps=2)
    alt = videos.clone(); alt[:, PAST_FRAMES:] = torch.rand_like(alt[:, PAST_FRAMES:])
    assert torch.equal(past_ids(tok, videos), past_ids(tok, alt))
    assert torch.equal(past_ids(tok, videos), tok.encode(videos)[:, :pred.n_past])   # the tokenizer is causal
    assert torch.equal(pred.predict_ids(videos), pred.predict_ids(alt))
    assert np.array_equal(pred(videos), pred(alt))
    past = videos.clone(); past[:, 8:PAST_FRAMES] = torch.rand_like(past[:, 8:PAST_FRAMES])
    assert not torch.equal(past_ids(tok, videos), past_ids(tok, past))

def test_save_load_roundtrip(parts, tmp_path):
    _, model = parts
    model.background.fill_(3)
    f = save_generator(model, tmp_path/'generator'/'generator.pt')
    m2 = load_generator(tmp_path)
    assert m2.cfg == model.cfg and torch.equal(m2.background, model.background)
    ids = torch.randint(0, model.cfg.vocab_size, (2, model.cfg.n_tokens))
    assert torch.equal(m2(ids, torch.tensor([0, 4])), model(ids, torch.tensor([0, 4])))
    f.write_bytes(f.read_bytes()[:100])
    with pytest.raises(ValueError, match='not a readable generator'): load_generator(f)
    with pytest.raises(FileNotFoundError): load_generator(tmp_path/'nothing')

def test_token_foreground():
    ds = make_dataset(4, seed=3)
    fg = token_foreground(ds, (4, 8, 8))
    assert fg.shape == (4, 4, 8, 8) and fg.any((2, 3)).all()           # the ball is in every step
    assert 0.02 < fg.float().mean() < 0.5

def test_physics_check_recovers_families():
    ds = make_dataset(4, seed=21)
    sel, fits = physics_check(ds.camera, ds.videos)
    assert list(sel) == list(CLASSES)
    assert all(fits[i][c].rmse_px < 0.5 for i, c in enumerate(CLASSES))

def test_guided_prediction_ignores_the_future(videos):
    "The guide (the track read from frames 1-12 and extrapolated) and the guided prediction do not move when frames 13-16 change."
    torch.manual_seed(0)
    tok = VideoTokenizer(TokenizerConfig(channels=(8, 16), blocks=(1, 1))).eval()
    model = MaskedTokenTransformer(MaskGITConfig(tok.codebook_size, tok.grid, d_model=32, n_layers=1, levels=token_levels(tok), track=True)).eval()
    cam = make_dataset(4, seed=3).camera
    pred = FuturePredictor(VideoGenerator(model, tok), cam=cam)
    assert pred.guide
    alt = videos.clone(); alt[:, PAST_FRAMES:] = torch.rand_like(alt[:, PAST_FRAMES:])
    g = pred.track(videos)
    # equal up to rounding: numpy's SIMD reductions inside the fit may differ by an ulp between calls on the same input
    # (seen: 4e-6 px on a repeated call); a guide that read frames 13-16 (noise here) would move by pixels
    assert g.shape == (4, 16, 2) and np.isfinite(g).all() and np.abs(g - pred.track(alt)).max() < 1e-4
    assert torch.equal(pred.predict_ids(videos), pred.predict_ids(alt))
    assert not torch.equal(pred.predict_ids(videos), pred.predict_ids(videos, track=None))    # the guide reaches the model
    with pytest.raises(ValueError, match='camera'): FuturePredictor(VideoGenerator(model, tok), guide=True)
    with pytest.raises(ValueError, match='takes a track'):
        FuturePredictor(VideoGenerator(MaskedTokenTransformer(MaskGITConfig(tok.codebook_size, tok.grid, d_model=32, n_layers=1)), tok), cam=cam, guide=True)

def test_shadow_guide():
    "06 finds the shadow in the pixels (at its projected ground point), and a guide with the shadow reads frames 1-12 only."
    torch.manual_seed(0)
    ds = make_dataset(8, seed=5); cam = ds.camera
    bg = estimate_background(ds.videos)
    found = shadow_centroid(ds.videos, bg)
    truth = np.stack(cam.project(ds.points * [1, 1, 0])[:2], -1)
    assert found.shape == (8, 16, 2) and np.nanmean(np.linalg.norm(found - truth, axis=-1)) < 0.3
    tok = VideoTokenizer(TokenizerConfig(channels=(8, 16), blocks=(1, 1))).eval()
    model = MaskedTokenTransformer(MaskGITConfig(tok.codebook_size, tok.grid, d_model=32, n_layers=1, levels=token_levels(tok),
                                                 track=True, track_points=2)).eval()
    with pytest.raises(ValueError, match='background'): FuturePredictor(VideoGenerator(model, tok), cam=cam)
    pred = FuturePredictor(VideoGenerator(model, tok), cam=cam, background=bg)
    v = torch.from_numpy(ds.videos[:3]).float() / 255
    alt = v.clone(); alt[:, PAST_FRAMES:] = torch.rand_like(alt[:, PAST_FRAMES:])
    g = pred.track(v)
    assert g.shape == (3, 16, 2, 2) and np.isfinite(g).all() and np.abs(g - pred.track(alt)).max() < 1e-4   # up to rounding, as above
    assert np.abs(g[:, PAST_FRAMES:, 1] - found[:3, PAST_FRAMES:]).max() < 0.5     # the shadow's future, extrapolated
    assert torch.equal(pred.predict_ids(v), pred.predict_ids(alt))

def test_track_condition_trains():
    "With a track, the loss reaches the track embedding; p_track=0 gives no track (its projection gets no weight gradient)."
    torch.manual_seed(0)
    model = MaskedTokenTransformer(MaskGITConfig(50, (4, 8, 8), d_model=32, n_layers=1, track=True))
    ids, y, tr = torch.randint(0, 50, (4, 4, 8, 8)), torch.arange(4), torch.rand(4, 16, 2) * 64
    MaskGITLoss(p_track=1.0)(model, (ids, y, tr))[0].backward()
    assert model.track_proj.weight.grad.abs().sum() > 0
    model.zero_grad(); MaskGITLoss(p_track=0.0)(model, (ids, y, tr))[0].backward()
    assert model.track_proj.weight.grad.abs().sum() == 0
    two = MaskedTokenTransformer(MaskGITConfig(50, (4, 8, 8), d_model=32, n_layers=1, track=True, track_points=2))   # ball and shadow
    MaskGITLoss(p_track=1.0)(two, (ids, y, torch.stack([tr, tr.flip(-1)], 2)))[0].backward()
    g = two.track_proj.weight.grad.abs().view(32, 2, -1).sum((0, 2))          # input features: the ball's, then the shadow's
    assert (g > 0).all()

def test_fine_tuning_init_adds_only_the_track_embedding(tmp_path):
    "train_generator(init=...) starts a track-taking model from a track-free one's weights; anything else that does not fit is refused."
    from trajnb.generate import train_generator
    from trajnb.train import TrainConfig
    ds = make_dataset(8, seed=3)
    ids = torch.randint(0, 50, (8, 4, 8, 8))
    base = MaskedTokenTransformer(MaskGITConfig(50, (4, 8, 8), d_model=32, n_layers=1))
    cfg = MaskGITConfig(50, (4, 8, 8), d_model=32, n_layers=1, track=True)
    fit0 = train_generator(ids, ds, cfg, TrainConfig(epochs=1, lr=1e-12, progress=False), MaskGITLoss(p_track=1.0), tmp_path, seed=0,
                           init=base.state_dict())                  # a step too small to move anything
    assert torch.allclose(fit0.model.blocks[0].qkv.weight, base.blocks[0].qkv.weight, atol=1e-8) and hasattr(fit0.model, 'track_proj')
    with pytest.raises(ValueError, match='does not fit'):
        train_generator(ids, ds, MaskGITConfig(50, (4, 8, 8), d_model=32, n_layers=2, track=True), TrainConfig(epochs=1, progress=False),
                        MaskGITLoss(), tmp_path, init=base.state_dict())

def test_physics_guided_generation(parts, tmp_path):
    "05's motion prior draws seeded, acceptable, recombined paths of the requested family; the physics-guided generator draws along them."
    from trajnb.generate import MotionPrior, PhysicsGenerator
    tok, model = parts
    ds = make_dataset(16, seed=11)
    prior = MotionPrior.fit(ds.camera, ds.videos, ds.labels)
    assert sum(len(v) for v in prior.params.values()) == len(ds)          # rendered paths: every fit within 1 px
    for fam in set(ds.families):
        paths, draws = prior.sample(fam, 12, seed=0)
        assert paths.shape == (12, 16, 3) and (draws >= 1).all()
        assert np.array_equal(prior.sample(fam, 12, seed=0)[0], paths) and not np.array_equal(prior.sample(fam, 12, seed=1)[0], paths)
        tr = prior.tracks(paths)
        assert tr.shape == (12, 16, 2) and ((tr > 0) & (tr < 64)).all()
        train = np.stack([ds.points[i] for i in range(len(ds)) if ds.families[i] == fam])
        if len(train) > 1:                                                # recombined: some path is no training video's
            assert (np.abs(paths[:, None] - train[None]).max((2, 3)).min(1) > 1e-3).any()
    with pytest.raises(ValueError, match='no fitted paths'): MotionPrior({}, ds.camera).sample('linear', 1)
    p2 = MotionPrior.load(prior.save(tmp_path/'prior.json'), ds.camera)
    fam = ds.families[0]
    assert np.allclose(p2.sample(fam, 3, seed=4)[0], prior.sample(fam, 3, seed=4)[0])
    tm = MaskedTokenTransformer(MaskGITConfig(tok.codebook_size, tok.grid, d_model=32, n_layers=1, levels=token_levels(tok), track=True)).eval()
    gen = PhysicsGenerator(tm, tok, prior, steps=2)
    (a, ta), (b, tb) = gen.sample(fam, 2, seed=3), gen.sample(fam, 2, seed=3)
    assert a.shape == (2, *tok.grid) and torch.equal(a, b) and np.array_equal(ta, tb)
    assert np.allclose(ta, prior.tracks(prior.sample(fam, 2, seed=3)[0]))   # drawn along the prior's paths for that seed
    with pytest.raises(ValueError, match='must take a track'): PhysicsGenerator(model, tok, prior)
