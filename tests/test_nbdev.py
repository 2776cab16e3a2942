"""The notebooks are the source of truth: they export the package unchanged, and each one runs
(at its smoke-size defaults, slow cells skipped) under `nbdev_test`."""
import os, shutil, subprocess, sys, filecmp
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p.name for p in (ROOT/'nbs').glob('[0-9][0-9]_*.ipynb'))
BIN = Path(sys.executable).parent

def test_export_changes_nothing(tmp_path):
    "nbdev_export, run on a copy of the repository, writes exactly the committed trajnb/."
    for name in ['settings.ini', 'nbs', 'trajnb']:
        src = ROOT/name
        (shutil.copytree(src, tmp_path/name, symlinks=True) if src.is_dir() else shutil.copy(src, tmp_path/name))
    for f in (tmp_path/'trajnb').glob('*.py'): f.unlink()          # export must recreate every module
    subprocess.run([BIN/'nbdev_export'], cwd=tmp_path, check=True, capture_output=True)
    ours = sorted(p.name for p in (ROOT/'trajnb').glob('*.py'))
    theirs = sorted(p.name for p in (tmp_path/'trajnb').glob('*.py'))
    assert ours == theirs, f'modules differ: {set(ours) ^ set(theirs)}'
    changed = [n for n in ours if not filecmp.cmp(ROOT/'trajnb'/n, tmp_path/'trajnb'/n, shallow=False)]
    assert not changed, f'nbdev_export would change {changed}: edit the notebook, export, commit both'

@pytest.fixture(scope='module')
def shared_run_dir(tmp_path_factory):
    "One smoke run directory for all notebooks, in pipeline order, so later ones reuse earlier artifacts."
    return tmp_path_factory.mktemp('smoke_run')

@pytest.mark.parametrize('nb', NBS)
def test_notebook(nb, shared_run_dir):
    "The notebook runs top to bottom at smoke size with its inline tests passing."
    env = {**os.environ, 'TRAJNB_RUN_DIR': str(shared_run_dir)}
    r = subprocess.run([BIN/'nbdev_test', '--path', f'nbs/{nb}', '--do_print'], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f'{nb} failed under nbdev_test:\n{r.stdout[-6000:]}\n{r.stderr[-6000:]}'

def test_parameters_cells():
    "Every pipeline notebook has exactly one cell tagged `parameters` (papermill needs it) defining run_dir and seed."
    import nbformat
    from trajnb.run import PIPELINE
    for nb in [f'{n}.ipynb' for n in PIPELINE if (ROOT/'nbs'/f'{n}.ipynb').exists()] + ['09_run.ipynb']:
        cells = [c for c in nbformat.read(ROOT/'nbs'/nb, as_version=4).cells if 'parameters' in c.metadata.get('tags', [])]
        assert len(cells) == 1, f'{nb}: {len(cells)} parameters cells'
        assert 'run_dir' in cells[0].source and 'seed' in cells[0].source, nb
        assert '#| export' not in cells[0].source, nb
        import ast
        from trajnb.run import notebook_parameters
        assigned = {t.id for node in ast.parse(cells[0].source).body if isinstance(node, ast.Assign) for t in node.targets}
        assert notebook_parameters(ROOT/'nbs'/nb) == assigned, f'{nb}: papermill cannot parse (and so cannot set) {assigned - notebook_parameters(ROOT/"nbs"/nb)}'

def test_readme_is_index():
    "README.md is written directly (nbdev_readme needs Quarto) and must say what nbs/index.ipynb says."
    import nbformat
    cells = [c.source.strip() for c in nbformat.read(ROOT/'nbs'/'index.ipynb', as_version=4).cells if c.cell_type == 'markdown']
    assert '\n\n'.join(cells) == (ROOT/'README.md').read_text().strip()
