"""Tests for nn.data: images as arrays, toy datasets, bundled data and CIFAR-10 batch files."""

import pickle
import sys

import numpy as np
import pytest

from nn import data


def test_load_image_reads_pixels_as_hwc_uint8(tmp_path):
    """A PNG written with Pillow comes back as the same H×W×3 uint8 array."""
    from PIL import Image

    pixels = np.arange(300 * 100 * 3, dtype=np.uint64).reshape(100, 300, 3).astype(np.uint8)
    Image.fromarray(pixels).save(tmp_path / "img.png")
    out = data.load_image(tmp_path / "img.png")
    assert out.dtype == np.uint8 and out.shape == (100, 300, 3) and np.array_equal(out, pixels)


def test_load_image_converts_grey_to_three_channels(tmp_path):
    """A greyscale file is returned with 3 equal channels."""
    from PIL import Image

    Image.fromarray(np.full((4, 5), 77, dtype=np.uint8)).save(tmp_path / "grey.png")
    out = data.load_image(tmp_path / "grey.png")
    assert out.shape == (4, 5, 3) and np.all(out == 77)


def test_load_image_missing_file_raises():
    """A path that does not exist raises FileNotFoundError."""
    with pytest.raises(FileNotFoundError):
        data.load_image("/nonexistent/cat.png")


def test_flatten_turns_32x32x3_into_3072():
    """flatten keeps pixel order: vector[(i·W + j)·3 + c] = image[i, j, c]."""
    image = np.random.default_rng(0).integers(0, 256, size=(32, 32, 3), dtype=np.uint8)
    v = data.flatten(image)
    assert v.shape == (3072,) and v[(5 * 32 + 7) * 3 + 2] == image[5, 7, 2]


def test_resize_to_the_course_size():
    """resize shrinks a photo to 32×32×3 uint8 and keeps a flat colour unchanged."""
    flat = np.full((427, 640, 3), (200, 100, 50), dtype=np.uint8)
    out = data.resize(flat)
    assert out.shape == (32, 32, 3) and out.dtype == np.uint8 and np.all(out == (200, 100, 50))


def test_resize_takes_height_then_width():
    """size is (height, width), numpy's order, not Pillow's (width, height)."""
    assert data.resize(np.zeros((50, 80, 3), dtype=np.uint8), (10, 20)).shape == (10, 20, 3)


def test_resize_rejects_float_images():
    """A float image raises ValueError naming the dtype it got."""
    with pytest.raises(ValueError, match=r"uint8 image .* got dtype float64"):
        data.resize(np.zeros((8, 8, 3)))


def test_sample_image_is_a_real_colour_photo():
    """sample_image returns a 427×640×3 uint8 photo with varied colours."""
    image = data.sample_image("china.jpg")
    assert image.shape == (427, 640, 3) and image.dtype == np.uint8 and len(np.unique(image)) > 200


def test_sample_image_unknown_name_lists_the_valid_ones():
    """An unknown photo name raises ValueError listing china.jpg and flower.jpg."""
    with pytest.raises(ValueError, match=r"unknown sample image 'cat.jpg'; choose one of 'china.jpg', 'flower.jpg'"):
        data.sample_image("cat.jpg")


def test_make_moons_shapes_and_balanced_labels():
    """make_moons(101) gives 101 points in 2-D with labels 0 (50) and 1 (51)."""
    X, y = data.make_moons(101)
    assert X.shape == (101, 2) and np.bincount(y).tolist() == [50, 51]


def test_make_moons_without_noise_lies_on_the_two_arcs():
    """With noise=0, class 0 lies on the unit circle and class 1 on the shifted circle."""
    X, y = data.make_moons(40, noise=0.0)
    upper, lower = X[y == 0], X[y == 1] - (1.0, 0.5)
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(*lower.T), 1.0)


def test_make_moons_is_reproducible_and_seeded():
    """The same seed gives the same points; another seed gives other noise."""
    a, b, c = data.make_moons(30)[0], data.make_moons(30)[0], data.make_moons(30, seed=1)[0]
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_make_spiral_has_integer_labels_per_arm():
    """make_spiral(50, 4) gives 200 points with 50 of each label 0..3 inside the unit disc."""
    X, y = data.make_spiral(50, 4)
    assert X.shape == (200, 2) and np.bincount(y).tolist() == [50] * 4 and np.hypot(*X.T).max() <= 1.0 + 1e-12
    assert y.dtype.kind == "i"


def test_make_spiral_radius_grows_along_each_arm():
    """Along an arm the radius runs evenly from 0 to 1, as in CS231n's spiral."""
    X, y = data.make_spiral(11, 2)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), np.linspace(0, 1, 11), atol=1e-12)


def test_toy_sets_reject_bad_sizes():
    """Too few points or classes raise ValueError naming the argument."""
    with pytest.raises(ValueError, match=r"make_moons: n must be an integer >= 2, got 1"):
        data.make_moons(1)
    with pytest.raises(ValueError, match=r"make_spiral: n_classes must be an integer >= 2, got 1"):
        data.make_spiral(10, 1)


def test_load_digits_gives_real_8x8_digits():
    """load_digits returns 1797 flattened 8×8 images in [0, 1] with labels 0–9."""
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and 0.0 <= X.min() and X.max() == 1.0
    assert sorted(set(y.tolist())) == list(range(10)) and y.dtype.kind == "i"


def _write_batch(path, images, labels, *, str_keys=False):
    """Write images (N×32×32×3) in the official CIFAR-10 format: rows of 1024 R, 1024 G, 1024 B."""
    rows = images.transpose(0, 3, 1, 2).reshape(len(images), 3072)
    keys = ("data", "labels") if str_keys else (b"data", b"labels")
    with open(path, "wb") as f:
        pickle.dump({keys[0]: rows, keys[1]: list(labels), b"batch_label": b"testing batch 1 of 1"}, f)


@pytest.fixture
def cifar_images():
    return np.random.default_rng(0).integers(0, 256, size=(5, 32, 32, 3), dtype=np.uint8)


def test_load_cifar10_batch_round_trips_the_official_layout(tmp_path, cifar_images):
    """Images written as channel planes come back as N×32×32×3 with the labels."""
    _write_batch(tmp_path / "data_batch_1", cifar_images, [3, 1, 4, 1, 5])
    images, labels = data.load_cifar10_batch(tmp_path / "data_batch_1")
    assert np.array_equal(images, cifar_images) and labels.tolist() == [3, 1, 4, 1, 5]


def test_load_cifar10_batch_red_plane_comes_first(tmp_path):
    """The first 1024 values of a row are the red channel, read row by row."""
    row = np.zeros((1, 3072), dtype=np.uint8)
    row[0, 33] = 255  # red plane, pixel (1, 1)
    with open(tmp_path / "b", "wb") as f:
        pickle.dump({b"data": row, b"labels": [0]}, f)
    images, _ = data.load_cifar10_batch(tmp_path / "b")
    assert images[0, 1, 1].tolist() == [255, 0, 0]


def test_load_cifar10_batch_accepts_str_keys(tmp_path, cifar_images):
    """A batch pickled with str keys (e.g. re-saved under Python 3) reads the same."""
    _write_batch(tmp_path / "b", cifar_images, [0, 1, 2, 3, 4], str_keys=True)
    images, labels = data.load_cifar10_batch(tmp_path / "b")
    assert np.array_equal(images, cifar_images) and labels.tolist() == [0, 1, 2, 3, 4]


def test_load_cifar10_batch_missing_key_lists_what_it_found(tmp_path):
    """A dict without labels raises ValueError listing the keys found."""
    with open(tmp_path / "b", "wb") as f:
        pickle.dump({b"data": np.zeros((1, 3072), dtype=np.uint8)}, f)
    with pytest.raises(ValueError, match=r"no 'labels' entry \(keys found: b'data'\)"):
        data.load_cifar10_batch(tmp_path / "b")


def test_load_cifar10_batch_rejects_wrong_row_length(tmp_path):
    """Rows that are not 3072 values raise ValueError naming the shape."""
    with open(tmp_path / "b", "wb") as f:
        pickle.dump({b"data": np.zeros((2, 100), dtype=np.uint8), b"labels": [0, 1]}, f)
    with pytest.raises(ValueError, match=r"N×3072 uint8 array, got dtype uint8 shape \(2, 100\)"):
        data.load_cifar10_batch(tmp_path / "b")


def test_missing_scikit_learn_names_the_extra_to_install(monkeypatch):
    """Without scikit-learn, load_digits raises ImportError telling the user to install gategraph[data]."""
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(ImportError, match=r'scikit-learn: pip install "gategraph\[data\]"'):
        data.load_digits()


def test_missing_pillow_says_how_to_install_it(monkeypatch):
    """Without Pillow (a core dependency, so a broken install), load_image raises ImportError saying pip install pillow."""
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"needs Pillow, a dependency of gategraph that is missing here: pip install pillow$"):
        data.load_image("any.png")


# --- hostile files: nothing runs, nothing hangs, nothing huge is decoded, every error names the file


class _RunsAShellCommand:
    """Unpickled by plain pickle.load, this calls os.system(command)."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        import os

        return (os.system, (self.command,))


def test_load_cifar10_batch_refuses_a_pickle_that_runs_a_command(tmp_path, cifar_images):
    """A batch whose pickle calls os.system is refused, naming the file and posix.system, and the command never ran."""
    marker = tmp_path / "ran"
    rows = cifar_images.transpose(0, 3, 1, 2).reshape(5, 3072)
    with open(tmp_path / "evil", "wb") as f:
        pickle.dump({b"data": rows, b"labels": [0] * 5, b"x": _RunsAShellCommand(f"touch {marker}")}, f)
    with pytest.raises(ValueError, match=r"load_cifar10_batch: .*evil refused: the pickle names (posix|nt)\.system"):
        data.load_cifar10_batch(tmp_path / "evil")
    assert not marker.exists()


@pytest.mark.parametrize("name", ["builtins eval", "subprocess Popen", "numpy load", "collections OrderedDict"])
def test_load_cifar10_batch_refuses_any_other_global(tmp_path, name):
    """A pickle naming a global outside numpy's reconstruct functions is refused before the global is looked up."""
    module, attr = name.split()
    (tmp_path / "b").write_bytes(b"\x80\x02c" + f"{module}\n{attr}\n".encode() + b")R.")  # GLOBAL, call with ()
    with pytest.raises(ValueError, match=rf"refused: the pickle names {module}\.{attr}, which a CIFAR-10 batch never"):
        data.load_cifar10_batch(tmp_path / "b")


def test_load_cifar10_batch_refuses_ndarray_called_directly(tmp_path):
    """numpy.ndarray is admitted only as numpy's _reconstruct passes it: calling it (a huge allocation) is refused."""
    (tmp_path / "b").write_bytes(b"\x80\x02cnumpy\nndarray\nJ\x00\x00\x00\x40\x85R.")  # ndarray(2**30)
    with pytest.raises(ValueError, match=r"load_cifar10_batch: .*b refused: the pickle calls numpy.ndarray directly"):
        data.load_cifar10_batch(tmp_path / "b")


def test_load_cifar10_batch_refuses_codecs_other_than_latin1(tmp_path):
    """_codecs.encode (how Python 3 pickles bytes at protocol 2) is admitted with latin1 only."""
    (tmp_path / "b").write_bytes(b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00xX\x04\x00\x00\x00zlib\x86R.")
    with pytest.raises(ValueError, match=r"refused: the pickle calls _codecs.encode with encoding 'zlib'"):
        data.load_cifar10_batch(tmp_path / "b")


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_load_cifar10_batch_reads_every_pickle_protocol(tmp_path, cifar_images, protocol):
    """A batch re-saved by Python 3 at any protocol (bytes via _codecs at 0–2, _frombuffer at 5) still loads."""
    rows = cifar_images.transpose(0, 3, 1, 2).reshape(5, 3072)
    batch = {b"data": rows, b"labels": [1, 2, 3, 4, 5], b"batch_label": b"b", "filenames": ["a.png"] * 5}
    (tmp_path / "b").write_bytes(pickle.dumps(batch, protocol=protocol))
    images, labels = data.load_cifar10_batch(tmp_path / "b")
    assert np.array_equal(images, cifar_images) and labels.tolist() == [1, 2, 3, 4, 5]


class _Python2Pickler(pickle._Pickler):
    """Pickles bytes as Python 2's cPickle pickled its str (SHORT_BINSTRING / BINSTRING), as the official files do."""

    dispatch = dict(pickle._Pickler.dispatch)

    def save_bytes(self, obj):
        n = len(obj)
        self.write((b"U" + bytes([n]) if n < 256 else b"T" + n.to_bytes(4, "little")) + obj)
        self.memoize(obj)

    dispatch[bytes] = save_bytes


def test_load_cifar10_batch_reads_a_python2_numpy1_pickle(tmp_path, cifar_images):
    """The official files' form (Python 2 str as bytes, numpy.core.multiarray._reconstruct) loads."""
    import io

    rows = cifar_images.transpose(0, 3, 1, 2).reshape(5, 3072)
    buf = io.BytesIO()
    batch = {b"batch_label": b"training batch 1 of 5", b"labels": [6, 9, 9, 4, 1], b"data": rows}
    _Python2Pickler(buf, protocol=2).dump(batch)
    raw = buf.getvalue().replace(b"numpy._core.", b"numpy.core.")  # numpy 1.x's module name
    assert b"cnumpy.core.multiarray\n_reconstruct\n" in raw and b"_codecs" not in raw
    (tmp_path / "data_batch_1").write_bytes(raw)
    images, labels = data.load_cifar10_batch(tmp_path / "data_batch_1")
    assert np.array_equal(images, cifar_images) and labels.tolist() == [6, 9, 9, 4, 1]


def test_load_cifar10_batch_empty_file_names_it(tmp_path):
    """An empty file raises ValueError naming it, not a bare EOFError."""
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(ValueError, match=r"load_cifar10_batch: .*empty is empty, not a CIFAR-10 batch"):
        data.load_cifar10_batch(tmp_path / "empty")


@pytest.mark.parametrize("cut", [1, 20, 3000, -1])
def test_load_cifar10_batch_truncated_file_names_it(tmp_path, cifar_images, cut):
    """A batch cut short anywhere raises ValueError naming the file, not a bare UnpicklingError or EOFError."""
    rows = cifar_images.transpose(0, 3, 1, 2).reshape(5, 3072)
    (tmp_path / "cut").write_bytes(pickle.dumps({b"data": rows, b"labels": [0] * 5})[:cut])
    with pytest.raises(ValueError, match=r"load_cifar10_batch: .*cut is not a CIFAR-10 batch: its pickle is damaged or truncated"):
        data.load_cifar10_batch(tmp_path / "cut")


def test_load_cifar10_batch_garbage_file_names_it(tmp_path):
    """Random bytes raise ValueError naming the file."""
    (tmp_path / "garbage").write_bytes(np.random.default_rng(0).bytes(500))
    with pytest.raises(ValueError, match=r"load_cifar10_batch: .*garbage is not a CIFAR-10 batch"):
        data.load_cifar10_batch(tmp_path / "garbage")


def test_load_cifar10_batch_with_zero_rows_says_so(tmp_path):
    """A well-formed batch with 0 images raises ValueError saying it has 0 rows."""
    with open(tmp_path / "b", "wb") as f:
        pickle.dump({b"data": np.zeros((0, 3072), dtype=np.uint8), b"labels": []}, f)
    with pytest.raises(ValueError, match=r"load_cifar10_batch: .*b: the CIFAR-10 batch has 0 rows"):
        data.load_cifar10_batch(tmp_path / "b")


def test_load_cifar10_batch_ragged_labels_name_the_entry(tmp_path):
    """Labels numpy cannot make an array of raise ValueError naming the file and the entry."""
    with open(tmp_path / "b", "wb") as f:
        pickle.dump({b"data": np.zeros((2, 3072), dtype=np.uint8), b"labels": [[1], [2, 3]]}, f)
    with pytest.raises(ValueError, match=r"load_cifar10_batch: .*b: the 'labels' entry is not an array"):
        data.load_cifar10_batch(tmp_path / "b")


_mkfifo = pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs os.mkfifo (POSIX)")


@_mkfifo
@pytest.mark.parametrize("reader", [data.load_image, data.load_cifar10_batch])
def test_a_named_pipe_is_refused_without_waiting(tmp_path, reader):
    """A FIFO is refused at once (opening it would wait forever for a writer)."""
    import os

    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(ValueError, match=rf"{reader.__name__}: .*pipe is a named pipe \(FIFO\), not a regular file"):
        reader(tmp_path / "pipe")


@pytest.mark.parametrize("reader", [data.load_image, data.load_cifar10_batch])
def test_a_directory_is_refused(tmp_path, reader):
    """A directory raises ValueError saying it is a directory."""
    with pytest.raises(ValueError, match=rf"{reader.__name__}: .* is a directory, not a regular file"):
        reader(tmp_path)


def _png_header(width, height):
    """A PNG that declares width×height RGB pixels but holds a few bytes of pixel data (68 bytes in all)."""
    import struct
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b"")


def test_load_image_refuses_too_many_pixels_before_decoding(tmp_path):
    """A 68-byte PNG declaring 10000×10000 pixels is refused from its header, naming the size and max_pixels."""
    import warnings

    (tmp_path / "big.png").write_bytes(_png_header(10000, 10000))
    assert (tmp_path / "big.png").stat().st_size == 68
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Pillow's DecompressionBombWarning (over 89 M pixels) must not leak
        message = r"big.png is 10000×10000 = 100,000,000 pixels, over the limit max_pixels=50,000,000; pass a larger max_pixels"
        with pytest.raises(ValueError, match=message):
            data.load_image(tmp_path / "big.png")


def test_load_image_turns_pillows_decompression_bomb_into_the_same_error(tmp_path):
    """At 20000×20000 Pillow itself raises DecompressionBombError: it comes out as the same ValueError."""
    (tmp_path / "bomb.png").write_bytes(_png_header(20000, 20000))
    with pytest.raises(ValueError, match=r"bomb.png has 400,000,000 pixels, over the limit max_pixels=50,000,000"):
        data.load_image(tmp_path / "bomb.png")


def test_load_image_names_pillows_own_limit_when_max_pixels_is_raised_past_it(tmp_path):
    """With max_pixels above Pillow's ceiling, the error says which limit still applies and how to raise it."""
    (tmp_path / "bomb.png").write_bytes(_png_header(20000, 20000))
    with pytest.raises(ValueError, match=r"within max_pixels=500,000,000 but over Pillow's own limit .* PIL.Image.MAX_IMAGE_PIXELS"):
        data.load_image(tmp_path / "bomb.png", max_pixels=500_000_000)


def test_load_image_max_pixels_is_the_limit(tmp_path):
    """A real 5×4 image loads with max_pixels=20 and is refused with max_pixels=19."""
    from PIL import Image

    Image.fromarray(np.zeros((4, 5, 3), dtype=np.uint8)).save(tmp_path / "small.png")
    assert data.load_image(tmp_path / "small.png", max_pixels=20).shape == (4, 5, 3)
    with pytest.raises(ValueError, match=r"small.png is 5×4 = 20 pixels, over the limit max_pixels=19"):
        data.load_image(tmp_path / "small.png", max_pixels=19)


def test_load_image_damaged_file_names_it(tmp_path):
    """A PNG whose pixel data is missing raises ValueError naming the file, not Pillow's bare OSError."""
    (tmp_path / "cut.png").write_bytes(_png_header(4, 4))
    with pytest.raises(ValueError, match=r"load_image: .*cut.png is damaged or truncated"):
        data.load_image(tmp_path / "cut.png")


def test_load_image_not_an_image_names_the_file(tmp_path):
    """A text file raises ValueError naming it."""
    (tmp_path / "notes.png").write_text("not a picture")
    with pytest.raises(ValueError, match=r"load_image: .*notes.png is not an image file Pillow can read"):
        data.load_image(tmp_path / "notes.png")


def test_resize_refuses_a_huge_size_before_allocating():
    """resize to 30000×30000 (2.7 GB) is refused up front, naming the size and max_pixels."""
    with pytest.raises(ValueError, match=r"resize: size \(30000, 30000\) is 900,000,000 pixels, over the limit max_pixels=50,000,000"):
        data.resize(np.zeros((2, 2, 3), dtype=np.uint8), (30000, 30000))


def test_resize_max_pixels_is_the_limit():
    """max_pixels is inclusive: 4×5 passes at 20 and is refused at 19."""
    image = np.zeros((8, 8), dtype=np.uint8)
    assert data.resize(image, (4, 5), max_pixels=20).shape == (4, 5)
    with pytest.raises(ValueError, match=r"resize: size \(4, 5\) is 20 pixels, over the limit max_pixels=19"):
        data.resize(image, (4, 5), max_pixels=19)


def test_max_pixels_must_be_a_positive_integer(tmp_path):
    """max_pixels=0 is refused by name in load_image and in resize."""
    with pytest.raises(ValueError, match=r"load_image: max_pixels must be an integer >= 1, got 0"):
        data.load_image(tmp_path / "any.png", max_pixels=0)
    with pytest.raises(ValueError, match=r"resize: max_pixels must be an integer >= 1, got 0"):
        data.resize(np.zeros((2, 2), dtype=np.uint8), (1, 1), max_pixels=0)
