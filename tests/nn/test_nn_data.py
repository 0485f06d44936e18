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


def test_missing_pillow_names_the_extra_to_install(monkeypatch):
    """Without Pillow, load_image raises ImportError telling the user to install gategraph[data]."""
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r'Pillow: pip install "gategraph\[data\]"'):
        data.load_image("any.png")
