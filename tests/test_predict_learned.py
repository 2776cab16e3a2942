"06_predict's learned predictor: a learned track model the renderer follows; honest (frames 1-12 only) and free of physics."
import numpy as np, pytest, torch
from trajnb.generate import MaskGITConfig, MaskedTokenTransformer, VideoGenerator, token_levels
from trajnb.predict import (FuturePredictor, LearnedPredictor, TrackPredictor, TrackForecaster, ForecasterConfig, PAST_FRAMES,
                            constant_velocity, estimate_background, train_track_forecaster, save_forecaster, load_forecaster,
                            track_error, SimVP, simvp_predict, power_law_fit, get_predictor, more_training_tracks)
from trajnb.tokenizer import VideoTokenizer, TokenizerConfig
from trajnb.dataset import make_dataset, training_tracks

from trajnb.physics import physics_disabled

@pytest.fixture(scope='module')
def setup():
    "A small dataset, its measured tracks, a briefly trained forecaster, and an untrained tiny renderer taking two points a frame."
    torch.manual_seed(0)
    ds = make_dataset(24, seed=4)
    tracks = training_tracks(ds).numpy()
    idx = np.arange(len(ds))
    with physics_disabled():                                        # training the track model calls no physics either
        fit = train_track_forecaster(tracks, idx[:18], idx[18:], steps=60, seed=0)
    tok = VideoTokenizer(TokenizerConfig(channels=(8, 16), blocks=(1, 1))).eval()
    model = MaskedTokenTransformer(MaskGITConfig(tok.codebook_size, tok.grid, d_model=32, n_layers=1, levels=token_levels(tok),
                                                 track=True, track_points=2)).eval()
    gen = VideoGenerator(model, tok); bg = estimate_background(ds.videos)
    videos = torch.from_numpy(ds.videos[18:22]).float() / 255
    return ds, tracks, fit, gen, bg, videos

def test_forecaster_beats_nothing_and_saves(setup, tmp_path):
    ds, tracks, fit, gen, bg, videos = setup
    assert fit.history and 1 <= fit.best_step <= 60 and fit.steps_per_s > 0
    f = save_forecaster(fit.model, tmp_path/'fc.pt'); m = load_forecaster(f)
    past = tracks[18:, :PAST_FRAMES]
    np.testing.assert_allclose(m.forecast(past), fit.model.forecast(past), atol=1e-6)
    line = np.stack([np.arange(12.0), np.arange(12.0)], -1)[None, :, None]
    np.testing.assert_allclose(TrackForecaster(ForecasterConfig(points=1)).forecast(line)[0, :, 0], constant_velocity(line)[0, :, 0])
    assert np.isfinite(track_error(fit.model.forecast(past), tracks[18:, PAST_FRAMES:]))

def test_learned_prediction_ignores_the_future_and_calls_no_physics(setup):
    "Changing frames 13-16 moves nothing; the learned predictor runs inside physics_disabled() while the hybrid raises there."
    ds, tracks, fit, gen, bg, videos = setup
    learned = LearnedPredictor(gen, fit.model, bg)
    alt = videos.clone(); alt[:, PAST_FRAMES:] = torch.rand_like(alt[:, PAST_FRAMES:])
    t = learned.track(videos)
    assert t.shape == (4, 16, 2, 2) and np.array_equal(t, learned.track(alt))
    assert torch.equal(learned.predict_ids(videos), learned.predict_ids(alt))
    assert np.array_equal(learned(videos), learned(alt))
    assert not torch.equal(learned.predict_ids(videos), learned.predict_ids(videos, track=None))    # the forecast reaches the renderer
    hybrid = FuturePredictor(gen, cam=ds.camera, background=bg)
    with physics_disabled():
        out = learned(videos)
        with pytest.raises(Exception, match='physics_disabled'): hybrid(videos)                 # the switch bites: the test can fail
    assert np.array_equal(out, learned(videos))
    with pytest.raises(TypeError, match='TrackForecaster'): LearnedPredictor(gen, constant_velocity, bg)
    cv = TrackPredictor(gen, constant_velocity, bg)
    np.testing.assert_allclose(cv.track(videos)[:, PAST_FRAMES:], constant_velocity(cv.past_tracks(videos)))

def test_training_tracks_moved_to_dataset():
    "training_tracks lives in 00_dataset now; the old import from trajnb.predict still gives the same function."
    import trajnb.predict, trajnb.dataset
    assert trajnb.predict.training_tracks is trajnb.dataset.training_tracks is training_tracks

def test_get_predictor_kinds():
    with pytest.raises(ValueError, match='kind'): get_predictor(kind='oracle')

def test_simvp_reads_the_past_only():
    torch.manual_seed(0)
    m = SimVP(C=8, hid=16, n_blocks=2).eval()
    v = np.random.default_rng(0).integers(0, 255, (2, 16, 3, 64, 64), dtype=np.uint8); alt = v.copy(); alt[:, PAST_FRAMES:] = 0
    out = simvp_predict(m, v)
    assert out.shape == (2, 4, 3, 64, 64) and np.array_equal(out, simvp_predict(m, alt))
    a, b = power_law_fit([10, 100, 1000], [1.0, 0.5, 0.25]); assert abs(b + np.log10(2)) < 1e-9 and abs(a * 10 ** b - 1.0) < 1e-9

def test_more_training_tracks_join_the_forecaster(setup):
    "Further training videos' tracks (read from their pixels, none near a held-out path) are appended to the training split's; no physics."
    ds, tracks, fit, gen, bg, videos = setup
    idx = np.arange(len(ds))
    with physics_disabled():
        more, labels = more_training_tracks(ds, 5, bg, chunk=2)                  # rendered two at a time
        assert more.shape[1:] == (16, 2, 2) and 1 <= len(more) <= 5 and len(labels) == len(more) and np.isfinite(more[:, :, 0]).mean() > 0.9
        assert not any(np.allclose(m, t, equal_nan=True) for m in more for t in tracks)   # new videos, not the dataset's own
        a = train_track_forecaster(tracks, idx[:18], idx[18:], steps=30, seed=0, extra=more)
    b = train_track_forecaster(tracks, idx[:18], idx[18:], steps=30, seed=0)
    past = tracks[18:, :PAST_FRAMES]
    assert not np.allclose(a.model.forecast(past), b.model.forecast(past))          # the further tracks changed the training
    assert more_training_tracks(ds, 0, bg)[0].shape == (0, 16, 2, 2) and more_training_tracks(ds, 2)[0].shape[2] == 1   # no scene: the ball alone
