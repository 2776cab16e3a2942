"""The docs pipeline up to Quarto: nbdev's notebook processing (what `nbdev_docs` runs before Quarto,
`nbdev_proc_nbs` without its Quarto install) runs on a copy of the repository and processes every notebook;
the sidebar lists every notebook in order; published figures and the generated results table reach `_proc/`.
Quarto itself is not installed here."""
import json, os, shutil, subprocess, sys
from pathlib import Path
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p.name for p in (ROOT / 'nbs').glob('*.ipynb'))
NUMBERED = [n for n in NBS if n[:2].isdigit()]

PROC = """
from nbdev.quarto import refresh_quarto_yml
from nbdev.serve import proc_nbs
refresh_quarto_yml()                   # nbs/nbdev.yml, as nbdev_docs writes it; keeps our _quarto.yml
proc_nbs(n_workers=0, force=True)      # serially: an error names the notebook and the cell
"""

@pytest.fixture(scope='module')
def proc(tmp_path_factory):
    "Run nbdev's docs processing on a copy of the repository; returns the copy."
    d = tmp_path_factory.mktemp('docs')
    for name in ['settings.ini', 'nbs', 'trajnb', 'tests', '_quarto.yml', 'README.md', 'results']:
        src = ROOT / name
        if src.is_dir(): shutil.copytree(src, d / name, symlinks=True, ignore=shutil.ignore_patterns('__pycache__'))
        elif src.exists(): shutil.copy(src, d / name)
    env = {**os.environ, 'TRAJNB_RUN_DIR': str(d / 'run'), 'PYTHONWARNINGS': 'ignore'}
    r = subprocess.run([sys.executable, '-c', PROC], cwd=d, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f'nbdev docs processing failed:\n{r.stdout[-4000:]}\n{r.stderr[-6000:]}'
    return d

def _nb(path): return json.loads(Path(path).read_text())

def test_every_notebook_processed(proc):
    done = sorted(p.name for p in (proc / '_proc').glob('*.ipynb'))
    assert done == NBS, f'missing from _proc/: {sorted(set(NBS) - set(done))}'

def test_sidebar_in_notebook_order(proc):
    side = yaml.safe_load((ROOT / 'nbs' / 'sidebar.yml').read_text())['website']['sidebar']['contents']
    assert side == ['index.ipynb'] + NUMBERED, f'nbs/sidebar.yml should list index.ipynb then {NUMBERED}, got {side}'
    assert (proc / '_proc' / 'sidebar.yml').read_text() == (ROOT / 'nbs' / 'sidebar.yml').read_text()

def test_quarto_config(proc):
    "The Quarto project nbdev_docs renders: our _quarto.yml (kept, not regenerated), nbdev.yml from settings.ini."
    q = yaml.safe_load((proc / '_proc' / '_quarto.yml').read_text())
    assert q['project']['type'] == 'website' and q['metadata-files'] == ['nbdev.yml', 'sidebar.yml']
    assert (ROOT / 'nbs' / '_quarto.yml').resolve() == (ROOT / '_quarto.yml').resolve()
    ny = yaml.safe_load((proc / '_proc' / 'nbdev.yml').read_text())
    assert ny['project']['output-dir'] == '_docs' and ny['website']['title'] == 'trajnb'
    assert (proc / '_proc' / 'styles.css').exists()

def _pngs(nb, skip_hidden=True):
    out = []
    for c in nb['cells']:
        src = ''.join(c.get('source', ''))
        if skip_hidden and any(l.strip().startswith(('#| hide', '#| export', '#|hide', '#|export')) for l in src.split('\n')): continue
        out += [''.join(o['data']['image/png']) if isinstance(o['data']['image/png'], list) else o['data']['image/png']
                for o in c.get('outputs', []) if 'image/png' in o.get('data', {})]
    return out

def test_published_figures_reach_docs(proc):
    published = [n for n in NUMBERED if any('provenance' in c['metadata'].get('tags', []) for c in _nb(ROOT / 'nbs' / n)['cells'])]
    if not published: pytest.skip('no published notebook yet (trajnb publish RUN_DIR adds their outputs)')
    for n in published:
        src = _pngs(_nb(ROOT / 'nbs' / n))
        got = set(_pngs(_nb(proc / '_proc' / n), skip_hidden=False))
        assert all(p in got for p in src), f'{n}: {sum(p not in got for p in src)} of {len(src)} published figures missing from _proc/{n}'
        assert any('provenance' in c['metadata'].get('tags', []) for c in _nb(proc / '_proc' / n)['cells']), n

def test_index_holds_results_table(proc):
    from trajnb.report import MARK_START, MARK_END, results_table, load_run
    text = '\n'.join(''.join(c['source']) for c in _nb(proc / '_proc' / 'index.ipynb')['cells'])
    assert MARK_START in text and MARK_END in text
    if not (ROOT / 'results' / 'metrics.json').exists(): pytest.skip('no results/metrics.json yet: the table is still the hand-written one')
    metrics, info = load_run(ROOT / 'results')
    assert results_table(metrics, info).strip() in text


def _docs_runs(src:str) -> bool:
    "Whether nbdev's docs processing executes a code cell for its imports (nbdev.processors._do_eval: any import anywhere in it)."
    import ast
    try: tree = ast.parse('\n'.join(l for l in src.splitlines() if not l.lstrip().startswith(('%', '!'))))
    except SyntaxError: return False
    return any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(tree))

@pytest.mark.parametrize('name', NBS)
def test_docs_run_only_imports(name):
    """A cell the docs processing runs (it contains an import) is an exported cell, the notebook's first `#| hide` cell,
    or imports only: anything else may use a variable that a skipped cell makes, and stops nbdev_docs (static, fast)."""
    import ast
    cells = [c for c in _nb(ROOT / 'nbs' / name)['cells'] if c['cell_type'] == 'code']
    srcs = [''.join(c['source']) for c in cells]
    first_hide = next((i for i, s in enumerate(srcs) if s.lstrip().startswith('#| hide')), None)
    bad = []
    for i, s in enumerate(srcs):
        if i == first_hide or 'nbdev_export()' in s or not _docs_runs(s): continue
        if any(l.strip().replace(' ', '').startswith(('#|export', '#|exporti', '#|exports', '#|exec_doc')) for l in s.splitlines()): continue
        body = ast.parse('\n'.join(l for l in s.splitlines() if not l.lstrip().startswith(('%', '!')))).body
        if not all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in body): bad.append(s.splitlines()[0][:70])
    assert not bad, f'{name}: cells with imports and other code (move the imports to the first #| hide cell): {bad}'
