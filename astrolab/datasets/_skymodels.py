"""Continuous sky models of compact radio sources, with exact visibilities and pixel-averaged images.

A mock that draws its truth on the reconstruction's own pixel grid, and observes it through the
reconstruction's own operator, commits the *inverse crime*: the imager is then tested on a problem
it solves exactly. These models are continuous. Their visibilities are computed analytically at
any (u, v); their images are averaged over each pixel from a finer grid (``oversample`` points per
pixel side), for display and scoring only.
"""

from __future__ import annotations

from dataclasses import dataclass

import astropy.units as u
import numpy as np
from astropy.stats import gaussian_fwhm_to_sigma
from scipy import special

from astrolab._units import to_value
from astrolab._validation import as_float_array, check_real

__all__ = ["MODELS", "SkyModel"]

MODELS = ("crescent", "ring", "disc", "gaussian", "double")
_UAS = np.pi / 180 / 3600 / 1e6  # one microarcsecond in radians
_RING_POINTS = 2048  # points along a ring when its image is drawn (0.06 uas apart for a 40 uas ring)


@dataclass(frozen=True)
class SkyModel:
    """A compact source of known shape: visibilities in closed form, and its image.

    Shapes (all blurred by a circular Gaussian of FWHM ``width``, all shifted by ``offset``):

    - ``"ring"``: a thin ring of ``diameter``; ``V = F J0(pi d rho)`` times the blur;
    - ``"crescent"``: the same ring, brightness ``1 + asymmetry cos(theta - position_angle)`` along it
      (an "m-ring" of order 1; Johnson et al. 2020): ``V = F [J0(z) - i A J1(z) cos(phi - PA)]``,
      ``z = pi d rho``, ``phi`` the baseline's position angle;
    - ``"disc"``: a uniform disc of ``diameter``, ``V = F 2 J1(z) / z``;
    - ``"gaussian"``: a Gaussian of FWHM ``diameter`` (``width`` is ignored);
    - ``"double"``: two Gaussians of FWHM ``width``, ``diameter`` apart along ``position_angle``, the one
      at ``position_angle`` twice as bright as the other.

    The blur multiplies the visibilities by ``exp(-(pi w rho)^2 / (4 ln 2))``; a shift ``(l0, m0)``
    by ``exp(-2 pi i (u l0 + v m0))``, the sign convention of
    :class:`~astrolab.interferometry.FourierOperator`.

    Parameters
    ----------
    model : {"crescent", "ring", "disc", "gaussian", "double"}
    diameter, width : Quantity (angle)
    flux : Quantity (flux density)
    asymmetry : float, default 0.6
        Of the crescent (0 <= asymmetry < 1).
    position_angle : Quantity (angle), default 180 deg
        Of the crescent's bright side and of the double's brighter component, east of north.
    offset : tuple of Quantity, default (0, 0)
        Shift of the source's centre, (east, north).

    Examples
    --------
    >>> ring = SkyModel("ring", diameter=40 * u.uas, width=1e-3 * u.uas)
    >>> rho0 = 2.404826 / (np.pi * 40 * _UAS)          # the first zero of J0
    >>> round(abs(complex(ring.visibilities([rho0], [0.0])[0])), 6)
    0.0
    """

    model: str = "crescent"
    diameter: u.Quantity = 40 * u.uas
    width: u.Quantity = 10 * u.uas
    flux: u.Quantity = 0.6 * u.Jy
    asymmetry: float = 0.6
    position_angle: u.Quantity = 180 * u.deg
    offset: tuple = (0 * u.uas, 0 * u.uas)

    def __post_init__(self):
        if not isinstance(self.model, str) or self.model not in MODELS:
            raise ValueError(f"model must be one of {MODELS}, got {self.model!r}")
        d = to_value(self.diameter, u.uas, "diameter")
        w = to_value(self.width, u.uas, "width")
        f = to_value(self.flux, u.Jy, "flux")
        to_value(self.position_angle, u.deg, "position_angle")
        for name in ("diameter", "width", "flux", "position_angle"):
            if np.ndim(getattr(self, name)) != 0:
                raise ValueError(f"{name} must be a single Quantity, got {getattr(self, name)!r}")
        if not (d > 0 and w > 0 and f > 0):
            raise ValueError(f"diameter, width and flux must be positive, got {self.diameter}, {self.width}, "
                             f"{self.flux}")
        check_real("asymmetry", self.asymmetry, finite=False)  # dimensionless Quantities pass
        if not 0 <= self.asymmetry < 1:
            raise ValueError(f"asymmetry must be in [0, 1), got {self.asymmetry!r}")
        if len(self.offset) != 2:
            raise ValueError(f"offset must be (east, north) angles, got {self.offset!r}")
        for k, name in enumerate(("offset east", "offset north")):
            to_value(self.offset[k], u.uas, name)

    # -- parameters in radians and Jy
    def _params(self):
        return (to_value(self.diameter, u.rad, "diameter"), to_value(self.width, u.rad, "width"),
                to_value(self.flux, u.Jy, "flux"), to_value(self.position_angle, u.rad, "position_angle"),
                to_value(self.offset[0], u.rad, "offset"), to_value(self.offset[1], u.rad, "offset"))

    def _components(self):
        """The double's two components: (flux fraction, east, north) in radians from the centre."""
        d, _, _, pa, _, _ = self._params()
        east, north = np.sin(pa) * d / 2, np.cos(pa) * d / 2
        return [(2 / 3, east, north), (1 / 3, -east, -north)]

    def visibilities(self, u_, v_):
        """The exact visibilities (Jy) at baselines ``u_``, ``v_`` (wavelengths)."""
        uu = as_float_array("u_", u_)
        vv = as_float_array("v_", v_)
        if uu.shape != vv.shape:
            raise ValueError(f"u and v must have the same shape, got {uu.shape} and {vv.shape}")
        d, w, f, pa, l0, m0 = self._params()
        rho = np.hypot(uu, vv)
        shift = np.exp(-2j * np.pi * (uu * l0 + vv * m0))
        if self.model == "gaussian":
            return f * np.exp(-((np.pi * d * rho) ** 2) / (4 * np.log(2))) * shift
        blur = np.exp(-((np.pi * w * rho) ** 2) / (4 * np.log(2)))
        z = np.pi * d * rho
        if self.model == "ring":
            return f * special.j0(z) * blur * shift
        if self.model == "crescent":
            phi = np.arctan2(uu, vv)  # the baseline's position angle, east of north
            return f * (special.j0(z) - 1j * self.asymmetry * special.j1(z) * np.cos(phi - pa)) * blur * shift
        if self.model == "disc":
            safe = np.where(z > 0, z, 1.0)
            return f * np.where(z > 0, 2 * special.j1(safe) / safe, 1.0) * blur * shift
        out = np.zeros(uu.shape, complex)
        for frac, east, north in self._components():  # double
            out += frac * np.exp(-2j * np.pi * (uu * (l0 + east) + vv * (m0 + north)))
        return f * out * blur

    def _points(self):
        """The unblurred source as weighted points (east, north, weight), radians; None for Gaussians."""
        d, _, _, pa, l0, m0 = self._params()
        if self.model == "disc":  # a uniform disc: a sunflower of equal-area points
            k = np.arange(4000) + 0.5
            r, t = np.sqrt(k / k.size) * d / 2, k * np.pi * (3 - np.sqrt(5))
            return l0 + r * np.sin(t), m0 + r * np.cos(t), np.ones(k.size)
        theta = np.linspace(0, 2 * np.pi, _RING_POINTS, endpoint=False)
        weight = 1 + (self.asymmetry if self.model == "crescent" else 0.0) * np.cos(theta - pa)
        return l0 + d / 2 * np.sin(theta), m0 + d / 2 * np.cos(theta), weight

    def image(self, image_shape=(48, 48), pixel_size=3 * u.uas, *, oversample: int = 4):
        """The model averaged over each pixel of a grid (Jy per pixel), north up and east to the left.

        Pixel ``(ny // 2, nx // 2)`` is the phase centre, as in
        :class:`~astrolab.interferometry.FourierOperator`. The image is drawn on a grid
        ``oversample`` times finer (extended beyond the field until it holds the whole source),
        normalised to the model's flux there, and summed over each pixel: the sum of the image is
        the flux inside the field of view. Gaussians are evaluated in closed form; rings, crescents
        and discs are laid down as dense points and blurred by their Gaussian.

        Examples
        --------
        >>> image = SkyModel("crescent").image((32, 32), 4 * u.uas)
        >>> image.shape, round(float(image.sum()), 6)
        ((32, 32), 0.6)
        """
        from scipy import ndimage

        if len(image_shape) != 2 or min(image_shape) < 2:
            raise ValueError(f"image_shape must be (ny, nx) with at least 2 pixels each, got {image_shape!r}")
        if isinstance(oversample, bool) or not isinstance(oversample, (int, np.integer)) or oversample < 1:
            raise ValueError(f"oversample must be a positive integer, got {oversample!r}")
        ny, nx = (int(n) for n in image_shape)
        pix = to_value(pixel_size, u.rad, "pixel_size")
        if not pix > 0:
            raise ValueError(f"pixel_size must be positive, got {pixel_size}")
        d, w, f, _, l0, m0 = self._params()
        fine = pix / oversample
        sigma = (d if self.model == "gaussian" else w) * gaussian_fwhm_to_sigma
        reach = np.hypot(l0, m0) + (0 if self.model == "gaussian" else d / 2) + 5 * sigma
        pad = int(np.ceil(max(0.0, reach - min(ny, nx) / 2 * pix) / fine)) + 2

        def coords(n):  # fine-cell centres, in pixels from the phase centre, with the padding
            i = np.arange(-pad, n * oversample + pad)
            return (i + 0.5) / oversample - 0.5 - n // 2

        cy, cx = coords(ny), coords(nx)
        if self.model in ("gaussian", "double"):
            parts = [(1.0, 0.0, 0.0)] if self.model == "gaussian" else self._components()
            east, north = np.meshgrid(-cx * pix - l0, cy * pix - m0)
            grid = sum(frac * np.exp(-0.5 * ((east - e) ** 2 + (north - n) ** 2) / sigma**2) for frac, e, n in parts)
        else:
            pe, pn, weight = self._points()
            fx = (-pe / pix + nx // 2 + 0.5) * oversample - 0.5 + pad  # fractional fine index
            fy = (pn / pix + ny // 2 + 0.5) * oversample - 0.5 + pad
            grid = np.zeros((cy.size, cx.size))
            x0, y0 = np.floor(fx).astype(int), np.floor(fy).astype(int)
            ax, ay = fx - x0, fy - y0
            for dy, wy in ((0, 1 - ay), (1, ay)):
                for dx, wx in ((0, 1 - ax), (1, ax)):
                    yy, xx = y0 + dy, x0 + dx
                    ok = (yy >= 0) & (yy < grid.shape[0]) & (xx >= 0) & (xx < grid.shape[1])
                    np.add.at(grid, (yy[ok], xx[ok]), (weight * wy * wx)[ok])
            grid = ndimage.gaussian_filter(grid, sigma / fine, mode="constant", truncate=5.0)
        grid *= f / grid.sum()
        field = grid[pad: pad + ny * oversample, pad: pad + nx * oversample]
        return field.reshape(ny, oversample, nx, oversample).sum(axis=(1, 3))
