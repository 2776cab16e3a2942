"07_i3d: what 08_llm relies on (get_i3d, the predictor's shapes) and the honesty rule, outside the notebook."
import numpy as np, pytest, torch
from trajnb.i3d import (I3DConfig, I3DNet, FrameNet, I3DPredictor, get_i3d, save_i3d, load_i3d, load_pretrained, inflate)

def _videos(n=3, t=16, seed=0):
    return torch.rand(n, t, 3, 64, 64, generator=torch.Generator().manual_seed(seed))

def test_future_frames_cannot_change_any_output():
    net = I3DNet(I3DConfig()).eval()
    v = _videos()
    w = v.clone(); w[:, 12:] = torch.rand(3, 4, 3, 64, 64)
    with torch.no_grad(): a, b, c = net(v), net(w), net(v[:, :12].clone())
    for x, y, z in zip(a, b, c): assert torch.equal(x, y) and torch.equal(x, z)

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
