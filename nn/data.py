"""Data with no downloads: images as H×W×C arrays, toy 2-D sets, bundled digits and photos, CIFAR-10 files."""

from __future__ import annotations

import os
import pickle
from typing import Any, Union

import numpy as np

from ._checks import check_choice, check_int, check_real

__all__ = [
    "load_image",
    "flatten",
    "resize",
    "sample_image",
    "SAMPLE_IMAGES",
    "make_moons",
    "make_spiral",
    "load_digits",
    "load_cifar10_batch",
]

#: The real colour photos scikit-learn ships (both 427×640×3).
SAMPLE_IMAGES = ("china.jpg", "flower.jpg")

_EXTRA = 'pip install "gategraph[data]"'


def _pillow() -> Any:
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError(f"reading and resizing images needs Pillow: {_EXTRA}") from e
    return Image


def _sklearn_datasets() -> Any:
    try:
        from sklearn import datasets
    except ImportError as e:
        raise ImportError(f"the bundled digits and sample photos come with scikit-learn: {_EXTRA}") from e
    return datasets


def load_image(path: Union[str, os.PathLike]) -> np.ndarray:
    """Read an image file (PNG, JPEG, …) as an H×W×3 uint8 array of 0–255 RGB pixels.

    Grey and RGBA images are converted to RGB, so the array always has 3 channels.

    Args:
        path: the file.

    Returns:
        An array of shape (height, width, 3) and dtype uint8.

    Raises:
        FileNotFoundError: no such file.
        ImportError: Pillow is not installed.
    """
    Image = _pillow()
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8).copy()


def flatten(image: np.ndarray) -> np.ndarray:
    """The image as one vector, row by row and within a pixel channel by channel (R, G, B, R, …).

    A 32×32×3 image becomes 3072 numbers, the input of ``nn.Linear(3072, 10)``; reshape a
    vector (or a row of ``Linear.weight_matrix()``) back with ``.reshape(32, 32, 3)``.

    >>> flatten(np.zeros((32, 32, 3), dtype=np.uint8)).shape
    (3072,)
    >>> flatten(np.array([[[1, 2, 3], [4, 5, 6]]])).tolist()
    [1, 2, 3, 4, 5, 6]
    """
    a = np.asarray(image)
    if a.ndim == 0:
        raise ValueError("flatten needs an array (e.g. an H×W×C image), got a single number")
    return a.reshape(-1)


def resize(image: np.ndarray, size: tuple[int, int] = (32, 32)) -> np.ndarray:
    """Resample an H×W×C (or H×W) uint8 image to ``size`` = (height, width), e.g. the course's 32×32.

    Uses Pillow's bilinear filter, which averages over the covered pixels when shrinking.

    >>> resize(np.zeros((427, 640, 3), dtype=np.uint8)).shape
    (32, 32, 3)
    """
    a = np.asarray(image)
    if a.dtype != np.uint8 or a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (1, 3, 4)):
        raise ValueError(
            f"resize needs an H×W or H×W×C uint8 image with C in (1, 3, 4), got dtype {a.dtype} shape {a.shape}"
        )
    if not (isinstance(size, (tuple, list)) and len(size) == 2):
        raise ValueError(f"resize: size must be (height, width), got {size!r}")
    height, width = (check_int(f"resize: size[{i}]", n, 1) for i, n in enumerate(size))
    Image = _pillow()
    single = a.ndim == 3 and a.shape[2] == 1
    im = Image.fromarray(a[:, :, 0] if single else a)
    out = np.asarray(im.resize((width, height), Image.Resampling.BILINEAR), dtype=np.uint8)  # PIL wants (w, h)
    return out[:, :, None] if single else out


def sample_image(name: str = "china.jpg") -> np.ndarray:
    """A real colour photo that scikit-learn ships, as a 427×640×3 uint8 array: nothing to download.

    Args:
        name: one of ``SAMPLE_IMAGES``: "china.jpg" (a temple) or "flower.jpg".

    >>> sample_image().shape, sample_image("flower.jpg").dtype
    ((427, 640, 3), dtype('uint8'))
    """
    check_choice("sample image", name, SAMPLE_IMAGES)
    return _sklearn_datasets().load_sample_image(name)


def make_moons(n: int, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in 2-D (scikit-learn's moons): not linearly separable.

    Class 0 is the upper arc (cos t, sin t), class 1 the lower arc (1 − cos t, ½ − sin t),
    t evenly spaced in [0, π]; each point gets Gaussian noise of standard deviation ``noise``.

    Args:
        n: number of points, >= 2: n // 2 in class 0 (listed first), the rest in class 1.
        noise: standard deviation of the noise, >= 0.
        seed: seeds the noise.

    Returns:
        (X, y): X of shape (n, 2), float; y of shape (n,), integer labels 0 and 1.

    >>> X, y = make_moons(100)
    >>> X.shape, y.tolist().count(0), y.tolist().count(1)
    ((100, 2), 50, 50)
    """
    n = check_int("make_moons: n", n, 2)
    noise = check_real("make_moons: noise", noise, low=0.0)
    n0 = n // 2
    t0, t1 = np.linspace(0.0, np.pi, n0), np.linspace(0.0, np.pi, n - n0)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([upper, lower]) + noise * np.random.default_rng(seed).standard_normal((n, 2))
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n0, n - n0])
    return X, y


def make_spiral(n_per_class: int, n_classes: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """CS231n's spiral: ``n_classes`` arms winding out from the origin, one class per arm.

    Arm j has radius r from 0 to 1 and angle t from 4j to 4(j + 1) radians plus Gaussian noise
    of standard deviation 0.2; a point is (r sin t, r cos t). No straight line separates the arms.

    Args:
        n_per_class: points per arm, >= 1.
        n_classes: number of arms (classes), >= 2.
        seed: seeds the angle noise.

    Returns:
        (X, y): X of shape (n_per_class · n_classes, 2), float; y the labels 0..n_classes−1,
        class by class.

    >>> X, y = make_spiral(100, 3)
    >>> X.shape, sorted(set(y.tolist())), bool(abs(X).max() <= 1.0)
    ((300, 2), [0, 1, 2], True)
    """
    n = check_int("make_spiral: n_per_class", n_per_class, 1)
    k = check_int("make_spiral: n_classes", n_classes, 2)
    rng = np.random.default_rng(seed)
    r = np.tile(np.linspace(0.0, 1.0, n), k)
    t = np.concatenate([np.linspace(4.0 * j, 4.0 * (j + 1), n) for j in range(k)])
    t = t + 0.2 * rng.standard_normal(n * k)
    X = np.column_stack([r * np.sin(t), r * np.cos(t)])
    y = np.repeat(np.arange(k, dtype=np.int64), n)
    return X, y


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 real 8×8 handwritten digits scikit-learn ships (UCI's optical digits), ready to train on.

    Returns:
        (X, y): X of shape (1797, 64), float, each row an 8×8 image flattened row by row, pixel
        intensities scaled from 0–16 to [0, 1] (``X[i].reshape(8, 8)`` is the picture);
        y the digits 0–9 as integers.

    Raises:
        ImportError: scikit-learn is not installed.

    >>> X, y = load_digits()
    >>> X.shape, float(X.max()), sorted(set(y.tolist())) == list(range(10))
    ((1797, 64), 1.0, True)
    """
    digits = _sklearn_datasets().load_digits()
    return digits.data / 16.0, digits.target.astype(np.int64)


def _entry(batch: dict, key: str, path: object) -> Any:
    """``batch[key]`` under a bytes key (the official files, unpickled as bytes) or a str key."""
    for k in (key.encode(), key):
        if k in batch:
            return batch[k]
    found = ", ".join(repr(k) for k in batch) or "none"
    raise ValueError(f"{path}: not a CIFAR-10 batch: no {key!r} entry (keys found: {found})")


def load_cifar10_batch(path: Union[str, os.PathLike]) -> tuple[np.ndarray, np.ndarray]:
    """Read one batch file of the official CIFAR-10 python version (e.g. ``data_batch_1``).

    Such a file is a pickled dict: ``data``, an N×3072 uint8 array where each row is one 32×32
    image stored as 1024 red values, then 1024 green, then 1024 blue (each plane row by row), and
    ``labels``, N class indices 0–9. Keys may be bytes (the official files) or str. Only open files
    you trust: unpickling can run code.

    Args:
        path: the batch file.

    Returns:
        (images, labels): images of shape (N, 32, 32, 3), uint8, channels last like ``load_image``;
        labels of shape (N,), integers.

    Raises:
        ValueError: the file holds no dict with ``data`` and ``labels`` of the shapes above.
    """
    with open(path, "rb") as f:
        batch = pickle.load(f, encoding="bytes")
    if not isinstance(batch, dict):
        raise ValueError(f"{path}: not a CIFAR-10 batch: expected a pickled dict, got {type(batch).__name__}")
    data = np.asarray(_entry(batch, "data", path))
    labels = np.asarray(_entry(batch, "labels", path))
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        raise ValueError(f"{path}: CIFAR-10 data must be an N×3072 uint8 array, got dtype {data.dtype} shape {data.shape}")
    if labels.shape != (len(data),) or labels.dtype.kind not in "iu":
        raise ValueError(f"{path}: expected {len(data)} integer labels, got dtype {labels.dtype} shape {labels.shape}")
    if len(labels) and not (labels.min() >= 0 and labels.max() <= 9):
        raise ValueError(f"{path}: CIFAR-10 labels must be in 0..9, got {labels.min()}..{labels.max()}")
    # row = [R plane | G plane | B plane], each 32×32: to (N, 3, 32, 32), then channels last
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype(np.int64)
