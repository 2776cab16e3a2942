"""The headline table and `trajnb publish`: the README's results table says what results/metrics.json says;
publish refuses a run of other source and writes nothing; publishing twice changes nothing; nbdev_clean after
publish changes nothing; the published notebooks stay small."""
import json, subprocess, sys
from pathlib import Path
import pytest
from trajnb.core import wilson_interval
from trajnb.report import (headline_rows, headline_markdown, results_table, load_targets, check_target, publish,
                           publish_main, shrink_png, _demo_repo, MARK_START, MARK_END, MAX_PNG_BYTES, load_run)

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

def _between(text):
    i, j = text.index(MARK_START), text.index(MARK_END)
    return text[i + len(MARK_START):j].strip()

def test_readme_table_matches_results():
    "README.md's and nbs/index.ipynb's results tables are the table results/metrics.json (and run.json) give."
    if not (ROOT / 'results' / 'metrics.json').exists(): pytest.skip('no results/metrics.json yet: publish a run with `trajnb publish RUN_DIR`')
    metrics, info = load_run(ROOT / 'results')
    want = results_table(metrics, info).strip()
    assert _between((ROOT / 'README.md').read_text()) == want, 'README.md results table differs from results/: run `trajnb publish` again'
    cells = [''.join(c['source']) for c in json.loads((ROOT / 'nbs' / 'index.ipynb').read_text())['cells'] if MARK_START in ''.join(c['source'])]
    assert len(cells) == 1 and _between(cells[0]) == want, 'nbs/index.ipynb results table differs from results/'

def test_markers_present():
    for text in [(ROOT / 'README.md').read_text(), (ROOT / 'nbs' / 'index.ipynb').read_text()]:
        assert text.count(MARK_START) == 1 and text.count(MARK_END) == 1 and text.index(MARK_START) < text.index(MARK_END)

def test_targets_file():
    ts = load_targets()
    keys = [t['key'] for t in ts]
    learned = ('05_generate.learned_class_match', '05_generate.learned_min_class_match', '05_generate.learned_copy_rate',
               '05_generate.frechet', '06_predict.learned_centroid_err_px', '06_predict.learned_mse_ratio_to_recon',
               '07_i3d.learned_accuracy', '07_i3d.learned_forecast_ade_frac')
    hybrid = ('05_generate.class_match', '06_predict.centroid_err_px', '07_i3d.accuracy')
    for k in learned + hybrid + ('00_dataset.unique_fraction', '04_classify.accuracy', '08_llm.verified_rate'):
        assert k in keys, k
    for stage in ('05_generate', '06_predict', '07_i3d'):          # the learned rows lead, the hybrid is the reference
        assert max(keys.index(k) for k in learned if k.startswith(stage)) < min(keys.index(k) for k in hybrid if k.startswith(stage)), stage
    assert all('reference' in t['label'] for t in ts if t['key'] in hybrid)
    with pytest.raises(ValueError, match="entry '04_classify.accuracy'"):
        check_target({**next(t for t in ts if t['key'] == '04_classify.accuracy'), 'target': 'high'})

def test_headline_rows_crafted():
    targets = [dict(key='a.acc', label='accuracy', target=0.99, direction='>=', fmt='{:.1%}', interval=dict(kind='wilson', n='a.n')),
               dict(key='a.err', label='error', target=1.5, direction='<=', fmt='{:.2f}', interval=dict(kind='saved')),
               dict(key='a.k', label='counted', target=0.5, direction='>=', fmt='{:.2f}', interval=dict(kind='wilson', n='a.n', k='a.hits')),
               dict(key='a.none', label='absent', target=1, direction='<=', fmt='{:.1f}', interval=dict(kind='none'))]
    m = {'a.acc': 0.9, 'a.n': 50, 'a.err': 1.2, 'a.err_lo': 1.0, 'a.err_hi': 1.6, 'a.k': 0.6, 'a.hits': 30}
    r = {x['key']: x for x in headline_rows(m, targets)}
    assert r['a.acc']['met'] == '**no**' and (r['a.acc']['lo'], r['a.acc']['hi']) == wilson_interval(45, 50)
    assert r['a.acc']['inside'] is False
    assert r['a.err']['met'] == 'yes' and r['a.err']['inside'] is True and r['a.err']['interval'] == '[1.00, 1.60]'
    assert (r['a.k']['lo'], r['a.k']['hi']) == wilson_interval(30, 50)
    assert r['a.none']['met'] == 'not measured' and r['a.none']['value'] is None
    assert headline_rows({'a.acc': 1.0}, targets[:1])[0]['interval'] == 'n not recorded'
    md = headline_markdown(m, targets)
    assert md.startswith('## Headline results') and '1 of 4 targets met' not in md and '2 of 4 targets met, 1 missed, 1 not measured.' in md
    assert '| absent (`a.none`) | — | — | <= 1.0 | not measured |' in md

def test_headline_on_full_package_targets():
    "Every shipped target renders, with nothing measured and with everything measured."
    rows = headline_rows({})
    assert rows and all(x['met'] == 'not measured' for x in rows)
    ts = load_targets()
    m = {t['key']: t['target'] for t in ts if 'relative_to' not in t}
    for t in ts:
        if 'relative_to' in t: m.setdefault(t['relative_to'], 1.0)
    m.update({t['key']: t['target'] * m[t['relative_to']] for t in ts if 'relative_to' in t})
    rows = headline_rows(m)
    assert all(x['met'] == 'yes' for x in rows), [x for x in rows if x['met'] != 'yes']

def test_relative_targets():
    "A target can be a multiple of another measured value (a floor, a baseline); unmeasured reference: not measured."
    t = dict(key='g.fd', label='Frechet', target=2.0, direction='<=', fmt='{:.1f}', interval=dict(kind='none'), relative_to='g.floor')
    check_target(dict(t))
    r = headline_rows({'g.fd': 5.0, 'g.floor': 3.0}, [t])[0]
    assert r['met'] == 'yes' and r['target'] == 6.0 and r['target_text'] == '<= 2x `g.floor` = 6.0'
    assert headline_rows({'g.fd': 7.0, 'g.floor': 3.0}, [t])[0]['met'] == '**no**'
    assert headline_rows({'g.fd': 5.0}, [t])[0]['met'] == 'not measured'
    with pytest.raises(ValueError, match='relative_to'): check_target({**t, 'relative_to': 3})

def _files(repo): return {p: p.read_bytes() for p in repo.rglob('*') if p.is_file()}

def test_publish_idempotent_and_clean(tmp_path):
    repo, run = _demo_repo(tmp_path)
    assert publish_main([str(run), '--repo', str(repo)]) == 0
    first = _files(repo)
    assert publish_main([str(run), '--repo', str(repo)]) == 0
    assert _files(repo) == first
    subprocess.run([BIN / 'nbdev_clean'], cwd=repo, check=True, capture_output=True)
    assert _files(repo) == first, 'nbdev_clean changed a published notebook'
    pub = json.loads((repo / 'nbs' / '99_demo.ipynb').read_text())
    prov = [c for c in pub['cells'] if 'provenance' in c['metadata'].get('tags', [])]
    assert len(prov) == 1 and pub['cells'][1] is prov[0]
    assert not any('injected-parameters' in c['metadata'].get('tags', []) for c in pub['cells'])
    readme = (repo / 'README.md').read_text()
    assert 'old table' not in readme and readme.endswith('more\n')

def test_publish_refuses_changed_source(tmp_path, capsys):
    repo, run = _demo_repo(tmp_path)
    ex = json.loads((run / '99_demo.ipynb').read_text())
    ex['cells'][5]['source'] = 'import matplotlib.pyplot as plt\nplt.plot([0, 2])'      # the repository's cell 4 (after the injected cell)
    (run / '99_demo.ipynb').write_text(json.dumps(ex))
    before = _files(repo)
    assert publish_main([str(run), '--repo', str(repo)]) == 2
    err = capsys.readouterr().err
    assert '99_demo' in err and 'cell 4 (id c4' in err and 'line 2' in err, err
    assert _files(repo) == before and not (repo / 'results').exists()

def test_publish_refuses_failed_run(tmp_path, capsys):
    repo, run = _demo_repo(tmp_path)
    info = json.loads((run / 'run.json').read_text()); info['notebooks']['99_demo']['status'] = 'failed'
    (run / 'run.json').write_text(json.dumps(info))
    assert publish_main([str(run), '--repo', str(repo)]) == 2
    assert 'failed' in capsys.readouterr().err

def test_shrink_png():
    import base64, io
    import numpy as np
    from PIL import Image
    buf = io.BytesIO(); Image.fromarray(np.random.default_rng(1).integers(0, 255, (500, 700, 3), dtype='uint8')).save(buf, 'PNG')
    b64 = base64.b64encode(buf.getvalue()).decode()
    assert len(buf.getvalue()) > MAX_PNG_BYTES
    out = base64.b64decode(shrink_png(b64))
    assert len(out) <= MAX_PNG_BYTES and Image.open(io.BytesIO(out)).format == 'PNG'
    small = base64.b64encode(base64.b64decode(shrink_png(base64.b64encode(out).decode()))).decode()
    assert base64.b64decode(small) == out                         # a small one is kept as it is

def test_published_notebooks_small():
    "The whole nbs/ set (published outputs included) stays under 10 MB."
    total = sum(p.stat().st_size for p in (ROOT / 'nbs').glob('*.ipynb'))
    assert total < 10e6, f'nbs/*.ipynb hold {total / 1e6:.1f} MB: shrink the figures (trajnb.report.MAX_PNG_BYTES)'
