"""The course's data: real digits from the package's own file, synthetic generators."""
from __future__ import annotations

import numpy as np
import pytest

from k2tf import data


def test_digits_load_offline_split_three_ways():
    digits = data.load_digits()
    sizes = [len(digits.train), len(digits.validation), len(digits.test)]
    assert sum(sizes) == 1797 and sizes == [1259, 269, 269]
    x, y = digits.train
    assert x.shape == (1259, 64) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    assert y.dtype == np.int64 and set(np.unique(y)) == set(range(10))
    assert digits.class_names == tuple("0123456789")


def test_digits_split_is_stratified_disjoint_and_repeatable():
    a, b = data.load_digits(), data.load_digits()
    np.testing.assert_array_equal(a.test.x, b.test.x)
    c = data.load_digits(seed=1)
    assert not np.array_equal(a.test.x, c.test.x)
    rows = {tuple(r) for r in np.concatenate([a.train.x, a.validation.x, a.test.x])}
    assert len(rows) > 1780  # a handful of digits are exact duplicates in the source data
    counts = np.bincount(a.test.y, minlength=10)
    assert counts.min() >= 26 and counts.max() <= 29  # ~15% of each class's ~180 images


def test_digits_image_form_and_raw_pixels():
    digits = data.load_digits(flat=False, normalize=False)
    x = digits.train.x
    assert x.shape[1:] == (8, 8, 1) and x.max() == 16 and np.all(x == np.round(x))


def test_a_damaged_digits_file_is_reported(monkeypatch):
    monkeypatch.setattr(data, "DIGITS_SHA256", "0" * 64)
    with pytest.raises(OSError, match="damaged"):
        data.load_digits()


def test_bad_fractions_are_rejected():
    with pytest.raises(ValueError):
        data.load_digits(validation_fraction=0.6, test_fraction=0.5)


def test_regression_returns_the_truth_it_was_made_from():
    x, y, w, b = data.make_regression(500, 3, noise=0.01, seed=3)
    assert x.shape == (500, 3) and y.shape == (500,) and w.shape == (3,)
    np.testing.assert_allclose(y, x @ w + b, atol=0.05)
    again = data.make_regression(500, 3, noise=0.01, seed=3)
    np.testing.assert_array_equal(x, again[0])


@pytest.mark.parametrize("make", [data.make_spirals, data.make_blobs])
def test_2d_generators(make):
    x, y = make(301, 3, seed=5)
    assert x.shape == (301, 2) and x.dtype == np.float32 and y.shape == (301,)
    assert set(np.unique(y)) == {0, 1, 2}
    np.testing.assert_array_equal(x, make(301, 3, seed=5)[0])
    with pytest.raises(ValueError):
        make(10, 1)


def test_spirals_are_not_linearly_separable_but_blobs_are():
    """Least squares on one-hot labels: the linear fit fails on spirals, works on blobs."""
    def linear_accuracy(x, y):
        features = np.hstack([x, np.ones((len(x), 1))])
        weights, *_ = np.linalg.lstsq(features, np.eye(y.max() + 1)[y], rcond=None)
        return np.mean((features @ weights).argmax(1) == y)

    assert linear_accuracy(*data.make_spirals(600, 2, seed=0)) < 0.75
    assert linear_accuracy(*data.make_blobs(600, 3, seed=0)) > 0.95
