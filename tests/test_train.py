"Tests of trajnb.train: schedule, clipping, files, checkpoints, exact resume after SIGKILL, DDP under torchrun."
import os, sys, json, time, math, pickle, signal, subprocess, textwrap
from pathlib import Path
import pytest, torch
from torch import nn
from torch.utils.data import TensorDataset
from trajnb.train import TrainConfig, fit, load_checkpoint, lr_factor, make_optimizer, make_scheduler, train_step

ROOT = Path(__file__).resolve().parents[1]

def data(n=96, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 8, generator=g)
    return TensorDataset(x, x @ torch.randn(8, 2, generator=g) + 0.1 * torch.randn(n, 2, generator=g))

def net(seed=0, p=0.2):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(p), nn.Linear(32, 2))

def mse(model, batch):
    x, y = batch
    err = model(x) - y
    return (err**2).mean(), {'mae': err.abs().mean()}

def cfg(**kw): return TrainConfig(**{**dict(epochs=3, batch_size=16, lr=3e-3, progress=False, ckpt_every_min=None, best_metric='train_loss'), **kw})

def same_weights(a, b): return all(torch.equal(x, y) for x, y in zip(a.values(), b.values()))

# ---------------------------------------------------------------- schedule and clipping
def test_warmup_cosine_schedule_values():
    c = cfg(lr=0.1, warmup_frac=0.1, min_lr_frac=0.05)
    opt = make_optimizer(nn.Linear(2, 2), c); sch = make_scheduler(opt, 50, c)
    lrs = []
    for _ in range(50): lrs.append(opt.param_groups[0]['lr']); opt.step(); sch.step()
    assert lrs[:5] == pytest.approx([0.02, 0.04, 0.06, 0.08, 0.1])            # linear warm-up over 5 steps
    assert lrs[5] == pytest.approx(0.1) and lrs[-1] == pytest.approx(0.005)    # cosine from the peak to min
    mid = 0.005 + 0.095 * 0.5 * (1 + math.cos(math.pi * 20 / 44))
    assert lrs[25] == pytest.approx(mid)
    assert all(a >= b for a, b in zip(lrs[5:], lrs[6:]))                       # monotone after warm-up
    assert lr_factor(0, 1, 0.0, 0.3) == pytest.approx(1.0) and lr_factor(7, 8, 0.0, 0.3) == pytest.approx(0.3)

@pytest.mark.parametrize('clip', [0.5, None])
def test_grad_clipping(clip):
    torch.manual_seed(0); m = nn.Linear(4, 3)
    c = cfg(grad_clip=clip); opt = make_optimizer(m, c); sch = make_scheduler(opt, 10, c)
    loss_fn = lambda m, x: 1000 * m(x).pow(2).sum()
    loss, ms, norm = train_step(m, torch.randn(5, 4), loss_fn, opt, sch, torch.amp.GradScaler('cpu', enabled=False), clip)
    g = torch.cat([p.grad.flatten() for p in m.parameters()]).norm().item()
    assert norm > 10
    assert g == pytest.approx(clip if clip else norm, rel=1e-4)

# ---------------------------------------------------------------- files
def test_status_history_and_checkpoints(run_dir):
    calls = []
    def eval_fn(model):
        assert not model.training and not torch.is_grad_enabled()
        calls.append(1); return {'score': torch.tensor(len(calls) * 1.0)}
    res = fit(net(), data(), mse, cfg(status_every_s=0.0, best_metric='val_loss'), run_dir, val_ds=data(40, 1), eval_fn=eval_fn, name='m')
    d = run_dir/'m'
    assert res.steps == 18 and res.latest_path == d/'latest.pt' and res.best_path == d/'best.pt'
    assert res.train_seconds > 0 and res.samples_per_s > 0 and not res.model.training
    hist = json.loads((d/'history.json').read_text())
    assert hist == res.history and [r['epoch'] for r in hist] == [1, 2, 3] and [r['step'] for r in hist] == [6, 12, 18]
    for k in ('train_loss', 'train_mae', 'val_loss', 'val_mae', 'score', 'lr', 'samples_per_s'): assert k in hist[0], k
    assert [r['score'] for r in hist] == [1.0, 2.0, 3.0]
    assert hist[-1]['val_loss'] < hist[0]['val_loss']
    st = json.loads((d/'status.json').read_text())
    assert (st['state'], st['epoch'], st['step'], st['total_steps'], st['eta_s']) == ('done', 3, 18, 18, 0.0)
    for k in ('losses', 'metrics', 'samples_per_s', 'time', 'elapsed_s', 'lr', 'grad_norm', 'best'): assert k in st, k
    assert st['metrics'] == hist[-1] and st['losses']['last'] > 0
    best = load_checkpoint(d/'best.pt'); latest = load_checkpoint(d/'latest.pt', net(5))
    assert best['best'] == dict(metric='val_loss', value=min(r['val_loss'] for r in hist),
                                epoch=min(hist, key=lambda r: r['val_loss'])['epoch'])
    assert latest['step'] == 18 and latest['config']['batch_size'] == 16 and len(latest['rng']) == 1
    assert {'model', 'optimizer', 'scheduler', 'rng', 'config', 'history'} <= set(latest)
    assert not list(d.glob('.*.tmp'))                                           # no temporary left behind

def test_best_by_named_metric_max(run_dir):
    scores = iter([0.3, 0.9, 0.5])
    res = fit(net(), data(), mse, cfg(best_metric='acc', best_mode='max'), run_dir, eval_fn=lambda m: {'acc': next(scores)})
    assert load_checkpoint(res.best_path)['best'] == dict(metric='acc', value=0.9, epoch=2)
    assert load_checkpoint(res.best_path)['step'] == 12

def test_best_falls_back_to_train_loss_without_val(run_dir):
    with pytest.warns(UserWarning, match='val_loss'):
        res = fit(net(), data(), mse, cfg(epochs=1, best_metric='val_loss'), run_dir)
    assert load_checkpoint(res.best_path)['best']['metric'] == 'train_loss'

def test_dict_batches_and_plain_loss(run_dir):
    class DS(torch.utils.data.Dataset):
        def __len__(self): return 20
        def __getitem__(self, i): return {'x': torch.full((3,), float(i)), 'y': torch.tensor([i % 2 * 1.0])}
    m = nn.Linear(3, 1)
    res = fit(m, DS(), lambda m, b: ((m(b['x']) - b['y'])**2).mean(), cfg(epochs=1, batch_size=8), run_dir)
    assert res.steps == 3 and res.model is m and 'train_loss' in res.history[0]

def test_config_validation():
    with pytest.raises(ValueError, match='best_mode'): TrainConfig(best_mode='down')
    with pytest.raises(ValueError, match='epochs'): TrainConfig(epochs=0)

# ---------------------------------------------------------------- damaged and foreign checkpoints
@pytest.fixture(scope='module')
def good_ckpt(tmp_path_factory):
    d = tmp_path_factory.mktemp('ck')
    return fit(net(), data(32), mse, cfg(epochs=1), d).latest_path

def test_truncated_checkpoint_names_the_file(good_ckpt, tmp_path):
    raw = good_ckpt.read_bytes()
    for cut in (len(raw) // 2, len(raw) - 10, 50):
        p = tmp_path/f'cut{cut}.pt'; p.write_bytes(raw[:cut])
        with pytest.raises(ValueError, match='not a readable checkpoint') as e: load_checkpoint(p, net())
        assert str(p) in str(e.value)

def test_foreign_files_give_clear_errors(tmp_path):
    files = {'noise.pt': os.urandom(4096), 'empty.pt': b'', 'path.pkl': pickle.dumps(Path('/etc')),
             'text.pt': b'hello, not a checkpoint\n'}
    for name, raw in files.items(): (tmp_path/name).write_bytes(raw)
    torch.save({'state_dict': net().state_dict(), 'epoch': 3}, tmp_path/'other.pt')    # someone else's format
    with open(tmp_path/'dict.pkl', 'wb') as f: pickle.dump({'a': 1}, f, protocol=2)             # a plain pickle
    for name in [*files, 'other.pt', 'dict.pkl']:
        with pytest.raises(ValueError) as e: load_checkpoint(tmp_path/name)
        assert str(tmp_path/name) in str(e.value), (name, e.value)
    with pytest.raises(ValueError, match='not a trajnb checkpoint'): load_checkpoint(tmp_path/'other.pt')
    with pytest.raises(FileNotFoundError, match='missing.pt'): load_checkpoint(tmp_path/'missing.pt')

def test_checkpoint_of_another_model_is_refused(good_ckpt):
    with pytest.raises(ValueError, match=r'do not fit'): load_checkpoint(good_ckpt, nn.Linear(8, 2))

# ---------------------------------------------------------------- resume
def test_resume_in_process_is_exact(run_dir):
    full = fit(net(), data(), mse, cfg(), run_dir, val_ds=data(40, 1), name='full')
    cut = fit(net(), data(), mse, cfg(max_steps=8), run_dir, val_ds=data(40, 1), name='cut')   # mid epoch 2
    assert cut.steps == 8 and len(cut.history) == 1
    assert json.loads((run_dir/'cut'/'status.json').read_text())['state'] == 'stopped'
    res = fit(net(seed=7), data(), mse, cfg(), run_dir, val_ds=data(40, 1), resume=True, name='cut')
    assert res.steps == 18 and same_weights(res.model.state_dict(), full.model.state_dict())
    assert [r['train_loss'] for r in res.history] == [r['train_loss'] for r in full.history]
    again = fit(net(seed=8), data(), mse, cfg(), run_dir, resume=True, name='cut')         # finished: nothing to do
    assert again.steps == 18 and same_weights(again.model.state_dict(), full.model.state_dict())

def test_resume_refuses_a_different_batch_size(run_dir):
    fit(net(), data(), mse, cfg(max_steps=3), run_dir)
    with pytest.raises(ValueError, match='batch_size'): fit(net(), data(), mse, cfg(batch_size=8), run_dir, resume=True)

def test_resume_without_checkpoint_starts_fresh(run_dir):
    assert fit(net(), data(), mse, cfg(epochs=1), run_dir, resume=True).steps == 6

SCRIPT = '''
import sys, time, torch
from torch import nn
from torch.utils.data import TensorDataset
from trajnb.train import TrainConfig, fit
run_dir, name, resume, sleep = sys.argv[1], sys.argv[2], sys.argv[3] == '1', float(sys.argv[4])
g = torch.Generator().manual_seed(0)
x = torch.randn(200, 8, generator=g); y = x @ torch.randn(8, 2, generator=g) + 0.1 * torch.randn(200, 2, generator=g)
torch.manual_seed(1)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 2))
def loss_fn(m, b):
    time.sleep(sleep)
    return ((m(b[0]) - b[1])**2).mean()
cfg = TrainConfig(epochs=3, batch_size=16, lr=3e-3, seed=3, progress=False, status_every_s=0.0,
                  ckpt_every_steps=4, ckpt_every_min=None)
res = fit(model, TensorDataset(x, y), loss_fn, cfg, run_dir, val_ds=TensorDataset(x[:50], y[:50]), resume=resume, name=name)
torch.save(model.state_dict(), f'{run_dir}/{name}_final.pt')
'''

def _python(args, **kw):
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONPATH': str(ROOT)}
    return subprocess.Popen([sys.executable, *map(str, args)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)

def _status_step(path):
    try: return json.loads(path.read_text())['step']
    except (OSError, ValueError, KeyError): return -1

@pytest.fixture(scope='module')
def uninterrupted(tmp_path_factory):
    "The script run once without interruption: (script, its directory, process)."
    d = tmp_path_factory.mktemp('full'); script = d/'train_script.py'; script.write_text(SCRIPT)
    return script, d, _python([script, d, 'full', 0, 0])             # runs alongside the first kill test

@pytest.mark.parametrize('kill_at', [6, 22])
def test_sigkill_then_resume_matches_uninterrupted(tmp_path, kill_at, uninterrupted):
    script, full_dir, full = uninterrupted
    victim = _python([script, tmp_path, 'm', 0, 0.03])
    status, t0 = tmp_path/'m'/'status.json', time.time()
    while _status_step(status) < kill_at:
        assert victim.poll() is None, victim.stdout.read()
        assert time.time() - t0 < 60, 'training script too slow to start'
        time.sleep(0.005)
    victim.send_signal(signal.SIGKILL); victim.wait()
    assert victim.returncode == -signal.SIGKILL
    assert not (tmp_path/'m_final.pt').exists()
    ck = load_checkpoint(tmp_path/'m'/'latest.pt')
    assert 0 < ck['step'] < 39, ck['step']                             # 3 epochs x 13 steps: killed partway
    resumed = _python([script, tmp_path, 'm', 1, 0])
    for p in (full, resumed): assert p.wait(timeout=120) == 0, p.stdout.read()
    a, b = torch.load(full_dir/'full_final.pt', weights_only=True), torch.load(tmp_path/'m_final.pt', weights_only=True)
    assert same_weights(a, b), f'killed at step ~{kill_at}, resumed from step {ck["step"]}'
    ha, hb = (json.loads((d/n/'history.json').read_text()) for d, n in ((full_dir, 'full'), (tmp_path, 'm')))
    assert [(r['train_loss'], r['val_loss']) for r in ha] == [(r['train_loss'], r['val_loss']) for r in hb]

# ---------------------------------------------------------------- DDP
DDP_SCRIPT = '''
import os, sys, torch
from torch import nn
from torch.utils.data import TensorDataset
from trajnb.train import TrainConfig, fit
out, name = sys.argv[1], sys.argv[2]
g = torch.Generator().manual_seed(0)
x = torch.randn(100, 8, generator=g); y = x @ torch.randn(8, 2, generator=g) + 0.1 * torch.randn(100, 2, generator=g)
torch.manual_seed(int(os.environ.get('RANK', 0)))         # different init per rank: DDP must broadcast rank 0's
model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 2))
model.register_buffer('b', torch.full((2,), float(os.environ.get('RANK', 0))))  # rank 0's must win
if int(os.environ.get('RANK', 0)) == 0: torch.save(model.state_dict(), f'{out}/{name}_init.pt')
cfg = TrainConfig(epochs=2, batch_size=16, lr=1e-2, seed=0, progress=False, ckpt_every_min=None, ckpt_every_steps=5)
res = fit(model, TensorDataset(x, y), lambda m, b: ((m(b[0]) - b[1])**2).mean(), cfg, out,
          val_ds=TensorDataset(x[:25], y[:25]), name=name)
torch.save(model.state_dict(), f'{out}/{name}_rank{os.environ.get("RANK", 0)}.pt')
if name == 'ddp':                                          # leaving joins gloo's threads while Python runs
    from trajnb.train import _leave_process_group; _leave_process_group()
    left = [open(f'/proc/self/task/{t}/comm').read().strip() for t in os.listdir('/proc/self/task')]
    assert not [t for t in left if 'gloo' in t], left
'''

@pytest.mark.slow
def test_ddp_matches_single_process(tmp_path):
    script = tmp_path/'ddp_script.py'; script.write_text(DDP_SCRIPT)
    single = _python([script, tmp_path, 'single'])
    ddp = _python(['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', 2, script, tmp_path, 'ddp'])
    for p in (single, ddp): assert p.wait(timeout=300) == 0, p.stdout.read()
    w = {n: torch.load(tmp_path/f'{n}.pt', weights_only=True) for n in ('single_rank0', 'ddp_rank0', 'ddp_rank1', 'single_init')}
    assert same_weights(w['ddp_rank0'], w['ddp_rank1'])                      # processes agree exactly
    assert not same_weights(w['single_rank0'], w['single_init'])             # training happened
    assert torch.equal(w['ddp_rank1']['b'], torch.zeros(2))                  # rank 0's buffers win
    for k in w['single_rank0']: torch.testing.assert_close(w['ddp_rank0'][k], w['single_rank0'][k], rtol=1e-4, atol=1e-5)
    hs, hd = (json.loads((tmp_path/n/'history.json').read_text()) for n in ('single', 'ddp'))
    assert [r['step'] for r in hd] == [7, 14]                                 # 100 samples / global batch 16
    for a, b in zip(hs, hd):
        assert a['train_loss'] == pytest.approx(b['train_loss'], rel=1e-4) and a['val_loss'] == pytest.approx(b['val_loss'], rel=1e-4)
    assert load_checkpoint(tmp_path/'ddp'/'latest.pt')['world_size'] == 2
    assert len(load_checkpoint(tmp_path/'ddp'/'latest.pt')['rng']) == 2
