"""IPython startup file of the notebook kernels under ``make test`` (copied into their profile).

The test run uses the agg backend (``MPLBACKEND=agg``), which the kernels inherit; this puts them
back on the inline backend, as in JupyterLab and the book, so that every ``plt.show()`` leaves a PNG
in the outputs that coursetools.nbcache keeps for the book. It must run before matplotlib is
imported, which an IPython startup file does.
"""

import os

# Only as a startup file (IPython runs it as __main__); `pytest --doctest-modules tests` also imports this
# module, and must not change the test process's own environment.
if __name__ == "__main__":

    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"

    # Under the tests, plt.show() (wrapped by al.plotting.use_style) raises on a figure that breaks the
    # house style: text under 8 pt where the book shows it, "uas" for µas, an image without a labelled
    # colour bar (astrolab.plotting.audit_figure).
    os.environ["ASTROLAB_FIGURE_AUDIT"] = "1"

    # ... and an exercise's check() raises when the answer is wrong (not when it is `...`): every solution
    # of the course must earn "Correct!" (astrolab.exercises.BoundExercise.check).
    os.environ["ASTROLAB_EXERCISE_STRICT"] = "1"
