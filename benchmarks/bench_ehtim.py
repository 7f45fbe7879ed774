"""Chapter 3a: imaging the real EHT 2017 M87 data, astrolab's pipeline against ehtim (eht-imaging).

The same comparison as notebook 03-03's section 6, on the same files (day 095, both bands, intra-site
baselines dropped), with the same measurements (``al.sparse.ring_fit``):

* astrolab: ``EHTImager`` with the notebook's settings (a field of view of 1.5 times the diameter of
  the fitted first null, 65 uas on day 095; ``mu_cp = 3e3``), from the 10-s visibilities;
* ehtim's closure-only recipe, and the EHT's full 2019-D01-02 eht-imaging pipeline, with the EHT's
  parameters (``benchmarks/ehtim_m87.py``).

Both sides load the files inside the timed call. The rows need ehtim (``pip install
'astrolab[ehtim]'``; ``make bench`` installs it) and the real data (``ASTROLAB_MIRROR``); without
either, this module has no rows and says why. The full pipeline takes about a minute a call, so its
row is timed once.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import numpy as np

DAY = "095"
FIELD_OF_VIEW = 65.0  # uas: 1.5 x the 43.3 uas diameter of day 095's fitted null (notebook 03-03's rule)


def _mirror():
    here = Path(__file__).resolve().parent
    mirror = Path(os.environ.get("ASTROLAB_MIRROR") or here.parent.parent / "shared" / "realdata")
    return mirror if (mirror / "eht-m87-2017").is_dir() else None


def ours():
    import warnings

    from astropy.table import vstack

    import astrolab as al

    parts = []
    for k, band in enumerate(("lo", "hi")):
        part = al.datasets.fetch_eht_m87(DAY, band)
        part["band"] = k
        parts.append(part)
    table = vstack(parts, metadata_conflicts="silent")
    intra = np.array([{a, b} in ({"AA", "AP"}, {"JC", "SM"}) for a, b in zip(table["t1"], table["t2"], strict=True)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        imager = al.sparse.EHTImager((32, 32), 4.0, field_of_view=FIELD_OF_VIEW, prior_fwhm=None, mu_cp=3e3)
        return imager.fit(table[~intra]).image_


def _ehtim_module():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import ehtim_m87

    return ehtim_m87


def ehtim_closure():
    import ehtim as eh

    return np.array(_ehtim_module().image_day(eh, DAY, ["lo", "hi"])["image"])


def ehtim_pipeline():
    import ehtim as eh

    return np.array(_ehtim_module().image_day_pipeline(eh, DAY, ["lo", "hi"])["image"])


def quality(a, b):
    from astrolab.sparse import ring_fit

    fa, fb = ring_fit(a, 4.0, depression_blur=20.0), ring_fit(b, 4.0, depression_blur=20.0)
    return (f"d {fa.diameter:.1f} vs {fb.diameter:.1f} uas, PA {fa.position_angle:.0f} vs {fb.position_angle:.0f} "
            f"deg, centre/ring {fa.central_depression:.2f} vs {fb.central_depression:.2f}, flux > 1.5 R "
            f"{fa.outside_flux:.0%} vs {fb.outside_flux:.0%}")


def cases():
    from _harness import Case

    if importlib.util.find_spec("ehtim") is None:
        print("bench_ehtim: ehtim is not installed (pip install 'astrolab[ehtim]'): no ehtim rows")
        return []
    if _mirror() is None:
        print("bench_ehtim: the real EHT data are not here (set ASTROLAB_MIRROR): no ehtim rows")
        return []
    os.environ.setdefault("ASTROLAB_MIRROR", str(_mirror()))
    task = f"image the real M87 data (2017, day {DAY}, both bands), 32x32 pixels of 4 uas"
    return [Case("3a", task, ("astrolab EHTImager (closure phases, self-cal, LASSO+TSV)", ours),
                 ("ehtim closure-only RML (EHT 2019 parameters)", ehtim_closure), quality=quality,
                 max_repeat=2, warmup=False),
            Case("3a", task, ("astrolab EHTImager (closure phases, self-cal, LASSO+TSV)", ours),
                 ("ehtim: the EHT's full 2019-D01-02 pipeline", ehtim_pipeline), quality=quality,
                 max_repeat=1, warmup=False)]
