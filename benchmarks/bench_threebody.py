"""Chapter 6b: the three-body problem from rest (Breen et al. 2020): integrators and an emulator.

Row 1: our batched numpy Dormand-Prince 5(4) integrator (``integrate_threebody``, rtol 1e-10,
all trajectories advanced together) against scipy's ``solve_ivp`` (DOP853, rtol 1e-10), one
trajectory at a time, to t = 3.9 with 40 output times. Ours runs a batch of 1000 initial
conditions (trajectories that need more than 4000 steps, i.e. many close encounters, are stopped
and flagged, as in ``make_threebody``); scipy runs the first 5 of them without close encounters
(min separation > 1e-3: with them scipy needs minutes per trajectory). Both times are per
trajectory. Quality: median relative energy errors, and the median position difference at t = 3.9
on the common subset.

Rows 2-3: the emulator of the notebook (``al.nn.MLP``, 3 inputs, 4 outputs, 3 hidden layers of
64 ReLU units, untrained: the cost of a forward pass does not depend on the weights; one untimed warm-up pass
first), evaluated
for a batch of 1000 initial conditions at 40 times, against our integrator on the same 1000
initial conditions; per trajectory. On the CPU and, when present, on CUDA. Peak memory is not
measured (NaN): the integrator's calls take seconds and a second run per side would double the time.
"""

from __future__ import annotations

import functools

N_BATCH, N_SCIPY, N_TIMES, T_MAX, SEED = 1000, 5, 40, 3.9, 0
HIDDEN = (64, 64, 64)
MAX_STEPS = 4000  # as make_threebody: the rare trajectories with many close encounters are flagged


@functools.cache
def problem():
    import numpy as np

    from astrolab.datasets._threebody import threebody_initial_conditions

    return threebody_initial_conditions(N_BATCH, seed=SEED), np.linspace(0.0, T_MAX, N_TIMES)


def ours():
    """Our batched integrator on all N_BATCH initial conditions: (result, seconds per trajectory)."""
    import time

    from astrolab.datasets._threebody import integrate_threebody

    x2, t = problem()
    start = time.perf_counter()
    out = integrate_threebody(x2, t, rtol=1e-10, atol=1e-12, max_steps=MAX_STEPS)
    return out, (time.perf_counter() - start) / len(x2)


def scipy_dop853():
    """scipy solve_ivp DOP853, one trajectory at a time, on the first N_SCIPY: (positions, dE, s/trajectory)."""
    import time

    import numpy as np
    from scipy.integrate import solve_ivp

    from astrolab.datasets._threebody import _derivative, _initial_state, threebody_energy

    x2, t = problem()
    rows = subset()
    start = time.perf_counter()
    positions, errors = [], []
    for row in x2[rows]:
        y0 = _initial_state(row[None])[0]
        sol = solve_ivp(lambda _, y: _derivative(y[:, None])[:, 0], (0.0, T_MAX), y0, method="DOP853",
                        rtol=1e-10, atol=1e-12, t_eval=t)
        pos, vel = sol.y[:6].T.reshape(-1, 3, 2), sol.y[6:].T.reshape(-1, 3, 2)
        energy = threebody_energy(pos, vel)
        positions.append(pos)
        errors.append(np.max(np.abs(energy - energy[0])) / abs(energy[0]))
    return np.array(positions), np.array(errors), (time.perf_counter() - start) / N_SCIPY


@functools.cache
def subset():
    """The first N_SCIPY initial conditions without very close encounters (min separation > 1e-3)."""
    import numpy as np

    out, _ = ours()
    return np.flatnonzero(~out.failed & (out.min_separation > 1e-3))[:N_SCIPY]


def integrator_quality(result_ours, result_ref):
    import numpy as np

    out, per_ours = result_ours
    positions, errors, per_ref = result_ref
    diff = np.abs(out.positions[subset(), -1] - positions[:, -1]).max(axis=(1, 2))
    return (f"per trajectory {per_ours * 1e3:.2f} vs {per_ref * 1e3:.0f} ms; median |dE/E| "
            f"{np.median(out.energy_error[~out.failed]):.1e} vs {np.median(errors):.1e}; "
            f"median |dx| at t={T_MAX} {np.median(diff):.1e}; {out.failed.sum()} of {N_BATCH} flagged failed")


@functools.cache
def emulator(device_type):
    from astrolab.nn._models import MLP

    return MLP(3, 4, hidden=HIDDEN, seed=SEED).to(device_type).eval()


def emulate(device_type):
    """Forward pass for N_BATCH initial conditions x N_TIMES times: (positions, seconds per trajectory)."""
    import time

    import numpy as np
    import torch

    x2, t = problem()
    inputs = np.column_stack([np.repeat(x2, N_TIMES, axis=0), np.tile(t, N_BATCH)])[:, [2, 0, 1]]
    model = emulator(device_type)
    start = time.perf_counter()
    with torch.no_grad():
        out = model(torch.as_tensor(inputs, dtype=torch.float32, device=device_type))
        result = out.cpu().numpy()
    return result, (time.perf_counter() - start) / N_BATCH


def warm_up(device_type):
    """Build the emulator and run one untimed forward pass (torch's first call pays for thread pools and kernels)."""
    problem()
    emulate(device_type)


def emulator_quality(result_ours, result_ref):
    _, per_ours = result_ours
    _, per_ref = result_ref
    return f"per trajectory {per_ours * 1e6:.1f} µs vs {per_ref * 1e3:.2f} ms: speed-up {per_ref / per_ours:.0f}x"


def cases():
    import torch
    from _harness import Case

    rows = [Case("6b", f"three-body problem from rest to t={T_MAX}, {N_TIMES} outputs, rtol 1e-10 "
                 f"(ours: batch of {N_BATCH}; scipy: {N_SCIPY} without close encounters one by one; per trajectory)",
                 ("integrate_threebody (batched numpy DP5(4))", ours),
                 ("scipy solve_ivp DOP853 per trajectory", scipy_dop853),
                 quality=integrator_quality, setup=subset, max_repeat=1, warmup=False,
                 memory=lambda side: float("nan"))]
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for device in devices:
        rows.append(Case("6b", f"three-body emulator MLP 3-{'-'.join(map(str, HIDDEN))}-4, {N_BATCH} ICs x "
                         f"{N_TIMES} times, {device.upper()} (per trajectory)",
                         (f"MLP forward ({device})", lambda device=device: emulate(device)),
                         ("integrate_threebody (batch of 1000)", ours),
                         quality=emulator_quality, setup=lambda device=device: warm_up(device), max_repeat=1,
                         warmup=False,
                         memory=lambda side: float("nan")))
    return rows
