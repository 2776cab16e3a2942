"05_generate's learned generator: it calls no physics (the physics raising changes nothing), the hybrid does; the pixel judge and the Frechet distance."
import numpy as np, pytest, torch
import trajnb.generate as G
from trajnb.generate import (MaskGITConfig, MaskedTokenTransformer, TrackFlow, LearnedGenerator, PhysicsGenerator, MotionPrior,
                             train_track_flow, save_track_flow, load_track_flow, train_track_ar, save_track_ar, load_track_ar, token_levels, PixelJudge, judge_apply,
                             frechet_distance, shuffle_frames)
from trajnb.tokenizer import VideoTokenizer, TokenizerConfig
from trajnb.dataset import make_dataset
from trajnb.physics import physics_disabled, PhysicsDisabledError

@pytest.fixture(scope='module')
def parts():
    "An untrained tiny tokenizer and track-taking transformer, and a track flow trained briefly on real tracks."
    torch.manual_seed(0)
    tok = VideoTokenizer(TokenizerConfig(channels=(8, 16), blocks=(1, 1))).eval()
    tm = MaskedTokenTransformer(MaskGITConfig(tok.codebook_size, tok.grid, d_model=32, n_layers=1, levels=token_levels(tok), track=True)).eval()
    ds = make_dataset(8, seed=5)
    tracks = G.video_tracks(ds.videos).numpy()
    return tok, tm, ds, tracks

def test_learned_generator_calls_no_physics(parts):
    tok, tm, ds, tracks = parts
    flow, hist = train_track_flow(tracks, ds.labels, steps=20, width=16)
    ref = LearnedGenerator(tm, tok, flow, steps=2).sample_ids('circular', 2, seed=3)
    prior = MotionPrior({'circular': [p for p, f in zip(ds.params, ds.families) if f == 'circular']}, ds.camera)
    hybrid = PhysicsGenerator(tm, tok, prior, steps=2)
    assert hybrid.sample_ids('circular', 1).shape[0] == 1                            # the hybrid runs outside the switch
    with physics_disabled(globals()):
        flow2, _ = train_track_flow(tracks, ds.labels, steps=20, width=16)       # training calls no physics ...
        ids = LearnedGenerator(tm, tok, flow2, steps=2).sample_ids('circular', 2, seed=3)   # ... nor does sampling
        assert torch.equal(ids, ref)                                                  # and nothing changes
        with pytest.raises(PhysicsDisabledError):                                     # the hybrid needs its prior: it must raise
            hybrid.sample_ids('circular', 1)

def test_track_flow_save_load_and_seed(parts, tmp_path):
    _, _, ds, tracks = parts
    flow, _ = train_track_flow(tracks, ds.labels, steps=10, width=16)
    f = save_track_flow(flow, tmp_path/'flow.pt')
    assert torch.equal(load_track_flow(f).sample([0, 1], seed=2), flow.sample([0, 1], seed=2))
    assert not torch.equal(flow.sample([0], seed=2), flow.sample([0], seed=3))
    with pytest.raises(ValueError, match='track flow'):
        torch.save(dict(format='other'), tmp_path/'bad.pt'); load_track_flow(tmp_path/'bad.pt')

def test_judge_and_frechet():
    j = PixelJudge(width=4, feat=8).eval()
    v = torch.rand(2, 16, 3, 64, 64)
    assert judge_apply(j, v).shape == (2, 4) and judge_apply(j, v, 'features').shape == (2, 16)
    a = np.random.default_rng(0).normal(size=(300, 3))
    assert abs(frechet_distance(a, a)) < 1e-6 and frechet_distance(a, a + 1.0) > 2.9
    s = shuffle_frames(np.arange(32).reshape(2, 16), seed=0)
    assert sorted(s[0]) == list(range(16)) and not np.array_equal(s, np.arange(32).reshape(2, 16))

@pytest.fixture(scope='module')
def two_point(parts):
    "The ball's and the shadow's tracks (N,16,2,2) read from the pixels, and an untrained track model of two points."
    tok, _, ds, _ = parts
    from trajnb.dataset import tracks_of, estimate_background
    tm2 = MaskedTokenTransformer(MaskGITConfig(tok.codebook_size, tok.grid, d_model=32, n_layers=1, levels=token_levels(tok),
                                               track=True, track_points=2)).eval()
    return tracks_of(ds.videos, estimate_background(ds.videos)), tm2

def test_two_point_flow_with_its_track_model(parts, two_point):
    "A flow over the ball's and the shadow's tracks draws both, under the physics switch, and needs a track model of two points."
    tok, tm, ds, _ = parts
    tracks, tm2 = two_point
    with physics_disabled(globals()):
        flow, _ = train_track_flow(tracks, ds.labels, steps=10, width=16)
        ids, drawn = LearnedGenerator(tm2, tok, flow, steps=2).sample('linear', 2, seed=1)
    assert flow.cfg['points'] == 2 and drawn.shape == (2, 16, 2, 2) and ids.shape == (2, *tok.grid)
    with pytest.raises(ValueError, match='point'):
        LearnedGenerator(tm, tok, flow)                                               # a one-point renderer cannot follow it

def test_autoregressive_motion_calls_no_physics(parts, two_point, tmp_path):
    "The autoregressive track model trains and draws both points with the physics switched off, the same as with it on; it saves, loads and keeps its seed."
    tok, _, ds, _ = parts
    tracks, tm2 = two_point
    ar, _ = train_track_ar(tracks, ds.labels, steps=5, bins=8, d_model=16, n_layers=1)
    ref = LearnedGenerator(tm2, tok, ar, steps=2).sample('helical', 2, seed=4)
    with physics_disabled(globals()):
        ar2, _ = train_track_ar(tracks, ds.labels, steps=5, bins=8, d_model=16, n_layers=1)
        ids, drawn = LearnedGenerator(tm2, tok, ar2, steps=2).sample('helical', 2, seed=4)
    assert torch.equal(ids, ref[0]) and np.array_equal(drawn, ref[1]) and drawn.shape == (2, 16, 2, 2)
    f = save_track_ar(ar, tmp_path/'ar.pt')
    assert torch.equal(load_track_ar(f).sample([0, 3], seed=2), ar.sample([0, 3], seed=2))
    assert not torch.equal(ar.sample([0], seed=2), ar.sample([0], seed=3))
    with pytest.raises(ValueError, match='track AR'):
        load_track_ar(save_track_flow(train_track_flow(tracks, ds.labels, steps=2, width=8)[0], tmp_path/'flow.pt'))

def test_train_generator_more_rows(parts, tmp_path):
    "Further training rows (`more=`) join the train split: the background ids are taken over them too, and fg_tokens cannot go with them."
    tok, tm, ds, tracks = parts
    from trajnb.train import TrainConfig
    ids = torch.randint(0, tok.codebook_size, (len(ds), *tok.grid))
    more_ids = torch.full((6, *tok.grid), 7)                          # six further grids of one id: they outvote the train split at every position
    cfg = MaskGITConfig(tok.codebook_size, tok.grid, d_model=16, n_layers=1, levels=token_levels(tok), track=True)
    tc = TrainConfig(epochs=1, batch_size=4, progress=False)
    fit = G.train_generator(ids, ds, cfg, tc, G.MaskGITLoss(p_track=1.0), tmp_path, tracks=tracks, more=(more_ids, np.zeros(6, int), tracks[:6]))
    assert (fit.model.background == 7).all()
    plain = G.train_generator(ids, ds, cfg, tc, G.MaskGITLoss(p_track=1.0), tmp_path / 'plain', tracks=tracks)
    assert not (plain.model.background == 7).all()
    with pytest.raises(ValueError, match='fg_tokens'):
        G.train_generator(ids, ds, cfg, tc, None, tmp_path, fg_tokens=torch.zeros(len(ds), 64, dtype=torch.bool), more=(more_ids, np.zeros(6, int), tracks[:6]))
