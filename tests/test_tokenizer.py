"What the 03_tokenizer / 04_classify notebooks cannot show well: files on disk, bad files, chunking, the run-directory fallbacks."
import numpy as np, pytest, torch
from trajnb.tokenizer import (VideoTokenizer, TokenizerConfig, FSQ, LFQ, save_tokenizer, load_tokenizer, get_tokenizer,
                              get_tokens, TOK_FORMAT)
from trajnb.dataset import make_dataset, save_dataset

torch.set_num_threads(1)

def tiny(**kw):
    tok = VideoTokenizer(channels=(8, 16), **kw)
    for m in tok.modules():                     # give the zero-initialised layers weights, as training would
        if isinstance(m, torch.nn.Conv3d) and not m.weight.any(): torch.nn.init.normal_(m.weight, std=0.05)
    return tok.eval()

@pytest.fixture(scope='module')
def videos():
    torch.manual_seed(0)
    return torch.rand(5, 16, 3, 64, 64)

@pytest.mark.parametrize('q', ['fsq', 'lfq'])
def test_save_load_roundtrip(tmp_path, videos, q):
    tok = tiny(quantizer=q)
    save_tokenizer(tok, tmp_path/'tokenizer'/'tokenizer.pt')
    for where in (tmp_path/'tokenizer'/'tokenizer.pt', tmp_path/'tokenizer', tmp_path):   # file, its folder, the run dir
        tok2 = load_tokenizer(where)
        assert tok2.cfg == tok.cfg
        assert torch.equal(tok2.encode(videos), tok.encode(videos))
        assert torch.allclose(tok2.decode(tok.encode(videos)), tok.decode(tok.encode(videos)))

def test_bad_files(tmp_path):
    tok = tiny()
    f = save_tokenizer(tok, tmp_path/'t.pt')
    (tmp_path/'trunc.pt').write_bytes(f.read_bytes()[:200])
    with pytest.raises(ValueError, match='not a readable tokenizer'): load_tokenizer(tmp_path/'trunc.pt')
    torch.save({'format': 'something/else'}, tmp_path/'other.pt')
    with pytest.raises(ValueError, match='not a trajnb tokenizer'): load_tokenizer(tmp_path/'other.pt')
    ck = torch.load(f, weights_only=True); ck['config']['channels'] = (16, 32)
    torch.save(ck, tmp_path/'mismatch.pt')
    with pytest.raises(ValueError, match='weights do not fit'): load_tokenizer(tmp_path/'mismatch.pt')
    with pytest.raises(FileNotFoundError, match='no tokenizer'): load_tokenizer(tmp_path/'missing.pt')

def test_chunking_and_validation(videos):
    tok = tiny()
    ids = tok.encode(videos, batch_size=5)
    assert torch.equal(tok.encode(videos, batch_size=2), ids)
    assert torch.allclose(tok.decode(ids, batch_size=2), tok.decode(ids, batch_size=5), atol=1e-5)
    with pytest.raises(ValueError, match='values must be in'): tok.decode(ids + tok.codebook_size)
    with pytest.raises(ValueError, match='expected shape'): tok.decode(ids[:, :2])
    with pytest.raises(ValueError, match='floats'): tok.encode((videos * 255).to(torch.uint8))
    with pytest.raises(ValueError, match='bad quantizer'): TokenizerConfig(quantizer='vq')

def test_causal_after_reload(tmp_path, videos):
    save_tokenizer(tiny(), tmp_path/'t.pt'); tok = load_tokenizer(tmp_path/'t.pt')
    later = videos.clone(); later[:, 12:] = 1 - later[:, 12:]
    a, b = tok.encode(videos), tok.encode(later)
    assert torch.equal(a[:, :3], b[:, :3]) and not torch.equal(a[:, 3], b[:, 3])
    assert torch.allclose(tok.decode(a)[:, :12], tok.decode(b)[:, :12], atol=1e-5)
    assert tok.frames_per_step * tok.grid[0] == 16

def test_get_tokenizer_trains_once_then_loads(tmp_path):
    save_dataset(make_dataset(40, 0), tmp_path/'dataset.npz')
    tok = get_tokenizer(tmp_path, n_samples=40)
    f = tmp_path/'tokenizer'/'tokenizer.pt'
    assert f.exists() and (tmp_path/'tokenizer'/'best.pt').exists()
    t0 = f.stat().st_mtime_ns
    tok2 = get_tokenizer(tmp_path, n_samples=40)
    assert f.stat().st_mtime_ns == t0                                  # loaded, not retrained
    ids = get_tokens(tmp_path, tok2, n_samples=40)
    assert ids.shape == (40, *tok2.grid) and ids.dtype == np.int64 and ids.max() < tok2.codebook_size

def test_token_classifier_on_videos(tmp_path):
    from trajnb.classify import get_token_classifier
    save_dataset(make_dataset(40, 0), tmp_path/'dataset.npz')
    judge = get_token_classifier(tmp_path, n_samples=40)
    p = judge(torch.rand(3, 16, 3, 64, 64))
    assert p.shape == (3, 4) and torch.allclose(p.sum(1), torch.ones(3), atol=1e-5)
    assert (tmp_path/'token_classifier'/'classifier.pt').exists()

def test_snap_tolerance_survives_save_load(tmp_path, videos):
    tok = tiny(); tok.init_background(videos); tok.cfg.snap_tol = 0.05
    tok2 = load_tokenizer(save_tokenizer(tok, tmp_path/'t.pt'))
    assert tok2.cfg.snap_tol == 0.05
    ids = tok.encode(videos)
    assert torch.equal(tok2.decode(ids), tok.decode(ids))
    raw, snapped = tok.decode(ids, snap=False), tok.decode(ids)
    near = (raw - tok.bg_ref.transpose(1, 2)).abs().amax(2, keepdim=True) < 0.05
    assert near.any() and not near.all()
    assert torch.equal(torch.where(near, tok.bg_ref.transpose(1, 2).expand_as(raw), raw), snapped)

def test_time_reversed_classifier_averages_both_directions(tmp_path, videos):
    from trajnb.classify import classifier_for, VideoClassifier, load_classifier, predict_ids
    from dataclasses import asdict
    tok = tiny()
    clf = classifier_for(tok, width=8, depth=1, time_reverse=True).eval()
    torch.save(dict(format='trajnb.classify/1', config=asdict(clf.cfg), model=clf.state_dict()), tmp_path/'classifier.pt')
    clf2 = load_classifier(tmp_path)
    assert clf2.cfg.time_reverse
    p = VideoClassifier(tok, clf2)(videos)
    fwd, rev = (torch.from_numpy(predict_ids(clf2, tok.encode(v))) for v in (videos, videos.flip(1)))
    assert torch.allclose(p, (fwd + rev) / 2, atol=1e-6) and not torch.allclose(p, fwd, atol=1e-4)

def test_layer_times():
    from trajnb.tokenizer import layer_times
    tok = VideoTokenizer(channels=(8, 16)).eval()
    g = torch.Generator().manual_seed(0)
    batch = (torch.randint(0, 256, (2, 16, 3, 64, 64), dtype=torch.uint8, generator=g), torch.rand(2, 16, 64, 64, generator=g) > 0.9)
    nt = torch.get_num_threads()
    rows = layer_times(tok, batch, n=1)
    assert len(rows) == len(tok.encoder) + len(tok.decoder) + 2          # every layer, the quantizer, the whole loss
    assert rows[0]['layer'].startswith('encoder[0] CausalConv3d 96->8 k3x3x3') and rows[0]['at'] == '8x16x16'
    assert all(r['fwd_bwd_ms'] > 0 for r in rows)
    assert rows[-1]['fwd_bwd_ms'] >= max(r['fwd_bwd_ms'] for r in rows[:-1])   # the whole step costs more than any part
    assert not tok.training and torch.get_num_threads() == nt               # mode and threads restored
    assert all(p.grad is None for p in tok.parameters())
