"""trajnb.llm: the equation grammar, the verifier, the fit backend, the prompt's honesty, and the OpenAI
backend against a local OpenAI-compatible server (tests/llm_server.py) that misbehaves on purpose."""
import builtins, inspect, json, logging, math, time
from types import SimpleNamespace
import numpy as np
import pytest
import trajnb.llm as L
from trajnb.llm import parse_equation, verify_equation, describe
from trajnb.dataset import CLASSES, sample_trajectory, times
from llm_server import FakeOpenAI, answer, completion, error, slow

KEY = 'sk-test-SECRET-4f9a1c0de'
GOOD_EQ = 'x(t) = 1 + 2*t\ny(t) = -0.5 + 0.1*t\nz(t) = 1.5 + 0.3*t'
FLAT = np.full(len(CLASSES), 0.25)

def traj(family, i=0):
    "A dataset trajectory of `family` (pure function of seed and index; no rendering)."
    return sample_trajectory(7, 4 * i + CLASSES.index(family))

@pytest.fixture
def no_exec(monkeypatch):
    "Make eval/exec/compile explode: the parser must never reach them."
    def boom(*a, **k): raise AssertionError('eval/exec/compile was called')
    for name in ('eval', 'exec', 'compile'): monkeypatch.setattr(builtins, name, boom)

@pytest.fixture
def no_key(monkeypatch):
    monkeypatch.delenv('OPENAI_API_KEY', raising=False); monkeypatch.delenv('OPENAI_BASE_URL', raising=False)

def make(srv, tmp_path, **kw):
    return L.OpenAIBackend(**{**dict(model='test-model', api_key=KEY, base_url=srv.url, cache_dir=tmp_path / 'cache', backoff=0.01, timeout=5.0), **kw})

def ask(be, family='linear', noise=0.0):
    track = traj(family).points[:L.SEEN] + noise
    return be(FLAT, track, L.build_prompt(FLAT, track))

# ---------------------------------------------------------------- grammar

@pytest.mark.parametrize('family', CLASSES)
def test_dataset_equations_parse_and_reproduce_points(family):
    for i in range(5):
        tr = traj(family, i)
        eq = parse_equation(tr.equation)
        assert eq(times()).shape == (16, 3)
        assert verify_equation(eq, tr.points).nrmse_seen < 1e-5 and verify_equation(tr.equation, tr.points).nrmse_future < 1e-5

@pytest.mark.parametrize('expr,value', [('-t^2', -4.0), ('2^3^2', 512.0), ('1-2-3', -4.0), ('8/2/2', 2.0), ('2*-3', -6.0),
                                        ('t^-1', 0.5), ('(1+t)*3', 9.0), ('sqrt(pi)*exp(0)', math.sqrt(math.pi)),
                                        ('cos(0) + sin(pi/2)', 2.0), ('1.5e1 + .5 + 2E-1', 15.7)])
def test_grammar_semantics(expr, value, no_exec):
    eq = parse_equation(f'x(t) = {expr}\ny(t) = t\nz(t) = 0')
    np.testing.assert_allclose(eq(np.array([2.0, 2.0])), [[value, 2.0, 0.0]] * 2)

def test_lines_any_order_and_semicolons():
    a, b = parse_equation('z(t)=3; x(t)=1; y(t)=t'), parse_equation('x(t) = 1\n\ny(t) = t\nz(t) = 3\n')
    np.testing.assert_allclose(a([0.5]), b([0.5]))

BAD = ["x(t) = __import__('os').system('touch {s}')\ny(t) = 0\nz(t) = 0",
       'x(t) = t.__class__.__bases__\ny(t) = 0\nz(t) = 0', 'x(t) = os.system\ny(t) = 0\nz(t) = 0',
       'x(t) = np.sin(t)\ny(t) = 0\nz(t) = 0', 'x(t) = lambda: 0\ny(t) = 0\nz(t) = 0', 'x(t) = log(t)\ny(t) = 0\nz(t) = 0',
       'x(t) = 2t\ny(t) = 0\nz(t) = 0', 'x(t) = t**2\ny(t) = 0\nz(t) = 0', 'x(t) = [t]\ny(t) = 0\nz(t) = 0',
       'x(t) = "t"\ny(t) = 0\nz(t) = 0', 'x(t) = sin t\ny(t) = 0\nz(t) = 0', 'x(t) = sin()\ny(t) = 0\nz(t) = 0',
       'x(t) = pi(t)\ny(t) = 0\nz(t) = 0', 'x(t) = 1e999\ny(t) = 0\nz(t) = 0', 'x(t) = (t\ny(t) = 0\nz(t) = 0',
       'x(t) = t)\ny(t) = 0\nz(t) = 0', 'x(t) =\ny(t) = 0\nz(t) = 0', 'x(t) = t\ny(t) = t', 'x(t) = t\nx(t) = t\nz(t) = 0',
       'import os', '', 'x = t\ny = t\nz = t', 'x(t) = \u0663\ny(t) = 0\nz(t) = 0']

@pytest.mark.parametrize('text', BAD)
def test_rejects_everything_outside_the_grammar(text, tmp_path, no_exec):
    sentinel = tmp_path / 'pwned'
    with pytest.raises(ValueError): parse_equation(text.replace('{s}', str(sentinel)))
    assert not sentinel.exists()

def test_limits(no_exec):
    parse_equation('x(t) = ' + '(' * 30 + 't' + ')' * 30 + '\ny(t) = 0\nz(t) = 0')          # deep but within the limit
    cases = {'characters': 'x(t) = ' + '+'.join(['t'] * 5000) + '\ny(t) = 0\nz(t) = 0',
             'deeper': 'x(t) = ' + '(' * 60 + 't' + ')' * 60 + '\ny(t) = 0\nz(t) = 0',
             'deeper ': 'x(t) = ' + '-' * 100 + 't\ny(t) = 0\nz(t) = 0',
             'nodes': 'x(t) = ' + '+'.join(['t*t'] * 200) + '\ny(t) = 0\nz(t) = 0'}
    for why, text in cases.items():
        with pytest.raises(ValueError, match=why.strip()): parse_equation(text)
    with pytest.raises(ValueError): parse_equation(None)

def test_overflow_is_data_not_a_crash():
    eq = parse_equation('x(t) = exp(exp(exp(t*100)))\ny(t) = sqrt(-1)\nz(t) = t^1000')
    assert not np.isfinite(eq(times())).all()
    v = verify_equation(eq, traj('linear').points)
    assert v.parsed and v.nrmse_seen == math.inf and not v.passed

# ---------------------------------------------------------------- verifier

def test_verifier_nrmse_r2_and_pass():
    tr = traj('parabolic'); ext = np.linalg.norm(tr.points.max(0) - tr.points.min(0))
    v = verify_equation(tr.equation, tr.points, 'parabolic', 'parabolic')
    assert v.passed and v.family_ok and v.nrmse_seen < 1e-6 and abs(v.r2 - 1) < 1e-9
    assert not verify_equation(tr.equation, tr.points, 'linear', 'parabolic').passed      # wrong family
    shifted = tr.equation.replace('x(t) = ', f'x(t) = {0.1 * ext} + ')                      # 10% of the extent off
    v = verify_equation(shifted, tr.points)
    assert abs(v.nrmse_seen - 0.1) < 1e-4 and abs(v.nrmse_future - 0.1) < 1e-4 and not v.passed
    assert verify_equation(tr.equation.replace('x(t) = ', f'x(t) = {0.04 * ext} + '), tr.points).passed
    drift = tr.equation.replace('x(t) = ', 'x(t) = 2*t^12 + ')                              # small on seen frames, large later
    v = verify_equation(drift, tr.points)
    assert v.nrmse_seen < 0.05 < v.nrmse_future
    assert v.passed_seen and not v.passed                                                  # the future is part of the pass
    assert verify_equation('not an equation', tr.points).parsed is False

# ---------------------------------------------------------------- fit backend

@pytest.mark.parametrize('family', CLASSES)
@pytest.mark.parametrize('noise', [0.0, 0.03])
def test_fit_backend_finds_family_and_verifies(family, noise):
    rng = np.random.default_rng(3)
    for i in range(3):
        tr = traj(family, i)
        track = tr.points[:L.SEEN] + rng.normal(0, noise, (L.SEEN, 3))
        a = L.FitBackend()(FLAT, track)
        v = verify_equation(a.eq, tr.points, a.family, family)
        assert a.parsed and a.error is None and a.description
        assert v.passed, (family, i, a, v)
        if noise == 0: assert v.nrmse_future < 1e-3

def test_fit_backend_deterministic_and_uses_probabilities():
    tr = traj('circular'); track = tr.points[:L.SEEN]
    assert L.fit_answer(FLAT, track) == L.fit_answer(FLAT, track)
    assert L.fit_answer(FLAT, track)['family'] == 'circular'
    assert L.fit_answer([0.001, 0.001, 0.997, 0.001], track)['family'] == 'helical'     # a helix with ~0 advance fits too
    para = traj('parabolic').points[:L.SEEN]                                              # the residual overrules a wrong classifier
    assert L.fit_answer([0.997, 0.001, 0.001, 0.001], para)['family'] == 'parabolic'

def test_batched_answers_equal_one_at_a_time():
    "answer_all hands the fit backend every sample at once (one batched fit): the answers are those of one call per sample."
    rng = np.random.default_rng(5)
    trs = [traj(f, i) for i in range(2) for f in CLASSES]
    tracks = np.stack([t.points[:L.SEEN] for t in trs]) + rng.normal(0, 0.03, (len(trs), L.SEEN, 3))
    probs = rng.dirichlet(np.ones(4), len(trs))
    be = L.FitBackend()
    batch = L.answer_all(probs, tracks, be)
    for a, p, tr in zip(batch, probs, tracks):
        one = be(p, tr, L.build_prompt(p, tr))
        assert (a.family, a.prompt, a.error) == (one.family, one.prompt, one.error)
        np.testing.assert_allclose(a.eq(times(16)), one.eq(times(16)), atol=1e-4)
    bad = tracks.copy(); bad[1, 3, 0] = np.nan                                           # one sample without a prompt
    out = L.answer_all(probs, bad, be)
    assert out[1].error.startswith('no prompt') and out[0].equation == batch[0].equation

def test_fit_backend_uses_the_physics_fitter():
    "The describer's fits are trajnb.physics' 3D fits: under physics_disabled() the fit backend cannot answer."
    import trajnb.physics as P
    tr = traj('circular')
    with P.physics_disabled():
        with pytest.raises(P.PhysicsDisabledError): L.fit_answer(FLAT, tr.points[:L.SEEN])
    assert L.fit_answer(FLAT, tr.points[:L.SEEN])['family'] == 'circular'

# ---------------------------------------------------------------- honesty of the prompt

class Recorder:
    def __init__(self): self.prompts = []
    def __call__(self, probs, track, prompt):
        self.prompts.append(prompt)
        return L.make_answer({'family': 'linear', 'equation': GOOD_EQ, 'description': ''}, 'recorder', prompt)

def test_prompt_does_not_change_with_the_truth():
    trs = [traj(f, i) for i in range(2) for f in CLASSES]
    points = np.stack([t.points for t in trs]).astype(np.float64); labels = np.array([t.label for t in trs])
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(4), len(trs)); track = points[:, :L.SEEN] + rng.normal(0, 0.05, (len(trs), L.SEEN, 3))
    r1, r2, r3 = Recorder(), Recorder(), Recorder()
    L.evaluate_backend(probs, track, points, labels, r1)
    L.evaluate_backend(probs, track, points[::-1] * 2 + 3, (labels + 1) % 4, r2)          # other truth
    L.evaluate_backend(probs, track + 0.01, points, labels, r3)                           # other model output
    assert r1.prompts == r2.prompts
    assert all(a != b for a, b in zip(r1.prompts, r3.prompts))
    for p, y in zip(r1.prompts, labels): assert f'true' not in p.lower() and 'label' not in p.lower()

def test_no_argument_can_carry_truth():
    assert list(inspect.signature(L.build_prompt).parameters) == ['probs', 'track']
    for f in (describe, L.answer_all):
        assert not {'points', 'labels', 'truth', 'equations'} & set(inspect.signature(f).parameters)
    with pytest.raises(ValueError, match='track'): L.build_prompt(FLAT, traj('linear').points)   # 16 true frames do not fit

def test_prompt_round_trip():
    track = traj('helical').points[:L.SEEN]
    probs, back = L.read_prompt(L.build_prompt([0.1, 0.2, 0.3, 0.4], track))
    np.testing.assert_allclose(probs, [0.1, 0.2, 0.3, 0.4]); np.testing.assert_allclose(back, track, atol=6e-4)

def test_describe_with_injected_predictor():
    videos = np.zeros((3, 16, 3, 64, 64), np.uint8)
    seen = []
    def predictor(v):
        seen.append(v)
        return SimpleNamespace(probs=np.tile(FLAT, (3, 1)), track=np.stack([traj(f).points[:L.SEEN] for f in CLASSES[:3]]),
                               forecast=np.zeros((3, 4, 3)))
    out = describe(videos, predictor=predictor, backend='fit')
    assert seen[0] is videos and [a.family for a in out] == list(CLASSES[:3]) and all(a.parsed for a in out)

# ---------------------------------------------------------------- openai backend, local server

def test_good_answer_usage_and_wire_format(tmp_path):
    with FakeOpenAI([answer('linear', GOOD_EQ, 'a line')]) as srv:
        be = make(srv, tmp_path)
        a = ask(be)
        assert a.parsed and a.family == 'linear' and a.error is None and not a.cached
        assert a.usage['prompt_tokens'] == 120 and a.usage['completion_tokens'] == 40 and a.usage['attempts'] == 1
        assert be.calls[-1]['prompt_tokens'] == 120
        req = srv.requests[0]
        assert req['path'] == '/v1/chat/completions' and req['headers']['authorization'] == f'Bearer {KEY}'
        body = req['body']
        assert body['model'] == 'test-model' and body['response_format']['type'] == 'json_schema'
        assert body['response_format']['json_schema']['schema']['properties']['family']['enum'] == list(CLASSES)
        assert body['messages'][-1]['content'] == a.prompt
        assert abs(L.usage_cost(be.calls, 0.15, 0.60) - (120 * 0.15 + 40 * 0.60) / 1e6) < 1e-12

def test_cache_makes_reruns_free(tmp_path):
    with FakeOpenAI([answer('linear', GOOD_EQ)]) as srv:
        a1 = ask(make(srv, tmp_path))
        be2 = make(srv, tmp_path)                      # a new process would see the same files
        a2 = ask(be2)
        assert len(srv.requests) == 1 and a2.cached and a2.equation == a1.equation and be2.calls[0]['cached']
        assert L.usage_cost(be2.calls, 0.15, 0.6) == 0
        ask(make(srv, tmp_path, model='other-model'))  # the model is part of the key
        ask(be2, noise=0.01)                           # and so is the prompt
        assert len(srv.requests) == 3
    assert len(list((tmp_path / 'cache').glob('*.json'))) == 3 and not list((tmp_path / 'cache').glob('.*tmp'))

@pytest.mark.parametrize('first', [error(429, 'Rate limit reached', 'rate_limit_error'), error(503, 'overloaded')])
def test_retry_then_success(tmp_path, first):
    with FakeOpenAI([first, answer('linear', GOOD_EQ)]) as srv:
        a = ask(make(srv, tmp_path))
        assert a.parsed and a.usage['attempts'] == 2 and len(srv.requests) == 2

def test_500_until_retries_run_out(tmp_path):
    with FakeOpenAI([error(500, 'internal error')]) as srv:
        t0 = time.perf_counter()
        with pytest.raises(L.BackendError, match=r'gave up after 3 attempts.*HTTP 500'): ask(make(srv, tmp_path, max_retries=2))
        assert len(srv.requests) == 3 and time.perf_counter() - t0 < 3
    assert not list((tmp_path / 'cache').glob('*.json'))                 # failures are not cached

def test_timeout(tmp_path):
    with FakeOpenAI([slow(1.5, answer('linear', GOOD_EQ))]) as srv:
        t0 = time.perf_counter()
        with pytest.raises(L.BackendError, match='timed out'): ask(make(srv, tmp_path, timeout=0.3, max_retries=1))
        assert len(srv.requests) == 2 and time.perf_counter() - t0 < 3

def test_timeout_then_success(tmp_path):
    with FakeOpenAI([slow(1.5, answer('linear', GOOD_EQ)), answer('linear', GOOD_EQ)]) as srv:
        assert ask(make(srv, tmp_path, timeout=0.3)).usage['attempts'] == 2

def test_401_is_clear_not_retried_and_hides_the_key(tmp_path):
    with FakeOpenAI([error(401, f'Incorrect API key provided: {KEY}', 'invalid_request_error', 'invalid_api_key')]) as srv:
        with pytest.raises(L.BackendError) as ei: ask(make(srv, tmp_path))
        assert len(srv.requests) == 1
    e = ei.value
    assert '401' in str(e) and 'OPENAI_API_KEY' in str(e) and KEY not in str(e) and KEY not in repr(e)
    assert e.__cause__ is None and e.__context__ is None                 # no chained exception carrying the request

def test_400_is_clear_and_not_retried(tmp_path):
    with FakeOpenAI([error(400, "Invalid schema for response_format 'trajectory_equation'", 'invalid_request_error')]) as srv:
        with pytest.raises(L.BackendError, match=r'HTTP 400: Invalid schema'): ask(make(srv, tmp_path))
        assert len(srv.requests) == 1

@pytest.mark.parametrize('reply,why', [(completion('{"family": "linear", "equation": '), 'malformed JSON'),
                                       (completion('[1, 2]'), 'not a JSON object'),
                                       (completion(None, refusal="I can't help with that."), 'refused'),
                                       (answer('spiral', GOOD_EQ), 'unknown family'),
                                       (answer('linear', 'x(t) = t'), 'equation rejected')])
def test_bad_content_is_an_error_of_that_sample(tmp_path, reply, why):
    with FakeOpenAI([reply]) as srv:
        a = ask(make(srv, tmp_path))
    assert why in a.error
    assert a.family is None if why == 'unknown family' else not a.parsed
    v = verify_equation(a.eq if a.parsed else a.equation, traj('linear').points, a.family, 'linear')
    assert not v['passed']

@pytest.mark.parametrize('equation', ["x(t) = __import__('os').system('touch {s}')\ny(t) = 0\nz(t) = 0",
                                      "x(t) = t.__globals__\ny(t) = 0\nz(t) = 0",
                                      'x(t) = ' + '+'.join(['t'] * 50_000) + '\ny(t) = 0\nz(t) = 0',
                                      'x(t) = ' + '(' * 5000 + 't' + ')' * 5000 + '\ny(t) = 0\nz(t) = 0'])
def test_hostile_equation_is_rejected_and_nothing_runs(tmp_path, no_exec, equation):
    sentinel = tmp_path / 'pwned'
    with FakeOpenAI([answer('linear', equation.replace('{s}', str(sentinel)))]) as srv:
        a = ask(make(srv, tmp_path))
    assert not a.parsed and a.error.startswith('equation rejected') and not sentinel.exists()

def test_missing_key(no_key, recwarn):
    with pytest.raises(L.MissingAPIKeyError, match='OPENAI_API_KEY'): L.OpenAIBackend()
    with pytest.raises(L.MissingAPIKeyError, match='OPENAI_API_KEY'): L.get_backend('openai')
    assert isinstance(L.get_backend('auto'), L.FitBackend) and not recwarn.list            # auto: fit, quietly
    with pytest.warns(UserWarning, match='OPENAI_API_KEY.*fit'): be = L.get_backend('openai', fallback=True)
    assert isinstance(be, L.FitBackend)
    predictor = lambda v: SimpleNamespace(probs=FLAT[None], track=traj('linear').points[None, :L.SEEN])
    with pytest.warns(UserWarning): out = describe(np.zeros((1, 16, 3, 64, 64), np.uint8), predictor, backend='openai')
    assert out[0].backend == 'fit' and out[0].parsed
    with pytest.raises(L.MissingAPIKeyError): describe(np.zeros((1, 16, 3, 64, 64), np.uint8), predictor, backend='openai', fallback=False)

def test_key_from_environment_and_never_in_logs(tmp_path, monkeypatch, caplog, capsys):
    monkeypatch.setenv('OPENAI_API_KEY', KEY)
    caplog.set_level(logging.DEBUG)
    with FakeOpenAI([answer('linear', GOOD_EQ), error(401, f'bad key {KEY}'), error(500, f'oops {KEY}')]) as srv:
        be = L.get_backend('auto', model='test-model', base_url=srv.url, cache_dir=tmp_path / 'cache', backoff=0.01, max_retries=0)
        assert isinstance(be, L.OpenAIBackend) and srv.url in repr(be) and KEY not in repr(be)
        a = ask(be); print(a, be.calls)
        for _ in range(2):
            with pytest.raises(L.BackendError) as ei: ask(be, noise=0.1 * (_ + 1))
            print(ei.value)
    out = capsys.readouterr()
    assert srv.requests[0]['headers']['authorization'] == f'Bearer {KEY}'        # it was used...
    for text in (caplog.text, out.out, out.err, repr(a), *(p.read_text() for p in (tmp_path / 'cache').glob('*'))):
        assert KEY not in text                                                     # ...and never shown

def test_evaluate_backend_through_the_server(tmp_path):
    def fit_double(req):
        a = L.fit_answer(*L.read_prompt(req['messages'][-1]['content']))
        return answer(a['family'], a['equation'], a['description'])
    trs = [traj(f) for f in CLASSES]
    points = np.stack([t.points for t in trs]).astype(np.float64)
    with FakeOpenAI([fit_double]) as srv:
        m, answers, verdicts = L.evaluate_backend(np.tile(FLAT, (4, 1)), points[:, :L.SEEN], points, [t.label for t in trs], make(srv, tmp_path))
    assert m['parse_rate'] == 1 and m['family_accuracy'] == 1 and m['verified_rate'] == 1 and m['median_nrmse_seen'] < 0.01
    rates = ('parse_rate', 'family_accuracy', 'verified_rate', 'verified_seen_only')
    assert set(m) == {*rates, *(f'{r}_{e}' for r in rates for e in ('lo', 'hi')), 'n', 'n_verified', 'median_nrmse_seen', 'median_nrmse_future',
                      *(f'median_nrmse_{w}_{e}' for w in ('seen', 'future') for e in ('lo', 'hi')),
                      *(f'mean_nrmse_{w}{e}' for w in ('seen', 'future') for e in ('', '_lo', '_hi'))}
    assert m['n'] == 4 and m['n_verified'] == 4 and 0.4 < m['verified_rate_lo'] < 0.99 < m['verified_rate_hi'] <= 1

def test_non_finite_model_output_is_an_error_of_that_sample():
    track = np.stack([traj('linear').points[:L.SEEN]] * 2).astype(np.float64); track[1, 3, 0] = np.nan
    a = L.answer_all(np.tile(FLAT, (2, 1)), track, L.FitBackend())
    assert a[0].parsed and not a[1].parsed and 'finite' in a[1].error

def test_corrupt_cache_entry_is_asked_again(tmp_path):
    with FakeOpenAI([answer('linear', GOOD_EQ)]) as srv:
        ask(make(srv, tmp_path))
        (f,) = (tmp_path / 'cache').glob('*.json'); f.write_text('{"trunc')
        a = ask(make(srv, tmp_path))
        assert len(srv.requests) == 2 and a.parsed and not a.cached and json.loads(f.read_text())['content']

def test_describe_without_vision_model_says_so():
    try: import trajnb.i3d  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match='predictor='): describe(np.zeros((1, 16, 3, 64, 64), np.uint8), backend='fit')
    else: pytest.skip('trajnb.i3d exists: describe uses it')

def test_verdict_attributes():
    v = verify_equation(GOOD_EQ, traj('linear').points)
    assert v.passed in (True, False) and not hasattr(v, 'nonsense') and json.dumps(v)
