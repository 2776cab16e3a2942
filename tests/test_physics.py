"""trajnb.physics: one home for the families' mathematics, used by 01, 05, 06 and 08 under their imports; and
`physics_disabled()`, the switch that makes every physics entry point raise (the learned rows run under it)."""
import importlib, sys
import numpy as np
import pytest
import trajnb.physics as P
from trajnb.dataset import CLASSES, times, family_points, make_dataset, ball_centroid

@pytest.fixture(scope='module')
def toy(): return make_dataset(8, seed=11)

def _line(cam):
    X = family_points('linear', dict(p0=np.array([-2.0, 2.0, 1.5]), v=np.array([0.8, 0.3, 0.5])), times(16))
    return np.stack(cam.project(X)[:2], -1)

def test_one_definition_shared():
    "The notebooks' modules use the physics module's objects, not copies of them."
    import trajnb.baselines as B, trajnb.llm as L, trajnb.generate as G, trajnb.predict as R, trajnb.i3d as I
    assert B.fit_family is P.fit_family and B.fit_families is P.fit_families and B.select_family is P.select_family
    assert L.fit_families is P.fit_families and L.bic is P.bic and L.N_PARAMS is P.N_PARAMS
    assert G.fit_projected is P.fit_projected and G.MotionPrior is P.MotionPrior and G.physics_check is P.physics_check
    assert R.extrapolate_track is P.extrapolate_track and I.FamilyFits is P.FamilyFits
    for m in (B, L, G, R, I):                                         # none of them defines one of its own
        for name in ('fit_family', '_fit_ring', 'fit_projected', 'select_family', 'MotionPrior', 'extrapolate_track', 'FamilyFits'):
            obj = getattr(m, name, None)
            assert obj is None or getattr(obj, '__module__', None) == 'trajnb.physics', (m.__name__, name)

def test_predict_uses_no_private_helper_of_generate():
    import ast, inspect, trajnb.predict as R
    tree = ast.parse(inspect.getsource(R))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and n.module.endswith('generate') for a in n.names]
    assert names and not [n for n in names if n.startswith('_')], names
    assert not {'fit_projected', 'select_family', 'MotionPrior'} & set(names), names
    assert 'generate' not in [n.module for n in ast.walk(ast.parse(inspect.getsource(P))) if isinstance(n, ast.ImportFrom)]

def test_fits_recover_their_family(toy):
    pts = toy.points.astype(np.float64)
    fits = P.fit_families(pts[:, :12])
    assert list(P.select_family(fits, pts[:, :12])) == list(toy.labels)
    for i, f in enumerate(toy.families):
        np.testing.assert_allclose(P.family_points(f, fits[f].params[i], times(16)), pts[i], atol=1e-3)
    uv = ball_centroid(toy.videos[2])
    ext, fam = P.extrapolate_track(toy.camera, uv[:12])
    assert fam == toy.families[2] == 'helical' and np.abs(ext[12:] - uv[12:]).max() < 0.5

def test_physics_disabled_raises_everywhere_and_restores(toy):
    import trajnb.predict as R, trajnb.generate as G, trajnb.baselines as B
    cam, uv = toy.camera, _line(toy.camera)
    before = P.fit_projected(cam, uv, 'linear').rmse_px
    prior = P.MotionPrior.fit(cam, toy.videos, toy.labels)
    draw = prior.sample(toy.families[0], 2, seed=1)[0]
    mine = {'fp': P.fit_projected}
    with P.physics_disabled(mine):
        # (a) the module's own name and the names other modules bound with `from .physics import ...`
        with pytest.raises(P.PhysicsDisabledError, match='fit_projected'): P.fit_projected(cam, uv, 'linear')
        with pytest.raises(P.PhysicsDisabledError, match='fit_projected'): G.fit_projected(cam, uv, 'linear')
        with pytest.raises(P.PhysicsDisabledError): B.fit_families(toy.points)
        with pytest.raises(P.PhysicsDisabledError): mine['fp'](cam, uv, 'linear')
        with pytest.raises(P.PhysicsDisabledError): G.MotionPrior.fit(cam, toy.videos, toy.labels)
        with pytest.raises(P.PhysicsDisabledError): prior.sample(toy.families[0], 1)      # an object built before
        # (c) the physics-guided code path of 06 raises, so the switch can catch a model that calls physics
        with pytest.raises(P.PhysicsDisabledError, match='extrapolate_track'): R.extrapolate_track(cam, uv[:12])
        with pytest.raises(P.PhysicsDisabledError): R.guide_tracks(cam, toy.videos[:2])
        assert P.extent(toy.points).shape == (8,)                     # measures stay on
    # (b) after it everything works again, with the same results
    assert P.fit_projected(cam, uv, 'linear').rmse_px == before and G.fit_projected is P.fit_projected
    assert mine['fp'] is P.fit_projected and R.extrapolate_track is P.extrapolate_track
    np.testing.assert_array_equal(prior.sample(toy.families[0], 2, seed=1)[0], draw)
    assert R.guide_tracks(cam, toy.videos[2:3])[1][0] == 'helical'

def test_physics_disabled_restores_after_an_error(toy):
    import trajnb.generate as G
    with pytest.raises(ZeroDivisionError):
        with P.physics_disabled(): 1 / 0
    assert G.fit_projected is P.fit_projected and isinstance(P.MotionPrior.sample, type(test_physics_disabled_restores_after_an_error))

def test_physics_disabled_covers_every_entry_point():
    "Every public function and class of the module is disabled (a new one is covered without editing the switch)."
    public = [n for n in P.__all__ if callable(getattr(P, n)) and n not in ('physics_disabled', 'PhysicsDisabledError', 'extent', 'check_points')]
    assert {'fit_family', 'fit_families', 'select_family', 'fit_projected', 'select_projected', 'physics_check',
            'MotionPrior', 'extrapolate_track', 'bic', 'batch_lm', 'FamilyFits'} <= set(public)
    with P.physics_disabled():
        for n in public:
            with pytest.raises(P.PhysicsDisabledError): getattr(P, n)()
    assert all(not isinstance(getattr(P, n), P._Disabled) for n in public)

def test_a_module_loaded_later_is_restored_too():
    "A trajnb module imported while the switch is active binds the stubs; on exit it gets the originals."
    import types
    m = types.ModuleType('trajnb._probe_physics')
    try:
        with P.physics_disabled():
            sys.modules[m.__name__] = m
            exec('from trajnb.physics import fit_projected, MotionPrior', vars(m))
            assert isinstance(m.fit_projected, P._Disabled)
        assert m.fit_projected is P.fit_projected and m.MotionPrior is P.MotionPrior
    finally: sys.modules.pop(m.__name__, None)
