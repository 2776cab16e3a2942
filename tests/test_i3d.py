"07_i3d: what 08_llm relies on (get_i3d, the predictor's shapes) and the honesty rule, outside the notebook."
import numpy as np, pytest, torch
import trajnb.i3d as i3d
from trajnb.i3d import (I3DConfig, I3DNet, FrameNet, I3DPredictor, Plain3DCNN, get_i3d, save_i3d, load_i3d, load_pretrained, inflate)
from trajnb.physics import physics_disabled, PhysicsDisabledError

def _videos(n=3, t=16, seed=0):
    return torch.rand(n, t, 3, 64, 64, generator=torch.Generator().manual_seed(seed))

def test_future_frames_cannot_change_any_output():
    net = I3DNet(I3DConfig()).eval()
    v = _videos()
    w = v.clone(); w[:, 12:] = torch.rand(3, 4, 3, 64, 64)
    with torch.no_grad(): a, b, c = net(v), net(w), net(v[:, :12].clone())
    flat = lambda o: [*o[:3], *o.learned[:3]]                     # hybrid outputs and the purely learned ones
    for x, y, z in zip(flat(a), flat(b), flat(c)): assert torch.equal(x, y) and torch.equal(x, z)

def test_get_i3d_loads_a_saved_model(run_dir):
    net = I3DNet(I3DConfig()).eval()
    save_i3d(net, run_dir/'i3d'/'model.pt')
    pred = get_i3d(run_dir)(_videos(5).numpy())
    assert pred.probs.shape == (5, 4) and pred.track.shape == (5, 12, 3) and pred.forecast.shape == (5, 4, 3)
    assert isinstance(pred.track, np.ndarray) and np.allclose(pred.probs.sum(1), 1, atol=1e-5)
    with torch.no_grad(): ref = net(_videos(5))
    assert np.allclose(pred.track, ref.track.numpy(), atol=1e-5)
    p12 = get_i3d(run_dir)(_videos(5)[:, :12])                      # 12-frame input gives the same answer
    assert np.allclose(p12.forecast, pred.forecast, atol=1e-6)

def test_get_i3d_trains_a_small_model_when_missing(run_dir):
    pred = get_i3d(run_dir, n_samples=12, seed=3)(_videos(2))
    assert (run_dir/'i3d'/'model.pt').exists() and pred.track.shape == (2, 12, 3)

def test_bad_files_get_clear_errors(tmp_path):
    (tmp_path/'junk.pt').write_bytes(b'\x00junk')
    with pytest.raises(ValueError, match='not a readable'): load_i3d(tmp_path/'junk.pt')
    with pytest.raises(FileNotFoundError): load_i3d(tmp_path/'missing.pt')
    torch.save(FrameNet().state_dict(), tmp_path/'frame.pt')
    with pytest.raises(ValueError, match='not a trajnb I3D model'): load_i3d(tmp_path/'frame.pt')
    rep = load_pretrained(I3DNet(), tmp_path/'frame.pt')          # a 2D state dict inflates into the 3D net
    assert rep['inflated'] and not rep['skipped']
    with pytest.raises(ValueError, match='videos must be'): I3DPredictor(I3DNet())(torch.rand(2, 8, 3, 64, 64))

def test_inflated_net_on_a_static_video_is_the_2d_net():
    torch.manual_seed(0)
    m2 = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, 1, 1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.MaxPool2d(2)).eval()
    m3 = inflate(m2, 5).eval()
    x = torch.rand(2, 3, 16, 16)
    with torch.no_grad(): y2, y3 = m2(x), m3(x[:, :, None].expand(-1, -1, 6, -1, -1))
    assert torch.allclose(y3, y2[:, :, None].expand_as(y3), atol=1e-5)

def test_learned_path_calls_no_physics(run_dir):
    "A saved model, loaded outside the switch (building an I3DNet builds trajnb.physics.FamilyFits), runs its learned path inside physics_disabled(); its hybrid raises there."
    torch.manual_seed(0)
    net, v = I3DNet(I3DConfig()).eval(), _videos(4)
    with torch.no_grad(): ref = net(v)                       # outside the switch: the hybrid, with the learned outputs beside it
    with torch.no_grad(): ref_learned = net.learned(v)
    loaded = load_i3d(save_i3d(net, run_dir/'i3d'/'model.pt'))
    with physics_disabled(), torch.no_grad():
        out, pred = loaded.learned(v), I3DPredictor(loaded, path='learned')(v)
        with pytest.raises(PhysicsDisabledError, match='FamilyFits'): loaded(v)          # the hybrid does use them: the switch bites
        with pytest.raises(PhysicsDisabledError): I3DPredictor(loaded)(v)
        with pytest.raises(PhysicsDisabledError): I3DNet(I3DConfig())                   # building one builds FamilyFits
    for x, y, z in zip(out[:3], ref.learned[:3], ref_learned[:3]): assert torch.equal(x, y) and torch.equal(x, z)
    assert np.allclose(pred.forecast, ref.learned.forecast.numpy(), atol=1e-6)
    assert np.allclose(pred.probs, ref.learned.logits.softmax(-1).numpy(), atol=1e-6)
    assert not np.allclose(pred.forecast, ref.forecast.numpy())                      # and the two paths differ
    with torch.no_grad(): after = loaded(v)                                          # restored on exit
    assert torch.equal(after.forecast, ref.forecast)

def test_family_fits_come_from_the_physics_module():
    "07 defines no fits of its own: the hybrid head's FamilyFits is trajnb.physics' one."
    import trajnb.physics as P
    assert i3d.FamilyFits is P.FamilyFits and isinstance(I3DNet().fits, P.FamilyFits)
    assert not hasattr(i3d, '_basis') and not hasattr(i3d, 'FAMILY_BASIS')

def test_predictor_paths():
    p3 = Plain3DCNN().eval()                                                        # no fits: its forward is its learned path
    a, b = I3DPredictor(p3)(_videos(2)), I3DPredictor(p3, path='learned')(_videos(2))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    with pytest.raises(ValueError, match="path must be"): I3DPredictor(p3, path='physics')

def test_fit_forecaster_trains_the_forecaster_alone_and_keeps_the_best_validation_step():
    from trajnb.dataset import make_dataset
    from trajnb.i3d import fit_forecaster
    torch.manual_seed(0)
    net, ds = I3DNet(I3DConfig()).eval(), make_dataset(24, seed=5)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    r = fit_forecaster(net, ds, steps=40, eval_every=10)
    after = net.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before if not k.startswith('forecaster.'))   # the rest is frozen
    assert r['val_loss'] <= min(h['val_loss'] for h in r['history']) + 1e-9 and r['step'] in (0, 10, 20, 30, 40)
