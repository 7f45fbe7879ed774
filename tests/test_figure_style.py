"""The house figure style: text >= 8 pt where the book shows it, µas spelled out, labelled colour bars."""

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import astrolab as al  # noqa: E402
from astrolab.plotting import MIN_TEXT_PT, audit_figure, readable, shown_text_pt  # noqa: E402


def test_a_wide_figure_is_made_readable_at_the_book_width():
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.3), dpi=100)
    for ax in axes:
        ax.plot([0, 1], [0, 1], label="line")
        ax.legend(fontsize=6)
        al.plotting.label_axes(ax, "x", "y", title="a panel")
    assert shown_text_pt(fig) < 4
    assert audit_figure(fig)
    readable(fig)
    assert shown_text_pt(fig) >= MIN_TEXT_PT - 1e-9
    assert audit_figure(fig) == []
    plt.close(fig)


def test_audit_names_uas_and_images_without_a_labelled_colour_bar():
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(7, 2.5))
    a.imshow(5 * np.eye(4))
    a.set_title("truth, pixels of 3 uas")
    im = b.imshow(np.eye(4))
    fig.colorbar(im, ax=b)
    c.imshow(np.ones((4, 4, 3)))          # an RGB picture needs no colour bar
    readable(fig)
    problems = " ".join(audit_figure(fig))
    assert "'uas'" in problems and "has no colour bar" in problems and "no label with units" in problems
    plt.close(fig)
    fig, (a, b) = plt.subplots(1, 2, figsize=(7, 2.5))
    im1 = a.imshow(np.eye(4), vmin=0, vmax=1)
    b.imshow(np.eye(4) * 0.5, vmin=0, vmax=1)
    al.plotting.colorbar(im1, [a, b], "Intensity", "Jy")   # one colour bar serves both panels
    assert audit_figure(fig) == []
    plt.close(fig)


def test_show_hook_audits_under_the_tests(monkeypatch):
    al.plotting.use_style()
    monkeypatch.setenv("ASTROLAB_FIGURE_AUDIT", "1")
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.imshow(np.eye(3))
    with pytest.raises(ValueError, match="house style"):
        plt.show()
    plt.close("all")
    with pytest.raises(ValueError, match="label"):
        al.plotting.colorbar(plt.subplots()[1].imshow(np.eye(2)), label=" ")
    plt.close("all")


def _widget_figures():
    import astropy.units as u

    from astrolab.datasets import make_eht_mock, make_stellar_spectra, make_survey_image
    from astrolab.reduction import PCA, SelfOrganizingMap

    image, truth = make_survey_image((128, 128), n_stars=30, seed=0)
    spectra = make_stellar_spectra(50, seed=0)
    X = np.random.default_rng(0).uniform(size=(300, 3))
    som = SelfOrganizingMap(n_rows=4, n_cols=4, n_epochs=5, keep_history=True, random_state=0).fit(X)
    yield "sparse_imaging", al.widgets.sparse_imaging(make_eht_mock(image_shape=(24, 24), pixel_size=5 * u.uas),
                                                      max_iter=50)
    yield "detection_explorer", al.widgets.detection_explorer(image, truth, zoom=128)
    yield "pca_reconstruction", al.widgets.pca_reconstruction(PCA(n_components=10).fit(spectra.flux), spectra.flux,
                                                              spectra.wavelength)
    yield "som_training", al.widgets.som_training(som, X, X[:, 0], label="x")
    yield "kernel_explorer", al.widgets.kernel_explorer(np.outer(np.hanning(16), np.hanning(16)))
    yield "blackbody_explorer", al.widgets.blackbody_explorer()


def test_widget_snapshots_keep_the_house_style():
    """Widgets draw on their own figures, never through plt.show(): their snapshots are audited here."""
    for name, demo in _widget_figures():
        figure = demo.figure if hasattr(demo, "figure") else demo.output.figure
        readable(figure)
        assert audit_figure(figure) == [], name
