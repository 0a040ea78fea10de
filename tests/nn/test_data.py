"""Mini-batches (Section 3.2.8), splits, and the preprocessing transforms of Section 3.3.2."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn import preprocessing


def test_loader_covers_every_example_once_per_pass_in_a_seeded_order():
    X, y = np.arange(10)[:, None] * 1.0, np.arange(10)
    loader = nn.DataLoader(X, y, batch_size=4, shuffle=True, seed=0)
    assert len(loader) == 3
    first = [batch_y for _, batch_y in loader]
    assert [len(b) for b in first] == [4, 4, 2]
    assert sorted(np.concatenate(first)) == list(range(10))
    second = np.concatenate([batch_y for _, batch_y in loader])
    assert not np.array_equal(np.concatenate(first), second)           # a new order each pass
    again = np.concatenate([b for _, b in nn.DataLoader(X, y, batch_size=4, shuffle=True, seed=0)])
    np.testing.assert_array_equal(again, np.concatenate(first))       # ... reproducible from the seed
    for batch_X, batch_y in loader:
        np.testing.assert_array_equal(batch_X[:, 0], batch_y)          # arrays stay aligned


def test_loader_drop_last_and_errors():
    loader = nn.DataLoader(np.zeros((9, 2)), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [len(b) for (b,) in loader] == [4, 4]
    ordered = [b for (b,) in nn.DataLoader(np.arange(5), batch_size=2)]
    assert [list(b) for b in ordered] == [[0, 1], [2, 3], [4]]
    with pytest.raises(ValueError, match="same length"):
        nn.DataLoader(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="batch_size"):
        nn.DataLoader(np.zeros(3), batch_size=0)


def test_stratified_split_keeps_class_proportions():
    y = np.repeat(np.arange(3), [50, 30, 20])
    X = np.arange(100)[:, None]
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_fraction=0.2, seed=0, stratify=y)
    assert np.bincount(y_test).tolist() == [10, 6, 4]
    assert sorted(np.concatenate([X_train[:, 0], X_test[:, 0]])) == list(range(100))
    np.testing.assert_array_equal(y[X_test[:, 0]], y_test)
    with pytest.raises(ValueError, match="test_fraction"):
        nn.train_test_split(X, test_fraction=1.5)


def correlated(n=500, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 3)) @ np.array([[3.0, 1.0, 0.0], [0.0, 0.5, 0.2], [0.0, 0.0, 0.1]]) + [5, -2, 1]


def test_standardisation_centring_min_max_and_shift():
    X = correlated()
    Z = preprocessing.Standardization().fit_transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1)
    np.testing.assert_allclose(preprocessing.MeanCentering().fit_transform(X).mean(axis=0), 0, atol=1e-12)
    scaled = preprocessing.MinMaxScaling().fit_transform(X)                # Eq. 3.35
    np.testing.assert_allclose(scaled.min(axis=0), 0, atol=1e-15)
    np.testing.assert_allclose(scaled.max(axis=0), 1)
    shifted = preprocessing.NonNegativeShift().fit_transform(X)
    assert shifted.min() == 0.0
    np.testing.assert_array_equal(shifted[:, 2], X[:, 2])                   # already non-negative: kept
    for transform in (preprocessing.Standardization(), preprocessing.MeanCentering(),
                      preprocessing.MinMaxScaling(), preprocessing.NonNegativeShift()):
        np.testing.assert_allclose(transform.fit(X).inverse_transform(transform.transform(X)), X)


def test_constant_features_are_left_unscaled():
    X = np.column_stack([np.ones(5), np.arange(5.0)])
    Z = preprocessing.Standardization().fit_transform(X)
    assert np.isfinite(Z).all() and (Z[:, 0] == 0).all()
    assert (preprocessing.MinMaxScaling().fit_transform(X)[:, 0] == 0).all()


def test_pca_whitening_gives_identity_covariance_and_inverts():
    X = correlated()
    whitening = preprocessing.PCAWhitening()
    Z = whitening.fit_transform(X)
    np.testing.assert_allclose(Z.T @ Z / len(Z), np.eye(3), atol=1e-10)
    np.testing.assert_allclose(whitening.inverse_transform(Z), X, atol=1e-10)
    assert np.all(np.diff(whitening.eigenvalues) <= 0)                      # largest variance first


def test_pca_whitening_top_k_threshold_regulariser_and_sample():
    X = correlated()
    top = preprocessing.PCAWhitening(components=2).fit_transform(X)
    assert top.shape == (500, 2)
    np.testing.assert_allclose(top.T @ top / 500, np.eye(2), atol=1e-10)
    degenerate = np.column_stack([X, X[:, 0] + X[:, 1]])                     # rank 3 in 4 dimensions
    assert preprocessing.PCAWhitening().fit_transform(degenerate).shape == (500, 3)
    with pytest.raises(ValueError, match="regularizer"):
        preprocessing.PCAWhitening(eigenvalue_threshold=None).fit(degenerate)
    regularised = preprocessing.PCAWhitening(eigenvalue_threshold=None, regularizer=0.1).fit_transform(degenerate)
    assert regularised.shape == (500, 4) and np.isfinite(regularised).all()
    variances = (regularised ** 2).mean(axis=0)
    assert np.all(variances < 1) and variances[-1] < 1e-10
    sampled = preprocessing.PCAWhitening(sample_size=100, seed=1).fit(X)
    Z = sampled.transform(X)
    assert not np.allclose(Z.T @ Z / 500, np.eye(3), atol=1e-6)             # estimated from 100 rows only
    np.testing.assert_allclose(Z.T @ Z / 500, np.eye(3), atol=0.3)


def test_transforms_must_be_fitted_and_save_with_the_model(tmp_path):
    with pytest.raises(RuntimeError, match="not fitted"):
        preprocessing.Standardization().transform(np.ones((2, 2)))
    with pytest.raises(ValueError, match="2-D"):
        preprocessing.MeanCentering().fit(np.ones(3))
    X = correlated()
    fitted = preprocessing.PCAWhitening(components=2).fit(X)
    nn.save(fitted, tmp_path / "whitening.npz")
    restored = preprocessing.PCAWhitening().load_state_dict(nn.load(tmp_path / "whitening.npz"))
    np.testing.assert_array_equal(restored.transform(X), fitted.transform(X))
    np.testing.assert_array_equal(restored(ag.Tensor(X)).numpy(), fitted.transform(X))


def test_transforms_keep_float32():
    X = correlated().astype(np.float32)
    assert preprocessing.Standardization().fit(X).transform(X).dtype == np.float32
    assert preprocessing.PCAWhitening().fit(X).transform(X).dtype == np.float32


@pytest.mark.gpu
def test_transforms_and_loader_on_cupy():
    import cupy

    X = cupy.asarray(correlated())
    Z = preprocessing.PCAWhitening().fit_transform(X)
    assert isinstance(Z, cupy.ndarray)
    cupy.testing.assert_allclose(Z.T @ Z / len(Z), cupy.eye(3), atol=1e-8)
    batches = list(nn.DataLoader(X, batch_size=128, shuffle=True, seed=0))
    assert all(isinstance(batch, cupy.ndarray) for (batch,) in batches)
