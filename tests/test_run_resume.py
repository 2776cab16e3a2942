"`trajnb run --resume`: a run killed in the middle of a notebook, resumed, ends with the metrics of an uninterrupted run."
import json, os, signal, subprocess, sys, time
from pathlib import Path
import nbformat, pytest
from trajnb.run import run

TRAJNB = Path(sys.executable).parent/'trajnb'
SMALL = ['--only', '00_dataset', '01_baselines', '-p', 'n_samples', '48', '-p', 'speed_sizes', '[48]',
         '-p', 'n_trees', '10', '-p', 'cv_folds', '2', '-p', 'n_penalty_fit', '4', '--no-progress']
# The metrics of 00_dataset and 01_baselines that measure time: everything else is a function of the seed.
TIMING_KEYS = {'00_dataset.videos_per_s', '00_dataset.videos_per_s_48', '00_dataset.wall_seconds',
               '01_baselines.features_ms_per_trajectory', '01_baselines.notebook_seconds', '01_baselines.wall_seconds'}

def _state(out):
    try: return json.loads((out/'run.json').read_text())
    except (OSError, ValueError): return {}

def _kernels_of(pid):
    "Kernel processes that `pid` started (jupyter_client sets JPY_PARENT_PID in their environment; they run in their own session)."
    found = []
    for p in Path('/proc').iterdir():
        if not p.name.isdigit(): continue
        try: env = (p/'environ').read_bytes().split(b'\0')
        except OSError: continue
        if f'JPY_PARENT_PID={pid}'.encode() in env: found.append(int(p.name))
    return found

def _kill_run_in(proc, out, nb, timeout=300):
    "Wait until `nb` is running in `out` and its executed notebook exists, let it get into its cells, then SIGKILL the run's process group."
    t0 = time.time()
    while not (_state(out).get('notebooks', {}).get(nb, {}).get('status') == 'running' and (out/f'{nb}.ipynb').exists()):
        assert proc.poll() is None, f'the run ended before {nb} started: {(out.parent/"cut.log").read_text()[-3000:]}'
        assert time.time() - t0 < timeout, f'{nb} never started'
        time.sleep(0.2)
    time.sleep(4)                                       # into the notebook's cells (01_baselines runs for 15-30 s here)
    assert proc.poll() is None, 'the run finished before it could be killed'
    kernels = _kernels_of(proc.pid)
    os.killpg(proc.pid, signal.SIGKILL); proc.wait()
    t0 = time.time()                                    # the orphaned kernel notices its parent is gone (ipykernel's parent poller)
    while [k for k in kernels if Path(f'/proc/{k}').exists()] and time.time() - t0 < 15: time.sleep(0.2)
    for k in kernels:                                   # a kernel still alive after 15 s is killed by its pid
        try: os.kill(k, signal.SIGKILL)
        except ProcessLookupError: pass

@pytest.mark.slow
def test_resume_after_sigkill_matches_uninterrupted_run(tmp_path):
    ref, cut = tmp_path/'ref', tmp_path/'cut'
    env = {**os.environ, 'PYTHONUNBUFFERED': '1'}
    # The uninterrupted reference and the run to be killed run side by side (timings are excluded from the comparison).
    p_ref = subprocess.Popen([TRAJNB, 'run', '--out', ref, *SMALL], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    log = open(tmp_path/'cut.log', 'w')
    p_cut = subprocess.Popen([TRAJNB, 'run', '--out', cut, *SMALL], stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True, env=env)                    # its own process group
    _kill_run_in(p_cut, cut, '01_baselines')
    st = _state(cut)
    assert st['notebooks']['00_dataset']['status'] == 'done' and st['notebooks']['01_baselines']['status'] == 'running'
    assert st['finished'] is None and not (cut/'metrics'/'01_baselines.json').exists()
    done_mtime = (cut/'00_dataset.ipynb').stat().st_mtime_ns
    r = subprocess.run([TRAJNB, 'run', '--out', cut, '--resume', *SMALL], capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stderr[-4000:]
    assert '00_dataset: done in an earlier run, outputs intact: skipped' in r.stderr
    assert (cut/'00_dataset.ipynb').stat().st_mtime_ns == done_mtime          # not re-executed
    out, err = p_ref.communicate(timeout=600)
    assert p_ref.returncode == 0, err[-4000:]
    a, b = json.loads((ref/'metrics.json').read_text()), json.loads((cut/'metrics.json').read_text())
    assert set(a) == set(b) and TIMING_KEYS <= set(a)
    assert {k: a[k] for k in a if k not in TIMING_KEYS} == {k: b[k] for k in b if k not in TIMING_KEYS}
    st = _state(cut)
    assert [st['notebooks'][n]['status'] for n in ('00_dataset', '01_baselines')] == ['done', 'done'] and st['finished']
    rep = (cut/'report.md').read_text()
    assert '| 00_dataset |' in rep and 'an earlier run' in rep and '| 01_baselines |' in rep and 'this run' in rep

def _nb(path, source):
    nb = nbformat.v4.new_notebook(metadata={'kernelspec': {'name': 'python3', 'language': 'python', 'display_name': 'python3'}})
    nb.cells = [nbformat.v4.new_code_cell('run_dir = None\nscale = 1', metadata={'tags': ['parameters']}), nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, path)

def test_resume_reruns_from_what_differs(tmp_path):
    "Resume skips intact notebooks; other params, a changed source or a lost executed notebook rerun that one and all after it."
    nbs = tmp_path/'nbs'; nbs.mkdir()
    for n in ('aa', 'bb', 'cc'):
        _nb(nbs/f'{n}.ipynb', f'from trajnb.core import save_metrics\nimport time\nsave_metrics(run_dir, "{n}", {{"scale": scale, "t": time.time()}})')
    out, pipe = tmp_path/'out', ('aa', 'bb', 'cc')
    go = lambda **kw: run(out, 'quick', nbs_dir=nbs, pipeline=pipe, progress=False, **kw)
    ran = lambda m0, m1: [n for n in pipe if m0[f'{n}.t'] != m1[f'{n}.t']]
    m0 = go()
    m1 = go(resume=True);                          assert ran(m0, m1) == []
    m2 = go(resume=True, params={'scale': 2});     assert ran(m1, m2) == ['aa', 'bb', 'cc'] and m2['cc.scale'] == 2
    (out/'bb.ipynb').unlink()
    m3 = go(resume=True, params={'scale': 2});     assert ran(m2, m3) == ['bb', 'cc']
    _nb(nbs/'cc.ipynb', 'from trajnb.core import save_metrics\nimport time\nsave_metrics(run_dir, "cc", {"scale": scale, "t": time.time(), "new": 1})')
    m4 = go(resume=True, params={'scale': 2});     assert ran(m3, m4) == ['cc'] and m4['cc.new'] == 1
    m5 = go(params={'scale': 2});                  assert ran(m4, m5) == ['aa', 'bb', 'cc']       # without --resume: everything runs
    st = json.loads((out/'run.json').read_text())
    assert all(st['notebooks'][n]['status'] == 'done' and st['notebooks'][n]['params'] == {'scale': 2, 'run_dir': str(out.resolve())} for n in pipe)
