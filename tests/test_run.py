"`trajnb run`: a real papermill batch run with a clean console, a failing notebook, bad command lines."
import json, subprocess, sys
from pathlib import Path
import nbformat, pytest
from trajnb.run import run, NotebookFailed, main

ROOT = Path(__file__).resolve().parents[1]
TRAJNB = Path(sys.executable).parent/'trajnb'

def _noise(text):
    "Lines of kernel machinery noise: any ERROR or WARNING line (progress bars redraw with \\r)."
    return [l for l in text.replace('\r', '\n').splitlines() if 'ERROR' in l or 'WARNING' in l]

def test_cli_runs_dataset_notebook(tmp_path):
    out = tmp_path/'out'
    r = subprocess.run([TRAJNB, 'run', '--out', out, '--only', '00_dataset', '--profile', 'quick',
                        '-p', 'n_samples', '48', '-p', 'speed_sizes', '[48]', '-p', 'n_test', '8'], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-4000:]
    assert _noise(r.stdout + r.stderr) == [], _noise(r.stdout + r.stderr)     # no TCP warning, no KeyboardInterrupt at kernel shutdown
    assert '00_dataset: 100%' in r.stderr and 'report.md' in r.stdout        # the progress bar and where the report is
    for f in ['00_dataset.ipynb', '00_dataset.html', 'metrics.json', 'report.md', 'dataset.npz', 'run.json']: assert (out/f).exists(), f
    m = json.loads((out/'metrics.json').read_text())
    assert m['00_dataset.n_samples'] == 48                                   # -p reached the notebook
    assert m['00_dataset.unique_fraction'] == 1.0 and m['00_dataset.min_motion_px'] >= 8
    assert all(isinstance(v, (int, float)) for v in m.values())
    assert all(k.startswith('00_dataset.') for k in m)
    rep = (out/'report.md').read_text()
    assert '| 00_dataset |' in rep and '`00_dataset.videos_per_s`' in rep
    from trajnb.core import machine_info
    assert f"- machine: {machine_info()['cpu_kind']};" in rep and '- commit: `' in rep and '- profile: `quick`' in rep
    nb = nbformat.read(out/'00_dataset.ipynb', as_version=4)
    assert any('injected-parameters' in c.metadata.get('tags', []) for c in nb.cells)
    st = json.loads((out/'run.json').read_text())
    assert set(st) == {'profile', 'commit', 'dirty', 'machine', 'started', 'finished', 'notebooks'}
    assert st['profile'] == 'quick' and isinstance(st['commit'], str) and isinstance(st['dirty'], bool) and st['finished']
    here = json.loads(json.dumps(machine_info()))      # the kernel's torch threads may differ from this test process's
    assert {k: v for k, v in st['machine'].items() if k != 'torch_threads'} == {k: v for k, v in here.items() if k != 'torch_threads'}
    assert st['machine']['torch_threads'] >= 1
    e = st['notebooks']['00_dataset']
    assert set(e) == {'status', 'params', 'wall_seconds', 'started', 'finished', 'source_sha256'}
    assert e['status'] == 'done' and e['params'] == {'n_samples': 48, 'speed_sizes': [48], 'n_test': 8, 'run_dir': str(out.resolve())}
    assert e['wall_seconds'] == m['00_dataset.wall_seconds'] > 0 and len(e['source_sha256']) == 64

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

def test_cli_failure_names_notebook_cell_and_exception(tmp_path):
    "A failing notebook: exit 1, and stderr names the notebook, the cell, the exception and shows the cell's traceback."
    nbs = tmp_path/'nbs'; nbs.mkdir()
    _nb(nbs/'zz_fail.ipynb', 'x = 2', 'def half(v): return v / 0\nhalf(x)')
    out = tmp_path/'o'
    r = subprocess.run([TRAJNB, 'run', '--out', out, '--nbs', nbs, '--only', 'zz_fail', '--no-progress'],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr[-3000:]
    assert 'zz_fail failed in cell 3' in r.stderr and 'ZeroDivisionError: division by zero' in r.stderr
    assert 'return v / 0' in r.stderr and 'half(x)' in r.stderr               # the failing cell's traceback text
    assert 'trajnb/run.py' not in r.stderr                                    # no traceback of trajnb itself
    assert _noise(r.stderr) == [], _noise(r.stderr)
    st = json.loads((out/'run.json').read_text())
    assert st['notebooks']['zz_fail']['status'] == 'failed' and st['finished'] is None

@pytest.fixture
def blocker(tmp_path):
    f = tmp_path/'a_file'; f.write_text('not a directory'); return f

BAD = {  # case: (arguments, what stderr must say)
    'unknown notebook': (['--only', '00_dataset', 'no_such_notebook'], ['no_such_notebook', 'valid:', '01_baselines']),
    'unknown profile': (['--profile', 'huge', '--only', '00_dataset'], ["unknown profile 'huge'", 'full, quick']),
    'undefined parameter': (['--only', '00_dataset', '-p', 'not_a_parameter', '3'], ['-p not_a_parameter', 'n_samples']),
    'wrong type': (['--only', '00_dataset', '-p', 'n_samples', 'many'], ["-p n_samples 'many'", 'expected int', 'got str']),
    'not a list': (['--only', '00_dataset', '-p', 'speed_sizes', '48'], ['-p speed_sizes 48', 'expected list']),
    'unwritable out': (['--only', '00_dataset', '--out', '{blocker}/sub'], ['--out', 'a_file/sub', 'cannot write there']),
}

@pytest.mark.parametrize('case', list(BAD))
def test_bad_command_lines(case, tmp_path, blocker, capsys):
    "Each bad command line: exit 2, one line naming it and what is valid, no traceback, nothing run."
    args, says = BAD[case]
    out = tmp_path/'o'
    code = main(['run', '--out', str(out), *[a.format(blocker=blocker) for a in args], '--no-progress'])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('trajnb run: '), err
    for s in says: assert s in err, (s, err)
    assert 'Traceback' not in err
    assert not out.exists() or not list(out.iterdir())                       # failed before any notebook ran: nothing written

def test_int_for_float_and_none_pass_the_check(tmp_path):
    from trajnb.run import check_args, load_profiles
    out, d = check_args(tmp_path/'o', 'quick', ['01_baselines', '03_tokenizer'], {'floor_frac': 1, 'n_train': None, 'lr': 3},
                        ROOT/'nbs', load_profiles())
    assert out == (tmp_path/'o').resolve() and d['01_baselines']['floor_frac'] == 0.001

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

def test_dead_kernel_names_the_notebook(tmp_path):
    "A kernel that dies mid-notebook (here: os._exit) fails the run with a NotebookFailed naming the notebook, not a bare traceback."
    nbs = tmp_path/'nbs'; nbs.mkdir()
    _nb(nbs/'kk_dead.ipynb', 'import os\nos._exit(3)')
    with pytest.raises(NotebookFailed) as e:
        run(tmp_path/'out', 'quick', nbs_dir=nbs, pipeline=('kk_dead',), progress=False)
    assert 'kk_dead failed' in str(e.value) and 'DeadKernelError' in str(e.value)
    assert json.loads((tmp_path/'out'/'run.json').read_text())['notebooks']['kk_dead']['status'] == 'failed'


def test_publish_is_wired(tmp_path, capsys):
    "`trajnb publish` reaches 10_report's publish: a directory that holds no run is refused with exit 2, nothing written."
    from trajnb.run import main
    assert main(['publish', str(tmp_path / 'no-run')]) == 2
    assert 'refused' in capsys.readouterr().err


def test_source_hash_ignores_outputs_and_provenance(tmp_path):
    "Publishing a run (outputs, a provenance cell) leaves a notebook's source hash as it was: --resume does not rerun it."
    from trajnb.run import source_sha256
    from trajnb.core import repo_root
    nb = json.loads((repo_root() / 'nbs' / '06_predict.ipynb').read_text())
    bare = {**nb, 'cells': [{**c, **({'outputs': []} if c['cell_type'] == 'code' else {})} for c in nb['cells']
                            if 'provenance' not in c['metadata'].get('tags', [])]}
    (tmp_path / 'a.ipynb').write_text(json.dumps(nb)); (tmp_path / 'b.ipynb').write_text(json.dumps(bare))
    assert source_sha256(tmp_path / 'a.ipynb') == source_sha256(tmp_path / 'b.ipynb')
    bare['cells'][-1] = {**bare['cells'][-1], 'source': 'changed'}
    (tmp_path / 'c.ipynb').write_text(json.dumps(bare))
    assert source_sha256(tmp_path / 'c.ipynb') != source_sha256(tmp_path / 'b.ipynb')

def test_profiles_name_only_parameters_their_notebooks_define():
    "A profile key that no `parameters` cell defines would be injected by papermill and silently ignored."
    from trajnb.run import load_profiles, parameter_defaults, PIPELINE
    for prof, nbs in load_profiles().items():
        for nb, params in nbs.items():
            assert nb in PIPELINE, f'profile {prof}: unknown notebook {nb}'
            missing = set(params) - set(parameter_defaults(ROOT/'nbs'/f'{nb}.ipynb'))
            assert not missing, f'profile {prof}, {nb}: {sorted(missing)} not in its parameters cell'
