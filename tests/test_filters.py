"""Chapter 6: fixed convolution filters (scipy against torch), equivariance, and the kernel explorer widget."""

import ipywidgets as widgets
import numpy as np
import pytest
import torch

from astrolab.nn._filters import EXTRA_FILTERS, SLIDE_FILTERS, filter_image, fixed_conv2d
from astrolab.widgets.kernels import KERNEL_PRESETS, KernelExplorer, kernel_explorer


@pytest.fixture
def image():
    return np.random.default_rng(0).normal(size=(40, 36))


def test_slide_filters():
    edge = SLIDE_FILTERS["edge_5x5"]
    assert edge.shape == (5, 5) and np.all(edge[0] == -1) and np.all(edge[1:4, 1:4] == 1.78)
    assert edge.sum() == pytest.approx(0.02, abs=1e-12)
    # the slide: the 8-neighbour Laplacian (+8 in the centre, -1 around) and the Prewitt kernels
    np.testing.assert_array_equal(SLIDE_FILTERS["laplacian"], 9 * np.eye(3)[1][:, None] * np.eye(3)[1] - 1)
    np.testing.assert_array_equal(SLIDE_FILTERS["prewitt_vertical"], np.tile([-1.0, 0.0, 1.0], (3, 1)))
    np.testing.assert_array_equal(SLIDE_FILTERS["prewitt_horizontal"], SLIDE_FILTERS["prewitt_vertical"].T)
    assert set(SLIDE_FILTERS) == {"edge_5x5", "laplacian", "prewitt_vertical", "prewitt_horizontal"}
    # Sobel is a named extra: Prewitt with the centre weighted twice, same signs
    np.testing.assert_array_equal(EXTRA_FILTERS["sobel_vertical"], SLIDE_FILTERS["prewitt_vertical"] * [[1], [2], [1]])
    np.testing.assert_array_equal(EXTRA_FILTERS["sobel_horizontal"], EXTRA_FILTERS["sobel_vertical"].T)
    # a vertical edge that brightens to the right gives a positive response
    step = np.repeat(np.r_[np.zeros(5), np.ones(5)][None], 10, axis=0)
    assert filter_image(step, SLIDE_FILTERS["prewitt_vertical"])[5, 4] == 3


def test_torch_equals_scipy(image):
    names = ["laplacian", "prewitt_vertical", "prewitt_horizontal"]
    layer = fixed_conv2d([SLIDE_FILTERS[k] for k in names])
    assert layer.weight.shape == (3, 1, 3, 3) and not layer.weight.requires_grad and layer.bias is None
    with torch.no_grad():
        out = layer(torch.tensor(image[None, None], dtype=torch.float32)).numpy()[0]
    for k, name in enumerate(names):
        np.testing.assert_allclose(out[k], filter_image(image, SLIDE_FILTERS[name]), atol=1e-5)
    edge = fixed_conv2d(SLIDE_FILTERS["edge_5x5"])
    with torch.no_grad():
        out = edge(torch.tensor(image[None, None], dtype=torch.float32)).numpy()[0, 0]
    np.testing.assert_allclose(out, filter_image(image, SLIDE_FILTERS["edge_5x5"]), atol=1e-5)


def test_cross_correlation_not_convolution():
    image = np.zeros((7, 7))
    image[3, 3] = 1.0
    kernel = np.arange(9.0).reshape(3, 3)
    # the response to a point source is the kernel flipped (correlation), not the kernel itself
    np.testing.assert_array_equal(filter_image(image, kernel)[2:5, 2:5], kernel[::-1, ::-1])


def test_fixed_conv2d_leaves_the_global_rng_alone():
    state = torch.random.get_rng_state()
    fixed_conv2d(SLIDE_FILTERS["laplacian"])
    assert torch.equal(state, torch.random.get_rng_state())


def test_edge_filter_of_a_constant_image():
    flat = np.full((20, 20), 3.0)
    out = filter_image(flat, SLIDE_FILTERS["edge_5x5"])
    np.testing.assert_allclose(out[2:-2, 2:-2], 0.02 * 3.0, rtol=1e-9)
    assert abs(out[0, 0]) > 1  # zero padding: the edges of the frame are edges too


def test_translation_equivariance(image):
    shifted = np.roll(image, (3, -5), axis=(0, 1))
    for name, kernel in SLIDE_FILTERS.items():
        a = np.roll(filter_image(image, kernel), (3, -5), axis=(0, 1))
        b = filter_image(shifted, kernel)
        half = kernel.shape[0] // 2
        inner = (slice(3 + half, -half - 1), slice(half, -5 - half - 1))  # away from the frame and the wrap
        np.testing.assert_allclose(a[inner], b[inner], atol=1e-12, err_msg=name)


def test_stack_is_filtered_image_by_image(image):
    stack = np.stack([image, 2 * image[::-1]])
    out = filter_image(stack, SLIDE_FILTERS["laplacian"])
    np.testing.assert_allclose(out[1], filter_image(2 * image[::-1], SLIDE_FILTERS["laplacian"]))


@pytest.mark.parametrize("kernel", [np.ones((3, 5)), np.ones((4, 4)), np.ones(3), np.ones((3, 3, 3)),
                                    np.full((3, 3), np.nan)])
def test_bad_kernels(kernel, image):
    with pytest.raises(ValueError, match="kernel"):
        filter_image(image, kernel)
    with pytest.raises(ValueError, match="kernels"):
        fixed_conv2d([kernel])


def test_bad_inputs(image):
    with pytest.raises(ValueError, match="kernels must all have the same size"):
        fixed_conv2d([np.ones((3, 3)), np.ones((5, 5))])
    with pytest.raises(ValueError, match="kernels must be a 2D kernel or a non-empty sequence"):
        fixed_conv2d([])
    with pytest.raises(ValueError, match="image must be a 2D array"):
        filter_image(np.ones(5), SLIDE_FILTERS["laplacian"])


def test_kernel_explorer_cell_changes_kernel_and_map():
    y, x = np.mgrid[:32, :32]
    img = np.exp(-((x - 15.5) ** 2 + (y - 15.5) ** 2) / 20) + (np.abs(x - 20) < 1)
    demo = kernel_explorer(img)
    assert isinstance(demo, (KernelExplorer, widgets.VBox))
    assert demo.preset.value == "laplacian"
    np.testing.assert_array_equal(demo.kernel, SLIDE_FILTERS["laplacian"])
    before, renders = demo.feature_map.copy(), demo.canvas.n_renders
    demo.cells[4].value = 9.0  # centre weight, one more than the Laplacian's 8
    assert demo.kernel[1, 1] == 9.0 and demo.preset.value == "custom"
    np.testing.assert_allclose(demo.feature_map - before, img)  # one more unit of the identity
    assert demo.canvas.n_renders == renders + 1


def test_kernel_explorer_preset_sets_all_cells():
    img = np.random.default_rng(1).normal(size=(16, 16))
    demo = kernel_explorer(img, kernel=np.zeros((3, 3)))
    assert demo.preset.value == "custom"
    renders = demo.canvas.n_renders
    demo.preset.value = "blur"
    np.testing.assert_allclose([c.value for c in demo.cells], KERNEL_PRESETS["blur"].ravel())
    np.testing.assert_allclose(demo.feature_map, filter_image(img, KERNEL_PRESETS["blur"]))
    assert demo.canvas.n_renders == renders + 1  # nine cells, one redraw
    demo.preset.value = "sharpen"
    assert all(c.value == v for c, v in zip(demo.cells, KERNEL_PRESETS["sharpen"].ravel(), strict=True))


@pytest.mark.parametrize("bad", [np.ones(20), np.ones((4, 4)), np.full((10, 10), np.inf), np.ones((2, 10, 10))])
def test_kernel_explorer_bad_image(bad):
    with pytest.raises(ValueError, match="image must be"):
        kernel_explorer(bad)


def test_kernel_explorer_bad_kernel():
    with pytest.raises(ValueError, match="kernel must be a finite 3x3 array"):
        kernel_explorer(np.ones((10, 10)), kernel=np.ones((5, 5)))
