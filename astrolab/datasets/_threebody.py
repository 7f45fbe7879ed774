"""The planar, equal-mass three-body problem from rest, as emulated in "Newton vs the machine".

Breen, Foley, Boekholt & Portegies Zwart (2020) integrated three equal masses that start at rest
in a plane and trained a neural network to map the initial configuration and a time :math:`t` to
the positions at :math:`t`. We use the same setup, in units :math:`G = m = 1`:

- particle 1 starts at :math:`x_1 = (1, 0)`;
- particle 2 starts at :math:`x_2 = (x, y)` in the region :math:`-1/2 \\le x \\le 0`,
  :math:`0 \\le y`, :math:`|x_2| \\le 1` and :math:`|x_1 + x_2| \\le 1`;
- particle 3 starts at :math:`x_3 = -(x_1 + x_2)`, so the centre of mass is at the origin and,
  as everything starts at rest, the total momentum is zero for all time.

Any three equal masses at rest can be moved into this region by a shift, a rotation, a scaling, a
reflection and a relabelling: particle 1 is the one farthest from the centre of mass (at distance
1), particle 3 the next (:math:`|x_3| \\le 1`, which is the binding condition here), particle 2 the
closest (:math:`|x_2| \\le |x_3|` exactly when :math:`x \\ge -1/2`), and :math:`y \\ge 0` picks one of
the two mirror images. The region is the curved triangle with corners :math:`(0, 0)`,
:math:`(-1/2, 0)` and :math:`(-1/2, \\sqrt{3}/2)`. Two of its corners are singular: at
:math:`(-1/2, \\sqrt 3/2)` the three bodies form an equilateral triangle and fall into a triple
collision (Lagrange's homothetic solution), and at :math:`(-1/2, 0)` particles 2 and 3 start on top
of each other. Near these corners the motion has very close encounters.

The integrator is a batched, adaptive Dormand & Prince (1980) 5(4) Runge-Kutta method written with
numpy: all trajectories advance together, each with its own time and step size, accepted or
rejected row by row with the standard step-size controller (Hairer, Nørsett & Wanner 1993, II.4),
and steps are shortened to land exactly on the requested output times. Close encounters are
resolved by this per-trajectory step control alone (no regularisation): the relative energy error
of every trajectory is reported, and a trajectory whose step falls below a floor, or that needs
more steps than allowed, is stopped and flagged as failed.
"""

from __future__ import annotations

import hashlib

import numpy as np

from astrolab._validation import as_float_array, check_rng, check_size
from astrolab.datasets._helpers import _check_int

__all__ = ["integrate_threebody", "load_threebody", "make_threebody", "threebody_energy",
           "threebody_initial_conditions"]

#: Bumped whenever the generator's output changes, so stale caches are never read.
_GENERATOR_VERSION = "1"

# Dormand & Prince (1980) 5(4) Butcher tableau (the 5th-order solution is propagated; FSAL).
_C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0])
_A = [
    [],
    [1 / 5],
    [3 / 40, 9 / 40],
    [44 / 45, -56 / 15, 32 / 9],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    [35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
]
_B5 = np.array([35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0.0])
_B4 = np.array([5179 / 57600, 0.0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40])
_E = _B5 - _B4


def _check_positive(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def threebody_initial_conditions(n, seed=0):
    """Draw starting positions of particle 2, uniform over the region of Breen et al. (2020).

    Points are drawn uniformly in the box :math:`-1/2 \\le x \\le 0`, :math:`0 \\le y \\le 1` and
    kept when :math:`|x_2| \\le 1` and :math:`|x_1 + x_2| \\le 1` (particle 1 at (1, 0) is then the
    farthest from the centre of mass; see the module docstring).

    Parameters
    ----------
    n : int
        Number of initial conditions (>= 1).
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 2)``: the starting position :math:`(x, y)` of particle 2.

    Examples
    --------
    >>> x2 = threebody_initial_conditions(5, seed=1)
    >>> x2.shape, bool(np.all((x2[:, 0] >= -0.5) & (x2[:, 0] <= 0) & (x2[:, 1] >= 0)))
    ((5, 2), True)
    """
    n = _check_int("n", n, 1)
    check_size("n", 8.0 * 64 * n, request=f"n={n}")  # positions and velocities of three bodies, redrawn
    rng = check_rng("seed", seed)
    out = np.empty((0, 2))
    while len(out) < n:
        # the region fills pi/6 - sqrt(3)/8 ~ 30 % of the box's area 1/2, i.e. ~61 % of the box
        box = np.column_stack([rng.uniform(-0.5, 0.0, 2 * n), rng.uniform(0.0, 1.0, 2 * n)])
        keep = (np.hypot(box[:, 0], box[:, 1]) <= 1) & (np.hypot(1 + box[:, 0], box[:, 1]) <= 1)
        out = np.concatenate([out, box[keep]])
    return out[:n]


def _initial_state(x2):
    n = len(x2)
    y = np.zeros((n, 12))
    y[:, 0] = 1.0
    y[:, 2:4] = x2
    y[:, 4] = -1.0 - x2[:, 0]
    y[:, 5] = -x2[:, 1]
    return y


def _derivative(y):
    """d/dt of the states ``(12, m)``: x, y of bodies 1-3, then their velocities (one column per trajectory)."""
    dx12, dy12 = y[2] - y[0], y[3] - y[1]
    dx13, dy13 = y[4] - y[0], y[5] - y[1]
    dx23, dy23 = y[4] - y[2], y[5] - y[3]
    r2 = dx12 * dx12 + dy12 * dy12
    w12 = 1.0 / (r2 * np.sqrt(r2))
    r2 = dx13 * dx13 + dy13 * dy13
    w13 = 1.0 / (r2 * np.sqrt(r2))
    r2 = dx23 * dx23 + dy23 * dy23
    w23 = 1.0 / (r2 * np.sqrt(r2))
    fx12, fy12 = dx12 * w12, dy12 * w12
    fx13, fy13 = dx13 * w13, dy13 * w13
    fx23, fy23 = dx23 * w23, dy23 * w23
    out = np.empty_like(y)
    out[:6] = y[6:]
    out[6] = fx12 + fx13
    out[7] = fy12 + fy13
    out[8] = fx23 - fx12
    out[9] = fy23 - fy12
    out[10] = -fx13 - fx23
    out[11] = -fy13 - fy23
    return out


def _separations(pos):
    """Pairwise distances (12, 13, 23) of positions ``(..., 3, 2)``, shape ``(..., 3)``."""
    d12 = np.linalg.norm(pos[..., 1, :] - pos[..., 0, :], axis=-1)
    d13 = np.linalg.norm(pos[..., 2, :] - pos[..., 0, :], axis=-1)
    d23 = np.linalg.norm(pos[..., 2, :] - pos[..., 1, :], axis=-1)
    return np.stack([d12, d13, d23], axis=-1)


def threebody_energy(positions, velocities):
    """Total energy of three unit masses with :math:`G = 1`: kinetic minus :math:`\\sum 1/r_{ij}`.

    Parameters
    ----------
    positions, velocities : array_like
        Shape ``(..., 3, 2)``: planar positions and velocities of the three bodies.

    Returns
    -------
    numpy.ndarray or float
        The energy, shape ``positions.shape[:-2]``.

    Examples
    --------
    >>> pos = np.array([[1.0, 0.0], [-0.5, 0.0], [-0.5, 0.0 + 1.0]])
    >>> float(threebody_energy(pos, np.zeros((3, 2))))  # -(1/sqrt(2.25) + 1/sqrt(3.25) + 1/1)
    -2.2213...
    """
    positions = as_float_array("positions", positions)
    velocities = as_float_array("velocities", velocities)
    if positions.ndim < 2 or positions.shape[-2:] != (3, 2):
        raise ValueError(f"positions must have shape (..., 3, 2), got {positions.shape}")
    if velocities.shape != positions.shape:
        raise ValueError(f"velocities must have the shape of positions {positions.shape}, got {velocities.shape}")
    kinetic = 0.5 * np.sum(velocities ** 2, axis=(-2, -1))
    potential = -np.sum(1.0 / _separations(positions), axis=-1)
    return kinetic + potential


def integrate_threebody(x2, t_eval, *, rtol=1e-10, atol=1e-12, max_steps=100_000, progress=False):
    """Integrate many planar three-body problems from rest, all at once, to the times ``t_eval``.

    A batched adaptive Dormand-Prince 5(4) integrator (see the module docstring): every trajectory
    has its own step size, chosen so that the local error estimate stays below
    ``atol + rtol * |y|`` (RMS over the 12 state components), and lands exactly on each output time.

    Parameters
    ----------
    x2 : array_like, shape (n, 2) or (2,)
        Starting positions of particle 2 (particle 1 at (1, 0), particle 3 at the centre of mass's
        mirror point, all at rest), e.g. from :func:`threebody_initial_conditions`.
    t_eval : array_like, shape (n_t,)
        Output times, non-negative and strictly increasing (0 may be included).
    rtol, atol : float
        Relative and absolute tolerance of the local error per step. The defaults keep the
        relative energy error of typical trajectories near 1e-8 to t = 4.
    max_steps : int, default 100_000
        A trajectory that needs more accepted and rejected steps is stopped and flagged as failed.
    progress : bool, default False
        Show a tqdm progress bar over the output times reached, summed over trajectories.

    Returns
    -------
    sklearn.utils.Bunch
        ``t`` (n_t,); ``positions`` and ``velocities`` (n, n_t, 3, 2), NaN after a failure;
        ``energy`` (n, n_t); ``initial_energy`` (n,); ``energy_error`` (n,): the largest
        :math:`|E(t) - E_0| / |E_0|` over the output times (inf for a failed trajectory);
        ``min_separation`` (n,): the smallest distance between any two bodies over all steps;
        ``n_steps`` (n,): accepted plus rejected steps; ``failed`` (n,) bool: stopped early because
        the step fell below ``1e-13 * max(1, t)`` or ``max_steps`` was reached.

    Examples
    --------
    >>> out = integrate_threebody([[-0.2, 0.3]], [0.0, 0.5, 1.0])
    >>> out.positions.shape, bool(out.energy_error[0] < 1e-8)
    ((1, 3, 3, 2), True)
    """
    from sklearn.utils import Bunch
    from tqdm.auto import tqdm

    x2 = as_float_array("x2", x2)
    if x2.ndim == 1:
        x2 = x2[None, :]
    if x2.ndim != 2 or x2.shape[1] != 2 or len(x2) == 0:
        raise ValueError(f"x2 must have shape (n, 2) with n >= 1, got {x2.shape}")
    if not np.all(np.isfinite(x2)):
        raise ValueError("x2 must be finite, got NaN or inf")
    t_eval = as_float_array("t_eval", t_eval)
    if t_eval.ndim != 1 or len(t_eval) == 0 or not np.all(np.isfinite(t_eval)):
        raise ValueError(f"t_eval must be a 1D array of finite times, got shape {t_eval.shape}")
    if t_eval[0] < 0 or np.any(np.diff(t_eval) <= 0):
        raise ValueError(f"t_eval must be non-negative and strictly increasing, got {t_eval}")
    rtol = _check_positive("rtol", rtol)
    atol = _check_positive("atol", atol)
    max_steps = _check_int("max_steps", max_steps, 1)
    y0 = _initial_state(x2)
    sep0 = _separations(y0[:, :6].reshape(-1, 3, 2))
    if np.any(sep0 <= 0):
        rows = np.flatnonzero(np.any(sep0 <= 0, axis=1))
        raise ValueError(f"x2 must not put two bodies at the same place, got that in rows {rows}")

    n, n_t = len(x2), len(t_eval)
    states = np.full((n, n_t, 12), np.nan)
    n_steps = np.zeros(n, dtype=np.int64)
    min_sep = sep0.min(axis=1)
    failed = np.zeros(n, dtype=bool)
    # the trajectories still running, compacted, one column each: state, time, step, next output
    rows = np.arange(n)
    y = np.ascontiguousarray(y0.T)
    t = np.zeros(n)
    k_next = np.zeros(n, dtype=np.int64)
    at_zero = bool(t_eval[0] == 0)
    if at_zero:
        states[:, 0] = y0
        k_next[:] = 1
    f = _derivative(y)
    # initial step (Hairer et al. II.4): h ~ 0.01 |y| / |f|, then a 5th-order guess from f'
    scale = atol + rtol * np.abs(y)
    d0 = np.sqrt(np.mean((y / scale) ** 2, axis=0))
    d1 = np.sqrt(np.mean((f / scale) ** 2, axis=0))
    h = np.where((d0 < 1e-5) | (d1 < 1e-5), 1e-6, 0.01 * d0 / np.maximum(d1, 1e-300))
    d2 = np.sqrt(np.mean(((_derivative(y + h * f) - f) / scale) ** 2, axis=0)) / h
    dmax = np.maximum(d1, d2)
    h = np.minimum(100 * h, np.where(dmax <= 1e-15, np.maximum(1e-6, h * 1e-3),
                                     (0.01 / np.maximum(dmax, 1e-300)) ** 0.2))
    bar = tqdm(total=n * n_t, desc="three-body", disable=not progress)
    bar.update(n if at_zero else 0)
    if k_next[0] >= n_t:
        rows = rows[:0]
    ks = [f] * 7
    while len(rows):
        t_out = t_eval[k_next]
        step = np.minimum(h, t_out - t)
        hits = step >= t_out - t  # this step lands on the output time
        ks[0] = f
        for s in range(1, 7):
            acc = ks[0] * _A[s][0]
            for j in range(1, s):
                if _A[s][j]:
                    acc += ks[j] * _A[s][j]
            if s == 6:
                y_new = y + step * acc  # the 5th-order solution; stage 7 is evaluated there (FSAL)
                ks[6] = _derivative(y_new)
            else:
                ks[s] = _derivative(y + step * acc)
        err = ks[0] * _E[0]
        for j in range(2, 7):
            err += ks[j] * _E[j]
        err *= step
        scale = atol + rtol * np.maximum(np.abs(y), np.abs(y_new))
        with np.errstate(invalid="ignore", over="ignore"):
            err_norm = np.sqrt(np.mean((err / scale) ** 2, axis=0))
        err_norm = np.where(np.isfinite(err_norm), err_norm, np.inf)
        accept = err_norm <= 1.0
        n_steps[rows] += 1
        with np.errstate(divide="ignore"):
            factor = np.clip(0.9 * err_norm ** -0.2, 0.2, 5.0)
        factor = np.where(accept, factor, np.minimum(factor, 1.0))
        # a step cut short at an output time says nothing new about the natural step: keep h if larger
        h = np.where(accept & hits, np.maximum(h, step * factor), step * factor)
        t = np.where(accept, np.where(hits, t_out, t + step), t)
        y = np.where(accept, y_new, y)
        f = np.where(accept, ks[6], f)
        if accept.any():
            p = y_new[:6, accept]
            r = np.minimum(np.minimum(np.hypot(p[2] - p[0], p[3] - p[1]), np.hypot(p[4] - p[0], p[5] - p[1])),
                           np.hypot(p[4] - p[2], p[5] - p[3]))
            min_sep[rows[accept]] = np.minimum(min_sep[rows[accept]], r)
        record = accept & hits
        if record.any():
            states[rows[record], k_next[record]] = y[:, record].T
            k_next = k_next + record
            bar.update(int(record.sum()))
        bad = (h < 1e-13 * np.maximum(1.0, t)) | (n_steps[rows] >= max_steps)
        finished = (k_next >= n_t) | bad
        if finished.any():
            failed[rows[bad & (k_next < n_t)]] = True
            keep = ~finished
            rows, t, h, k_next = rows[keep], t[keep], h[keep], k_next[keep]
            y, f = np.ascontiguousarray(y[:, keep]), np.ascontiguousarray(f[:, keep])
    bar.close()
    positions = states[..., :6].reshape(n, n_t, 3, 2)
    velocities = states[..., 6:].reshape(n, n_t, 3, 2)
    with np.errstate(invalid="ignore"):
        energy = threebody_energy(positions, velocities)
    e0 = threebody_energy(y0[:, :6].reshape(n, 3, 2), y0[:, 6:].reshape(n, 3, 2))
    energy_error = np.max(np.abs(energy - e0[:, None]), axis=1) / np.abs(e0)
    energy_error[failed] = np.inf
    return Bunch(t=t_eval.copy(), positions=positions, velocities=velocities, energy=energy, initial_energy=e0,
                 energy_error=energy_error, min_separation=min_sep, n_steps=n_steps, failed=failed)


def make_threebody(n_trajectories=1000, *, t_max=3.9, n_times=40, seed=0, rtol=1e-10, atol=1e-12, max_steps=4000,
                   max_energy_error=1e-5, progress=True):
    """A data set of three-body trajectories from rest, as in Breen et al. (2020).

    Draws ``n_trajectories`` starting positions of particle 2 with
    :func:`threebody_initial_conditions` and integrates them with :func:`integrate_threebody` to
    ``n_times`` equally spaced times from 0 to ``t_max``. Trajectories are never dropped: those
    that fail (more than ``max_steps`` steps, typically a tight binary or a near-collision) or whose
    relative energy error exceeds ``max_energy_error`` are *flagged* with ``good = False``, and
    their positions after a failure are NaN. Train on ``good`` trajectories only.

    Parameters
    ----------
    n_trajectories : int, default 1000
    t_max : float, default 3.9
        Last output time (Breen et al. trained on t <= 3.9).
    n_times : int, default 40
        Number of output times, including t = 0.
    seed : int, default 0
    rtol, atol, max_steps
        As in :func:`integrate_threebody`; ``max_steps`` bounds the cost of the rare trajectories
        with many close encounters.
    max_energy_error : float, default 1e-5
        Largest relative energy error of a ``good`` trajectory.
    progress : bool, default True
        Show a tqdm progress bar.

    Returns
    -------
    sklearn.utils.Bunch
        ``x2`` (n, 2) starting positions of particle 2; ``t`` (n_times,); ``positions``,
        ``velocities`` (n, n_times, 3, 2); ``energy_error``, ``min_separation``, ``n_steps``,
        ``failed``, ``good`` (n,), as in :func:`integrate_threebody`.

    Examples
    --------
    >>> data = make_threebody(4, t_max=1.0, n_times=5, seed=2, progress=False)
    >>> data.positions.shape, float(data.t[-1])
    ((4, 5, 3, 2), 1.0)
    """
    n_trajectories = _check_int("n_trajectories", n_trajectories, 1)
    n_times = _check_int("n_times", n_times, 2)
    t_max = _check_positive("t_max", t_max)
    max_energy_error = _check_positive("max_energy_error", max_energy_error)
    # positions and velocities (n, n_times, 3, 2) in float64, the energies, and the integrator's state
    check_size("n_trajectories", n_trajectories * (n_times * (2 * 6 * 8 + 8) + 512),
               request=f"n_trajectories={n_trajectories} with n_times={n_times}")
    x2 = threebody_initial_conditions(n_trajectories, seed=seed)
    out = integrate_threebody(x2, np.linspace(0.0, t_max, n_times), rtol=rtol, atol=atol, max_steps=max_steps,
                              progress=progress)
    out.x2 = x2
    out.good = ~out.failed & (out.energy_error <= max_energy_error)
    return out


_ARRAYS = ("x2", "t", "positions", "velocities", "energy", "initial_energy", "energy_error", "min_separation",
           "n_steps", "failed", "good")


def load_threebody(n_trajectories=1000, *, t_max=3.9, n_times=40, seed=0, cache=True, progress=True):
    """:func:`make_threebody` with its default tolerances, cached on disk.

    The first call integrates the trajectories and saves them under
    ``astrolab.data_dir() / "threebody"`` (a ``.npz`` file named after the arguments and the
    generator version, written atomically); later calls read that file. The result is
    bit-identical to ``make_threebody(n_trajectories, t_max=t_max, n_times=n_times, seed=seed)``.

    Parameters
    ----------
    n_trajectories, t_max, n_times : as in :func:`make_threebody`
    seed : int, default 0
        Random seed (an integer, as it names the cache file).
    cache : bool, default True
        False: just generate, read and write nothing.
    progress : bool, default True
        Progress bar while integrating.

    Returns
    -------
    sklearn.utils.Bunch
        As :func:`make_threebody`.

    Examples
    --------
    >>> data = load_threebody(3, t_max=0.5, n_times=3, seed=1, cache=False, progress=False)
    >>> int(data.good.sum())
    3
    """
    from sklearn.utils import Bunch

    from astrolab._paths import data_dir, save_npz_atomic

    n_trajectories = _check_int("n_trajectories", n_trajectories, 1)
    n_times = _check_int("n_times", n_times, 2)
    t_max = _check_positive("t_max", t_max)
    seed = _check_int("seed", seed, 0)
    if not isinstance(cache, (bool, np.bool_, int, np.integer)):
        raise TypeError(f"cache must be True or False, got {type(cache).__name__} {cache!r}"[:120])
    if not cache:
        return make_threebody(n_trajectories, t_max=t_max, n_times=n_times, seed=seed, progress=progress)
    key = repr((_GENERATOR_VERSION, n_trajectories, float(t_max).hex(), n_times, seed))
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    path = data_dir() / "threebody" / f"threebody-n{n_trajectories}-t{t_max:g}-k{n_times}-seed{seed}-{digest}.npz"
    if path.is_file():
        with np.load(path, allow_pickle=False) as f:
            return Bunch(**{name: f[name] for name in _ARRAYS})
    data = make_threebody(n_trajectories, t_max=t_max, n_times=n_times, seed=seed, progress=progress)
    save_npz_atomic(path, {name: data[name] for name in _ARRAYS})
    return data
