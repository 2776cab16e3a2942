"""The development scripts in experiments/ choose on the validation split: each takes `--split`, defaulting to 'val',
and no split is written into its code. Their parsers are rebuilt from their own `add_argument` calls (importing a
script would run it on a full run directory), so the check is the parser the script really builds. Modules whose name
starts with '_' (e.g. `_common.py`) are helpers the scripts import, not scripts: they take no `--split` and name no
split, so every script's split stays in its own code where the checks read it."""
import argparse, ast
from pathlib import Path
import pytest

EXPERIMENTS = Path(__file__).resolve().parents[1]/'experiments'
SCRIPTS = sorted(p for p in EXPERIMENTS.glob('*.py') if not p.name.startswith('_'))
HELPERS = sorted(EXPERIMENTS.glob('_*.py'))

def script_parser(path) -> argparse.ArgumentParser:
    "An ArgumentParser with exactly the `<parser>.add_argument(...)` calls of the script at `path`."
    tree = ast.parse(path.read_text(), str(path))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
             and n.func.attr == 'add_argument' and isinstance(n.func.value, ast.Name)]
    ap = argparse.ArgumentParser(prog=path.name)
    for c in calls:
        args = [ast.literal_eval(a) for a in c.args]
        kw = {k.arg: (eval(compile(ast.Expression(k.value), str(path), 'eval'), {'int': int, 'float': float, 'str': str})
                      if k.arg == 'type' else ast.literal_eval(k.value)) for k in c.keywords}
        ap.add_argument(*args, **kw)
    return ap

def split_literals(path) -> list:
    "Split names written into the code: `.indices('test')`, `split == 'test'` and the like (not the --split argument)."
    tree = ast.parse(path.read_text(), str(path))
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ('indices', 'subset'):
            out += [a.value for a in n.args if isinstance(a, ast.Constant)]
        if isinstance(n, ast.Compare) and any(isinstance(v, ast.Constant) and v.value in ('val', 'test') for v in n.comparators):
            out += [v.value for v in n.comparators if isinstance(v, ast.Constant)]
    return [s for s in out if s in ('val', 'test')]

def test_scripts_found():
    assert len(SCRIPTS) >= 4, f'experiments/ holds {[p.name for p in SCRIPTS]}'
    assert not (EXPERIMENTS.parent/'dev').exists(), 'dev/ moved to experiments/'

@pytest.mark.parametrize('path', SCRIPTS, ids=lambda p: p.name)
def test_defaults_to_validation(path):
    ap = script_parser(path)
    assert ap.parse_args([]).split == 'val', f'{path.name}: --split must default to val'
    assert ap.parse_args(['--split', 'test']).split == 'test'      # the test split stays reachable, by asking for it

def argument_names(path) -> list:
    "The option strings of every `<name>.add_argument(...)` call in the file at `path`."
    tree = ast.parse(path.read_text(), str(path))
    return [a.value for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == 'add_argument'
            for a in n.args if isinstance(a, ast.Constant)]

@pytest.mark.parametrize('path', HELPERS, ids=lambda p: p.name)
def test_helpers_take_no_split(path):
    "A helper that added --split would hide the script's split from the checks above: each script adds its own."
    assert '--split' not in argument_names(path), f'{path.name}: leave --split to the scripts'

@pytest.mark.parametrize('path', SCRIPTS + HELPERS, ids=lambda p: p.name)
def test_no_split_in_code(path):
    assert 'test' not in split_literals(path), f'{path.name} evaluates on the test split in its code: use a.split'

def test_checks_can_fail(tmp_path):
    "A script that defaults to test, or indexes the test split directly, is caught."
    bad = tmp_path/'bad.py'
    bad.write_text("import argparse\nap = argparse.ArgumentParser(); ap.add_argument('--split', default='test')\n"
                   "a = ap.parse_args(); te = ds.indices('test')\n")
    assert script_parser(bad).parse_args([]).split == 'test'
    assert split_literals(bad) == ['test'] and '--split' in argument_names(bad)   # also caught in a helper
    none = tmp_path/'none.py'; none.write_text("import argparse\nap = argparse.ArgumentParser(); ap.add_argument('--n', type=int)\n")
    assert not hasattr(script_parser(none).parse_args([]), 'split')
