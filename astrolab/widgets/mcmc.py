"""Metropolis step-size explorer: too small a step crawls, too large a step never moves."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from astrolab._validation import as_float_array
from astrolab.bayes import AutocorrError, Metropolis, autocorr_time
from astrolab.plotting import OKABE_ITO, style
from astrolab.widgets._figure import FigureOutput

__all__ = ["MetropolisExplorer", "metropolis_explorer"]


class MetropolisExplorer(widgets.VBox):
    """The widget built by :func:`metropolis_explorer`; after each change ``chain``, ``acceptance``,
    ``tau``, ``tau_reliable`` and ``ess`` hold the current run, for tests and for curious learners.

    ``tau`` is measured after dropping the first tenth of the chain as burn-in. When what is left is
    shorter than 50 ``tau`` (:class:`astrolab.bayes.AutocorrError`), or than 50 times the floor
    ``(2 - a) / a`` that an acceptance fraction ``a`` puts on ``tau`` (a chain that rarely moves is
    correlated over at least ~2/a steps, which a short chain's estimate can miss), ``tau`` is only a
    lower bound: ``tau_reliable`` is False, ``ess`` is NaN and the readout says the chain is too
    short, instead of quoting an effective sample size the chain cannot support."""

    def __init__(self, log_prob, start, scale, step, n_steps, labels, seed):
        self.log_prob, self.start, self.scale = log_prob, as_float_array("start", start), as_float_array("scale", scale)
        self.n_steps, self.labels, self.seed = n_steps, labels, seed
        self.slider = widgets.FloatLogSlider(value=step, base=10, min=-2, max=1.5, step=0.1,
                                             description="step / σ", continuous_update=False,
                                             style={"description_width": "initial"},
                                             layout=widgets.Layout(width="420px"))
        self.readout = widgets.HTML()
        with style():
            self.figure = Figure(figsize=(11, 3.8), layout="constrained")
            self.ax_trace, self.ax_scatter, self.ax_acf = self.figure.subplots(1, 3, width_ratios=[1.4, 1, 1])
        self.ax_trace.set_xlabel("step")
        self.ax_trace.set_ylabel(labels[0])
        self.ax_scatter.set_xlabel(labels[0])
        self.ax_scatter.set_ylabel(labels[1])
        self.ax_acf.set_xlabel("lag [steps]")
        self.ax_acf.set_ylabel(f"autocorrelation of {labels[0]}")
        (self.trace,) = self.ax_trace.plot([], [], lw=0.6, color=OKABE_ITO[0])
        (self.points,) = self.ax_scatter.plot([], [], ".", ms=1.5, alpha=0.4, color=OKABE_ITO[0])
        (self.acf,) = self.ax_acf.plot([], [], color=OKABE_ITO[1])
        self.ax_acf.axhline(0, color="0.5", lw=0.8)
        self.canvas = FigureOutput(self.figure)
        super().__init__([self.slider, self.readout, self.canvas])
        self.slider.observe(self._update, names="value")
        self._update()

    def _update(self, change=None) -> None:
        sampler = Metropolis(self.log_prob, len(self.start), step=self.slider.value * self.scale, seed=self.seed)
        self.chain = sampler.run_mcmc(self.start, self.n_steps)[:, 0, :]
        self.acceptance = float(sampler.acceptance_fraction[0])
        kept = self.chain[self.n_steps // 10:]
        try:
            self.tau = autocorr_time(kept)
            self.tau_reliable = True
        except AutocorrError as err:   # fewer than 50 tau: tau is a lower bound, the ESS unknown
            self.tau = err.tau
            self.tau_reliable = False
        # A chain that stays put a fraction 1 - a of the steps has a lag-1 autocorrelation of about
        # 1 - a or more, so tau >~ (2 - a) / a; with few accepted moves the estimate above misses that.
        floor = (2 - self.acceptance) / self.acceptance if self.acceptance > 0 else np.inf
        if len(kept) < 50 * floor:
            self.tau = np.maximum(self.tau, floor)
            self.tau_reliable = False
        self.ess = len(kept) / self.tau.max() if self.tau_reliable else float("nan")
        x = self.chain[:, 0]
        self.trace.set_data(np.arange(self.n_steps), x)
        self.points.set_data(self.chain[:, 0], self.chain[:, 1])
        lags = min(200, self.n_steps // 2)
        centred = x[self.n_steps // 10:] - x[self.n_steps // 10:].mean()
        denom = centred @ centred
        acf = [1.0] + [float(centred[:-k] @ centred[k:] / denom) if denom > 0 else 1.0 for k in range(1, lags)]
        self.acf.set_data(np.arange(lags), acf)
        for ax in (self.ax_trace, self.ax_scatter, self.ax_acf):
            ax.relim()
            ax.autoscale_view()
        self.ax_acf.set_ylim(-0.3, 1.05)
        self.ax_trace.set_title(f"acceptance {self.acceptance:.2f}")
        head = f"step = <b>{self.slider.value:.2g} σ</b>: acceptance <b>{self.acceptance:.2f}</b>, "
        if self.tau_reliable:
            self.ax_acf.set_title(f"τ = {self.tau.max():.0f} steps")
            self.readout.value = (head + f"autocorrelation time <b>{self.tau.max():.0f}</b> steps, so the "
                                  f"{len(kept)} steps after burn-in are worth about <b>{self.ess:.0f}</b> "
                                  "independent samples")
        else:
            self.ax_acf.set_title(f"τ ≥ {self.tau.max():.0f} steps: chain too short")
            self.readout.value = (head + f"<b>chain too short</b> to measure τ: {len(kept)} steps after burn-in "
                                  f"&lt; 50 τ (τ ≥ {self.tau.max():.0f} steps, a lower bound). The number of "
                                  "independent samples is unknown and smaller than the chain suggests: "
                                  "change the step or run longer")
        self.canvas.refresh()


def metropolis_explorer(log_prob, start, scale, *, step: float = 1.0, n_steps: int = 3000,
                        labels=("θ₁", "θ₂"), seed=0):
    """Interactive tuning of a random-walk Metropolis sampler.

    A slider sets the proposal step in units of ``scale`` (the posterior's width per parameter,
    if you know it roughly); each change re-runs :class:`astrolab.bayes.Metropolis` from ``start``
    with the same seed and shows the trace of the first parameter, the samples of the first two,
    and the autocorrelation function, with the acceptance fraction and autocorrelation time. When the
    run is shorter than 50 autocorrelation times the widget says so, and quotes no effective sample
    size (a short chain underestimates ``tau`` and overstates what it is worth).

    Parameters
    ----------
    log_prob : callable
        Log of the target density, ``log_prob(x) -> float``.
    start : array_like
        Starting point, ``(n_dim,)`` with ``n_dim >= 2``.
    scale : float or array_like
        Width per parameter that the step is measured in.
    step : float, default 1
        Starting step, in units of ``scale`` (0.01 to 30).
    n_steps : int, default 3000
        Length of each run.
    labels : tuple of str
        Names of the first two parameters.
    seed : int

    Returns
    -------
    MetropolisExplorer
        An ``ipywidgets.VBox``; display it, or set ``.slider.value`` from code.

    Examples
    --------
    >>> demo = metropolis_explorer(lambda x: -0.5 * float(x @ x), [0.0, 0.0], 1.0, n_steps=500)
    >>> demo.slider.value = 0.05
    >>> demo.acceptance > 0.9, demo.tau_reliable
    (True, False)
    """
    start = as_float_array("start", start)
    if start.ndim != 1 or start.size < 2:
        raise ValueError(f"start must be a 1-D point with at least 2 parameters, got shape {start.shape}")
    if not callable(log_prob):
        raise ValueError("log_prob must be a callable returning a float")
    if not 0.01 <= step <= 30:
        raise ValueError(f"step must be between 0.01 and 30 (in units of scale), got {step!r}")
    if not (isinstance(n_steps, int) and 100 <= n_steps <= 100_000):
        raise ValueError(f"n_steps must be an integer between 100 and 100000, got {n_steps!r}")
    scale = np.broadcast_to(as_float_array("scale", scale), start.shape)
    if not np.all(scale > 0):
        raise ValueError("scale must be positive")
    return MetropolisExplorer(log_prob, start, scale, float(step), n_steps, tuple(labels), seed)
