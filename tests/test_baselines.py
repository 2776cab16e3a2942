"Contracts of trajnb.baselines (and the 3D fits of trajnb.physics it forecasts with) that later notebooks (07_i3d, 08_llm) rely on."
import math
import numpy as np
import pytest
from trajnb.dataset import CLASSES, times, family_points, sample_trajectory
from trajnb.physics import extent, fit_family, fit_families, select_family
from trajnb.baselines import (ade_fde, forecast_cv, forecast_ca, forecast_fit, forecast_from_fits, psnr,
                              forecast_copy_last, mean_video)

@pytest.fixture(scope='module')
def trajs(): return [sample_trajectory(1, i) for i in range(8)]

def test_time_alignment(trajs):
    "Forecasts from k past points are at frames k..k+n-1 (times(k+n)[k:]), for every forecaster."
    for tr in trajs:
        past, fut = tr.points[:12], tr.points[12:]
        np.testing.assert_allclose(forecast_fit(past, tr.family), fut, atol=1e-4)
        np.testing.assert_allclose(forecast_fit(past), fut, atol=1e-4)
        if tr.family == 'linear': np.testing.assert_allclose(forecast_cv(past), fut, atol=1e-4)
        if tr.family == 'parabolic': np.testing.assert_allclose(forecast_ca(past), fut, atol=1e-4)

def test_no_leak_across_the_batch(trajs):
    "Trajectories are fitted independently: permuting the batch permutes the forecasts, and a lone trajectory gets the same answer."
    pts = np.stack([tr.points[:12] for tr in trajs]); perm = np.random.default_rng(0).permutation(8)
    a = forecast_fit(pts)
    np.testing.assert_allclose(forecast_fit(pts[perm]), a[perm], atol=1e-9)
    np.testing.assert_allclose(forecast_fit(pts[5]), a[5], atol=1e-9)

def test_batch_matches_single(trajs):
    pts = np.stack([tr.points[:12] for tr in trajs])
    batch = fit_family(pts, 'helical')
    for i in (0, 3):
        one = fit_family(pts[i], 'helical')
        assert isinstance(one.params, dict) and isinstance(one.rms, float)
        np.testing.assert_allclose(one.predict(times(16)), batch.predict(times(16))[i], atol=1e-6)

def test_noisy_track_is_handled(trajs):
    "An estimated (noisy) track still gets a sensible family and a forecast of the right size."
    pts = np.stack([tr.points for tr in trajs]); rng = np.random.default_rng(0)
    noisy = pts[:, :12] + rng.normal(0, 0.01, (8, 12, 3))
    fits = fit_families(noisy)
    assert (fits['helical'].rms <= fits['circular'].rms + 1e-9).all()
    assert (select_family(fits, noisy) == [tr.label for tr in trajs]).mean() >= 0.75
    err = ade_fde(forecast_from_fits(fits, select_family(fits, noisy)), pts[:, 12:]).ade / extent(pts)
    assert np.median(err) < 0.1

def test_bad_input_is_named():
    with pytest.raises(ValueError, match='unknown family'): forecast_fit(np.zeros((12, 3)), 'spiral')
    with pytest.raises(ValueError, match=r'\(\.\.\., k, 3\)'): fit_family(np.zeros((12, 2)), 'linear')
    with pytest.raises(ValueError, match='NaN'): forecast_fit(np.full((12, 3), np.nan))
    with pytest.raises(ValueError, match='must both be'): ade_fde(np.zeros((4, 3)), np.zeros((3, 3)))

def test_psnr_pooled_and_masked():
    a = np.zeros((2, 4, 3, 8, 8)); b = a.copy(); b[0] += 0.1             # all error in the first video
    assert math.isclose(psnr(a, b), 10 * math.log10(1 / (0.01 / 2)))    # pooled: one MSE over the set
    m = np.zeros((2, 4, 8, 8), bool); m[1] = True
    assert psnr(a, b, m) == math.inf
    u8 = np.full((1, 2, 3, 4, 4), 255, np.uint8)
    assert psnr(u8, np.ones((1, 2, 3, 4, 4))) == math.inf
    assert forecast_copy_last(u8, 3).shape == (1, 3, 3, 4, 4)
    assert mean_video(u8).dtype == np.float32 and mean_video(u8).max() == 1.0

def test_baselines_keep_the_names_other_notebooks_import():
    "04 and 07 import extent, fit_families and select_family from trajnb.baselines: the physics module's objects."
    import trajnb.baselines as B, trajnb.physics as P
    assert B.extent is P.extent and B.fit_families is P.fit_families and B.select_family is P.select_family
