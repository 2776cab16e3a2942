"`trajnb run`: a real papermill batch run, a failing notebook, bad arguments."
import json, subprocess, sys
from pathlib import Path
import nbformat, pytest
from trajnb.run import run, NotebookFailed, main

ROOT = Path(__file__).resolve().parents[1]
TRAJNB = Path(sys.executable).parent/'trajnb'

def test_cli_runs_dataset_notebook(tmp_path):
    out = tmp_path/'out'
    r = subprocess.run([TRAJNB, 'run', '--out', out, '--only', '00_dataset', '--profile', 'quick', '--no-progress',
                        '-p', 'n_samples', '48', '-p', 'speed_sizes', '[48]'], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-4000:]
    for f in ['00_dataset.ipynb', '00_dataset.html', 'metrics.json', 'report.md', 'dataset.npz']: assert (out/f).exists(), f
    m = json.loads((out/'metrics.json').read_text())
    assert m['00_dataset.n_samples'] == 48                                   # -p reached the notebook
    assert m['00_dataset.unique_fraction'] == 1.0 and m['00_dataset.min_motion_px'] >= 8
    assert all(isinstance(v, (int, float)) for v in m.values())
    assert all(k.startswith('00_dataset.') for k in m)
    rep = (out/'report.md').read_text()
    assert '| 00_dataset |' in rep and '`00_dataset.videos_per_s`' in rep
    nb = nbformat.read(out/'00_dataset.ipynb', as_version=4)
    assert any('injected-parameters' in c.metadata.get('tags', []) for c in nb.cells)

def _nb(path, *sources):
    nb = nbformat.v4.new_notebook(metadata={'kernelspec': {'name': 'python3', 'language': 'python', 'display_name': 'python3'}})
    nb.cells = [nbformat.v4.new_code_cell('run_dir = None\nseed = 0', metadata={'tags': ['parameters']})]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)

def test_failing_notebook_stops_run_and_keeps_earlier_output(tmp_path):
    nbs = tmp_path/'nbs'; nbs.mkdir()
    _nb(nbs/'aa_ok.ipynb', 'from trajnb.core import save_metrics\nsave_metrics(run_dir, "aa_ok", {"x": 1.5})')
    _nb(nbs/'bb_fail.ipynb', 'a = 1', 'raise ValueError("boom in the second cell")')
    _nb(nbs/'cc_never.ipynb', 'from trajnb.core import save_metrics\nsave_metrics(run_dir, "cc_never", {"y": 1})')
    out = tmp_path/'out'
    with pytest.raises(NotebookFailed) as e:
        run(out, 'quick', nbs_dir=nbs, pipeline=('aa_ok', 'bb_fail', 'cc_never'), progress=False)
    msg = str(e.value)
    assert 'bb_fail' in msg and 'cell' in msg and 'boom in the second cell' in msg
    m = json.loads((out/'metrics.json').read_text())
    assert m['aa_ok.x'] == 1.5 and 'cc_never.y' not in m                  # earlier kept, later never ran
    assert (out/'aa_ok.html').exists() and (out/'bb_fail.ipynb').exists()
    assert 'failed in bb_fail' in (out/'report.md').read_text()

def test_cli_failure_exit_code(tmp_path, capsys):
    nbs = tmp_path/'nbs'; nbs.mkdir()
    _nb(nbs/'zz_fail.ipynb', '1/0')
    code = main(['run', '--out', str(tmp_path/'o'), '--nbs', str(nbs), '--only', 'zz_fail', '--no-progress'])
    assert code == 1
    err = capsys.readouterr().err
    assert 'zz_fail failed in cell' in err and 'ZeroDivisionError' in err

def test_bad_arguments(tmp_path, capsys):
    assert main(['run', '--out', str(tmp_path/'o'), '--only', 'no_such_notebook']) == 2
    assert 'no such notebook' in capsys.readouterr().err
    assert main(['run', '--out', str(tmp_path/'o'), '--only', '00_dataset', '-p', 'not_a_parameter', '3']) == 2
    assert 'not_a_parameter' in capsys.readouterr().err

def test_only_rerun_keeps_earlier_wall_times(tmp_path):
    "A second run with --only into the same directory reports every notebook's wall time, marking which ran when."
    nbs = tmp_path/'nbs'; nbs.mkdir()
    _nb(nbs/'aa_ok.ipynb', 'from trajnb.core import save_metrics\nsave_metrics(run_dir, "aa_ok", {"x": 1.0})')
    _nb(nbs/'bb_ok.ipynb', 'from trajnb.core import save_metrics\nsave_metrics(run_dir, "bb_ok", {"y": 2.0})')
    out = tmp_path/'out'
    run(out, 'quick', nbs_dir=nbs, pipeline=('aa_ok', 'bb_ok'), progress=False)
    first = json.loads((out/'metrics.json').read_text())
    (out/'metrics'/'bb_ok.json').write_text(json.dumps({'y': 2.0, 'gone': 3.0}))   # a key the notebook no longer writes
    run(out, 'quick', only=['bb_ok'], nbs_dir=nbs, pipeline=('aa_ok', 'bb_ok'), progress=False)
    m = json.loads((out/'metrics.json').read_text())
    assert m['aa_ok.wall_seconds'] == first['aa_ok.wall_seconds'] and m['bb_ok.wall_seconds'] > 0
    assert m['aa_ok.x'] == 1.0 and m['bb_ok.y'] == 2.0
    assert 'bb_ok.gone' not in m                                        # the re-run replaced bb_ok's metrics
    rep = (out/'report.md').read_text()
    assert '| aa_ok |' in rep and 'an earlier run' in rep and '| bb_ok |' in rep and 'this run' in rep

def test_batch_runs_have_no_training_bars(tmp_path, monkeypatch):
    "`run` sets TRAJNB_PROGRESS=0 for the kernel: a fit with progress=True writes no tqdm bar into the executed notebook."
    monkeypatch.delenv('TRAJNB_PROGRESS', raising=False)
    nbs = tmp_path/'nbs'; nbs.mkdir()
    _nb(nbs/'aa_fit.ipynb', 'import os, torch\nfrom trajnb.train import fit, TrainConfig\n'
        'ds = torch.utils.data.TensorDataset(torch.randn(16, 2), torch.randn(16, 1)); m = torch.nn.Linear(2, 1)\n'
        'loss = lambda m, b: ((m(b[0]) - b[1]) ** 2).mean()\n'
        'r = fit(m, ds, loss, TrainConfig(epochs=2, batch_size=4, device="cpu", progress=True), run_dir, name="toy")\n'
        'print("flag", os.environ.get("TRAJNB_PROGRESS"), "steps", r.steps)')
    out = tmp_path/'out'
    run(out, 'quick', nbs_dir=nbs, pipeline=('aa_fit',), progress=False)
    nb = nbformat.read(out/'aa_fit.ipynb', as_version=4)
    text = ''.join(o.get('text', '') + json.dumps(o.get('data', {})) for c in nb.cells for o in c.get('outputs', []))
    assert 'flag 0 steps 8' in text
    assert 'step/s' not in text and '8/8' not in text                  # no tqdm bar
    assert 'TRAJNB_PROGRESS' not in __import__('os').environ            # the caller's environment is left as it was
