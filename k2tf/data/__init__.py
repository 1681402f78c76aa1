"""Data sets for the course: one real, small image data set shipped in the package, and
synthetic generators. Nothing here touches the network.

* :func:`load_digits` — handwritten digits, 8×8 pixels (lessons 01–03, 05, 07).
* :func:`make_regression` — a noisy linear relation with known true weights (lesson 04).
* :func:`make_spirals` and :func:`make_blobs` — 2-D classification problems that need a
  non-linear model, or don't (lessons 02, 06, 08, 09).

Every generator takes a ``seed`` and returns the same arrays for the same arguments.
"""
from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from importlib import resources

import numpy as np

DIGITS_FILE = "digits.csv.gz"
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


@dataclass(frozen=True)
class Split:
    """Arrays of one part of a data set: inputs ``x`` and targets ``y``."""

    x: np.ndarray
    y: np.ndarray

    def __iter__(self):  # lets you write `x_train, y_train = digits.train`
        return iter((self.x, self.y))

    def __len__(self) -> int:
        return len(self.x)


@dataclass(frozen=True)
class Digits:
    """The digits data set split three ways, as :func:`load_digits` returns it."""

    train: Split
    validation: Split
    test: Split
    class_names: tuple[str, ...]


def _read_digits_file() -> np.ndarray:
    raw = resources.files(__name__).joinpath(DIGITS_FILE).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != DIGITS_SHA256:
        raise OSError(
            f"k2tf's copy of {DIGITS_FILE} is damaged (SHA-256 {digest[:12]}…, expected "
            f"{DIGITS_SHA256[:12]}…). Restore it with `git checkout k2tf/data/{DIGITS_FILE}`."
        )
    text = gzip.decompress(raw).decode("ascii")
    return np.loadtxt(text.splitlines(), delimiter=",", dtype=np.int64)


def load_digits(
    *,
    flat: bool = True,
    normalize: bool = True,
    validation_fraction: float = 0.15,
    test_fraction: float = 0.15,
    seed: int = 0,
) -> Digits:
    """Load the handwritten digits data set, shuffled and split into train, validation, test.

    1,797 grey-scale images of 8×8 pixels with labels 0–9. Inputs are ``float32``, scaled to
    [0, 1] when ``normalize`` (the raw pixels are integers 0–16); ``flat`` gives each image as
    a vector of 64 values, otherwise as an 8×8×1 array. Labels are ``int64``. The same
    ``seed`` always gives the same split; each split keeps the ten classes in about the same
    proportions (a stratified split).

    Provenance and licence: E. Alpaydin and C. Kaynak (1998), "Optical Recognition of
    Handwritten Digits", UCI Machine Learning Repository, doi:10.24432/C50P49, licensed
    CC BY 4.0. The file is the copy scikit-learn ships (its UCI test set), stored in
    ``k2tf/data/`` — see the README there.
    """
    if not (0 < validation_fraction < 1 and 0 < test_fraction < 1
            and validation_fraction + test_fraction < 1):
        raise ValueError("validation_fraction and test_fraction must be in (0, 1) and sum below 1")
    table = _read_digits_file()
    images, labels = table[:, :64].astype(np.float32), table[:, 64]
    if normalize:
        images /= 16.0
    if not flat:
        images = images.reshape(-1, 8, 8, 1)

    rng = np.random.default_rng(seed)
    parts: dict[str, list[np.ndarray]] = {"train": [], "validation": [], "test": []}
    for label in range(10):  # stratify: split each class the same way
        idx = rng.permutation(np.flatnonzero(labels == label))
        n_test = round(len(idx) * test_fraction)
        n_val = round(len(idx) * validation_fraction)
        parts["test"].append(idx[:n_test])
        parts["validation"].append(idx[n_test:n_test + n_val])
        parts["train"].append(idx[n_test + n_val:])
    splits = {}
    for name, chunks in parts.items():
        idx = rng.permutation(np.concatenate(chunks))
        splits[name] = Split(images[idx], labels[idx])
    return Digits(**splits, class_names=tuple(str(d) for d in range(10)))


def make_regression(
    n_samples: int = 200,
    n_features: int = 1,
    *,
    noise: float = 0.5,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """A linear relation plus Gaussian noise: ``y = x @ w + b + noise``.

    Returns ``(x, y, w, b)``: inputs of shape (n_samples, n_features), targets of shape
    (n_samples,), and the true weights and bias, so you can compare what a model learns
    with the truth. ``float32`` throughout. Synthetic; no licence restrictions.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, size=(n_samples, n_features)).astype(np.float32)
    w = rng.uniform(-2.0, 2.0, size=n_features).astype(np.float32)
    b = float(np.float32(rng.uniform(-1.0, 1.0)))
    y = (x @ w + b + rng.normal(0.0, noise, size=n_samples)).astype(np.float32)
    return x, y, w, b


def make_spirals(
    n_samples: int = 600,
    n_classes: int = 2,
    *,
    noise: float = 0.15,
    turns: float = 1.5,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spirals in the plane, one arm per class: a linear model cannot separate them.

    Returns ``(x, y)``: points of shape (n_samples, 2) as ``float32`` and integer labels
    0…n_classes-1, shuffled. Synthetic; no licence restrictions.
    """
    if n_classes < 2:
        raise ValueError("n_classes must be at least 2")
    rng = np.random.default_rng(seed)
    per_class = np.full(n_classes, n_samples // n_classes)
    per_class[: n_samples % n_classes] += 1
    xs, ys = [], []
    for label, n in enumerate(per_class):
        t = np.sqrt(rng.uniform(0.0, 1.0, size=n))  # more points further out, as area grows
        angle = 2 * np.pi * turns * t + 2 * np.pi * label / n_classes
        radius = t * 2.0
        points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
        xs.append(points + rng.normal(0.0, noise, size=points.shape))
        ys.append(np.full(n, label))
    order = rng.permutation(n_samples)
    return np.concatenate(xs)[order].astype(np.float32), np.concatenate(ys)[order].astype(np.int64)


def make_blobs(
    n_samples: int = 600,
    n_classes: int = 3,
    *,
    spread: float = 0.6,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clouds in the plane, one per class, centred on a circle: nearly linearly separable.

    Returns ``(x, y)`` like :func:`make_spirals`. Synthetic; no licence restrictions.
    """
    if n_classes < 2:
        raise ValueError("n_classes must be at least 2")
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = 2.5 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    y = rng.integers(0, n_classes, size=n_samples)
    x = centres[y] + rng.normal(0.0, spread, size=(n_samples, 2))
    return x.astype(np.float32), y.astype(np.int64)
