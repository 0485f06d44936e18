"""Data with no downloads: images as H×W×C arrays, toy 2-D sets, bundled digits and photos, CIFAR-10 files."""

from __future__ import annotations

import os
import pickle
import re
import stat
import warnings
from typing import Any, BinaryIO, Callable, Union

import numpy as np

from ._checks import check_choice, check_int, check_real

__all__ = [
    "MAX_PIXELS",
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

#: The default limit on pixels (height × width) of ``load_image`` and ``resize``: 50 million, a
#: 48-megapixel phone photo fits; the RGB array is then up to 150 MB. Pass ``max_pixels`` for more.
MAX_PIXELS = 50_000_000

_EXTRA = 'pip install "gategraph[data]"'


def _pillow() -> Any:
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("reading and resizing images needs Pillow, a dependency of gategraph that is missing here: "
                          "pip install pillow") from e
    return Image


def _sklearn_datasets() -> Any:
    try:
        from sklearn import datasets
    except ImportError as e:
        raise ImportError(f"the bundled digits and sample photos come with scikit-learn: {_EXTRA}") from e
    return datasets


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _check_regular(mode: int, path: object, who: str) -> None:
    """Refuse anything but a regular file: reading a pipe or a device could block or never end."""
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise ValueError(f"{who}: {path} is {kind}, not a regular file")


def _open_regular(path: Union[str, os.PathLike], who: str) -> BinaryIO:
    """``path`` opened for reading in binary, once it is known to be a regular file.

    Checked before opening (``os.stat``: opening a FIFO would wait for a writer) and again on the
    open file, so a file swapped for a pipe in between is refused too; ``O_NONBLOCK`` keeps that
    second open from blocking.
    """
    _check_regular(os.stat(path).st_mode, path, who)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        _check_regular(os.fstat(fd).st_mode, path, who)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _over_limit(who: str, what: str, pixels: int, limit: int, channels: int) -> ValueError:
    """The error for an image of ``pixels`` over ``max_pixels``, naming the size and the way out."""
    return ValueError(
        f"{who}: {what} {pixels:,} pixels, over the limit max_pixels={limit:,}; "
        f"pass a larger max_pixels to allow it (the array needs {channels * pixels / 1e6:,.0f} MB)"
    )


def _bomb(who: str, path: object, error: Exception, limit: int) -> ValueError:
    """Pillow's DecompressionBombError as the same error as our own limit, naming the size."""
    found = re.search(r"\((\d+) pixels\)", str(error))
    if found is None:  # Pillow worded it differently: pass its message on
        return ValueError(f"{who}: {path}: {error} (limit max_pixels={limit:,})")
    pixels = int(found.group(1))
    if pixels > limit:
        return _over_limit(who, f"{path} has", pixels, limit, 3)
    return ValueError(
        f"{who}: {path} has {pixels:,} pixels, within max_pixels={limit:,} but over Pillow's own limit "
        f"of 2 × PIL.Image.MAX_IMAGE_PIXELS; raise PIL.Image.MAX_IMAGE_PIXELS as well to read it"
    )


def load_image(path: Union[str, os.PathLike], *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Read an image file (PNG, JPEG, …) as an H×W×3 uint8 array of 0–255 RGB pixels.

    Grey and RGBA images are converted to RGB, so the array always has 3 channels. The size is
    read from the file's header first: an image of more than ``max_pixels`` pixels is refused
    before anything is decoded (a 100 KB PNG can declare 10000×10000 pixels, 300 MB decoded).

    Args:
        path: the file; it must be a regular file (a named pipe or a device is refused, not read).
        max_pixels: the most pixels (height × width) to decode, >= 1; the default
            ``MAX_PIXELS`` is 50 million.

    Returns:
        An array of shape (height, width, 3) and dtype uint8.

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a regular file (a directory, a FIFO, …), not an image Pillow can read, a
            damaged image, or more than ``max_pixels`` pixels (the message gives the size).
        ImportError: Pillow is not installed.
    """
    limit = check_int("load_image: max_pixels", max_pixels, 1)
    Image = _pillow()
    with _open_regular(path, "load_image") as f, warnings.catch_warnings():
        # Pillow warns above PIL.Image.MAX_IMAGE_PIXELS (89 million): max_pixels decides here
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            im = Image.open(f)
        except Image.DecompressionBombError as e:
            raise _bomb("load_image", path, e, limit) from None
        except Image.UnidentifiedImageError:
            raise ValueError(f"load_image: {path} is not an image file Pillow can read") from None
        with im:
            width, height = im.size
            if width * height > limit:
                raise _over_limit("load_image", f"{path} is {width}×{height} =", width * height, limit, 3)
            try:
                rgb = im.convert("RGB")  # decoding happens here
            except Image.DecompressionBombError as e:
                raise _bomb("load_image", path, e, limit) from None
            except Exception as e:  # a damaged file fails in many ways (OSError, SyntaxError, zlib.error, …)
                raise ValueError(f"load_image: {path} is damaged or truncated: {type(e).__name__}: {e}") from e
    return np.asarray(rgb, dtype=np.uint8).copy()


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


def resize(image: np.ndarray, size: tuple[int, int] = (32, 32), *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Resample an H×W×C (or H×W) uint8 image to ``size`` = (height, width), e.g. the course's 32×32.

    Uses Pillow's bilinear filter, which averages over the covered pixels when shrinking. A
    ``size`` of more than ``max_pixels`` pixels (default ``MAX_PIXELS``, 50 million) is refused
    before anything is allocated.

    >>> resize(np.zeros((427, 640, 3), dtype=np.uint8)).shape
    (32, 32, 3)
    >>> resize(np.zeros((2, 2, 3), dtype=np.uint8), (30000, 30000))
    Traceback (most recent call last):
    ...
    ValueError: resize: size (30000, 30000) is 900,000,000 pixels, over the limit max_pixels=50,000,000;
    pass a larger max_pixels to allow it (the array needs 2,700 MB)
    """
    a = np.asarray(image)
    if a.dtype != np.uint8 or a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (1, 3, 4)):
        raise ValueError(
            f"resize needs an H×W or H×W×C uint8 image with C in (1, 3, 4), got dtype {a.dtype} shape {a.shape}"
        )
    if not (isinstance(size, (tuple, list)) and len(size) == 2):
        raise ValueError(f"resize: size must be (height, width), got {size!r}")
    height, width = (check_int(f"resize: size[{i}]", n, 1) for i, n in enumerate(size))
    limit = check_int("resize: max_pixels", max_pixels, 1)
    if height * width > limit:
        channels = a.shape[2] if a.ndim == 3 else 1
        raise _over_limit("resize", f"size ({height}, {width}) is", height * width, limit, channels)
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


class _Refused(ValueError):
    """A global the CIFAR-10 unpickler does not admit (kept apart from damaged-file errors)."""


class _NdarrayType:
    """Stands for ``numpy.ndarray`` in a batch: numpy's ``_reconstruct`` takes it, nothing calls it."""

    def __new__(cls, *args: object) -> Any:
        raise _Refused("the pickle calls numpy.ndarray directly, which numpy's own pickles never do")


def _reconstruct(cls: object, shape: tuple, dtype: object) -> np.ndarray:
    """numpy's ``_reconstruct`` as numpy's own pickles call it: an empty array, filled by BUILD."""
    if cls is not _NdarrayType or shape != (0,):
        raise _Refused(f"the pickle calls numpy's _reconstruct with {cls!r}, {shape!r}, which numpy's own pickles never do")
    return _NUMPY_RECONSTRUCT(np.ndarray, shape, dtype)


def _latin1(text: str, encoding: str) -> bytes:
    """``_codecs.encode`` as Python 3 pickles bytes at protocols 0–2; only latin-1 is admitted."""
    if encoding not in ("latin1", "latin-1"):
        raise _Refused(f"the pickle calls _codecs.encode with encoding {encoding!r}; only 'latin1' is admitted")
    return text.encode("latin1")


_NUMPY_RECONSTRUCT = np.zeros(0).__reduce__()[0]  # numpy's C function, whatever module it lives in
_SCALAR = np.int64(0).__reduce__()[0]  # a numpy scalar from its dtype and bytes
_FROMBUFFER = np.zeros(0).__reduce_ex__(5)[0]  # protocol 5: an array from a buffer, dtype, shape, order

# Every global an official CIFAR-10 batch (pickled by Python 2 and numpy 1.x) or a batch re-saved
# by Python 3 with numpy 1.x or 2.x (protocols 0–5) refers to. numpy 2 renamed numpy.core to
# numpy._core; both spellings map to the functions of the numpy installed here.
_ADMITTED: dict[tuple[str, str], Callable[..., Any]] = {
    ("numpy", "ndarray"): _NdarrayType,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): _latin1,
    **{(f"numpy.{core}.multiarray", "_reconstruct"): _reconstruct for core in ("core", "_core")},
    **{(f"numpy.{core}.multiarray", "scalar"): _SCALAR for core in ("core", "_core")},
    **{(f"numpy.{core}.numeric", "_frombuffer"): _FROMBUFFER for core in ("core", "_core")},
}


class _BatchUnpickler(pickle.Unpickler):
    """An unpickler that builds dicts, lists, bytes, str, numbers and numpy arrays, and nothing else.

    ``pickle.load`` looks up any global a file names (``os.system``, …) and calls it; here
    ``find_class`` admits only the names in ``_ADMITTED`` and refuses the rest before it is called.
    """

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ADMITTED[module, name]
        except KeyError:
            raise _Refused(
                f"the pickle names {module}.{name}, which a CIFAR-10 batch never contains "
                "(admitted: dicts, lists, bytes, str, numbers and numpy arrays)"
            ) from None


def _unpickle_batch(path: Union[str, os.PathLike]) -> Any:
    """The object pickled in ``path``, through ``_BatchUnpickler``; every failure names the file."""
    with _open_regular(path, "load_cifar10_batch") as f:
        if os.fstat(f.fileno()).st_size == 0:
            raise ValueError(f"load_cifar10_batch: {path} is empty, not a CIFAR-10 batch")
        try:
            return _BatchUnpickler(f, encoding="bytes").load()
        except _Refused as e:
            raise ValueError(f"load_cifar10_batch: {path} refused: {e}") from None
        except Exception as e:  # truncated or garbage bytes fail in many ways (EOFError, UnpicklingError, …)
            raise ValueError(
                f"load_cifar10_batch: {path} is not a CIFAR-10 batch: its pickle is damaged or truncated "
                f"({type(e).__name__}: {e})"
            ) from None


def _entry(batch: dict, key: str, where: str) -> np.ndarray:
    """``batch[key]`` as an array, under a bytes key (the official files, unpickled as bytes) or a str key."""
    for k in (key.encode(), key):
        if k in batch:
            try:
                return np.asarray(batch[k])
            except (TypeError, ValueError, OverflowError) as e:  # e.g. a ragged list
                raise ValueError(f"{where}: the {key!r} entry is not an array: {e}") from None
    found = ", ".join(repr(k) for k in batch) or "none"
    raise ValueError(f"{where}: not a CIFAR-10 batch: no {key!r} entry (keys found: {found})")


def load_cifar10_batch(path: Union[str, os.PathLike]) -> tuple[np.ndarray, np.ndarray]:
    """Read one batch file of the official CIFAR-10 python version (e.g. ``data_batch_1``).

    Such a file is a pickled dict: ``data``, an N×3072 uint8 array where each row is one 32×32
    image stored as 1024 red values, then 1024 green, then 1024 blue (each plane row by row), and
    ``labels``, N class indices 0–9. Keys may be bytes (the official files) or str.

    Reading it runs no code from the file: the unpickler admits only dicts, lists, tuples, bytes,
    str, numbers and numpy arrays and dtypes built by numpy's own reconstruct functions (as numpy
    1.x and 2.x pickle them). Any other global the file names (``os.system``, a class, …) is
    refused with a ValueError before it is looked up.

    Args:
        path: the batch file (a regular file).

    Returns:
        (images, labels): images of shape (N, 32, 32, 3), uint8, channels last like ``load_image``;
        labels of shape (N,), integers.

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a regular file; an empty, truncated or garbage file; a pickle that names
            a global outside the admitted ones (the message names it); a batch with 0 images; or
            no dict with ``data`` and ``labels`` of the shapes above. Every message names the file.
    """
    batch = _unpickle_batch(path)
    where = f"load_cifar10_batch: {path}"
    if not isinstance(batch, dict):
        raise ValueError(f"{where}: not a CIFAR-10 batch: expected a pickled dict, got {type(batch).__name__}")
    data, labels = _entry(batch, "data", where), _entry(batch, "labels", where)
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        raise ValueError(f"{where}: CIFAR-10 data must be an N×3072 uint8 array, got dtype {data.dtype} shape {data.shape}")
    if len(data) == 0:
        raise ValueError(f"{where}: the CIFAR-10 batch has 0 rows: no images to load")
    if labels.shape != (len(data),) or labels.dtype.kind not in "iu":
        raise ValueError(f"{where}: expected {len(data)} integer labels, got dtype {labels.dtype} shape {labels.shape}")
    if not (labels.min() >= 0 and labels.max() <= 9):
        raise ValueError(f"{where}: CIFAR-10 labels must be in 0..9, got {labels.min()}..{labels.max()}")
    # row = [R plane | G plane | B plane], each 32×32: to (N, 3, 32, 32), then channels last
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype(np.int64)
