"""A classroom data challenge in the PLAsTiCC mould: blind test set, scoring and a leaderboard.

The instructor runs :func:`make_challenge` once and hands out everything in the challenge folder
except the ``truth/`` subfolder; students submit a CSV with one row per test object and one
probability column per class; :func:`score` checks it with :func:`validate_submission` and returns
the weighted log-loss; a :class:`Leaderboard` keeps the scores (lower is better).
"""

from __future__ import annotations

import datetime
import html
import io
import json
import os
from pathlib import Path

import numpy as np

from astrolab._paths import write_text_atomic
from astrolab._validation import as_float_array
from astrolab.challenge._metric import PLASTICC_CLASS_WEIGHTS, weighted_log_loss

__all__ = ["Leaderboard", "make_challenge", "make_submission", "score", "validate_submission"]

#: The files :func:`make_challenge` writes, relative to its folder.
CHALLENGE_FILES = ("training_set.csv", "training_set_metadata.csv", "test_set.csv", "test_set_metadata.csv",
                   "sample_submission.csv", "challenge.json", "truth/test_set_truth.csv")
_HIDDEN_METADATA = ("target", "true_z")
_SUM_TOLERANCE = 1e-3


def _write_text(path, text: str) -> None:
    write_text_atomic(path, text, newline="")


def _write_csv(frame, path: Path) -> None:
    _write_text(path, frame.to_csv(index=False, float_format="%.6g"))


def make_challenge(directory, *, seed=0, n_objects: int = 3000, test_fraction: float = 0.5,
                   ddf_fraction: float = 0.1, overwrite: bool = False):
    """Write a light-curve classification challenge: a labelled training set and a blind test set.

    Uses :func:`astrolab.datasets.make_transients` and splits the objects at random, stratified by
    class (so the rare classes appear on both sides). Files written in ``directory``:

    * ``training_set.csv``, ``training_set_metadata.csv`` (with ``target``, the PLAsTiCC code, and
      ``class_name``);
    * ``test_set.csv``, ``test_set_metadata.csv`` (no ``target`` and no true redshift);
    * ``sample_submission.csv`` (uniform probabilities: the expected format) and ``challenge.json``
      (class names, class weights, sizes; not the seed);
    * ``truth/test_set_truth.csv`` (``object_id, target, class_name``): for the instructor only.
      Hand out the folder without ``truth/``; whoever knows the seed can regenerate it.

    Every file is written to a temporary file and renamed when complete.

    Parameters
    ----------
    directory : str or path-like
        Folder to write (created if needed).
    seed : int, default 0
        Seed of the data and of the split: keep it secret.
    n_objects : int, default 3000
        Objects in training and test sets together.
    test_fraction : float, default 0.5
        Share of the objects in the blind test set.
    ddf_fraction : float, default 0.1
        As in :func:`astrolab.datasets.make_transients`.
    overwrite : bool, default False
        Replace the files of an existing challenge in ``directory``; otherwise refuse.

    Returns
    -------
    sklearn.utils.Bunch
        ``directory`` and the ``Path`` of every file (``training_set``, ``training_set_metadata``,
        ``test_set``, ``test_set_metadata``, ``sample_submission``, ``info``, ``truth``), and
        ``class_names``.

    Examples
    --------
    >>> import tempfile
    >>> kit = make_challenge(tempfile.mkdtemp(), seed=1, n_objects=40)
    >>> sorted(p.name for p in kit.directory.iterdir())[:3]
    ['challenge.json', 'sample_submission.csv', 'test_set.csv']
    """
    import pandas as pd
    from sklearn.utils import Bunch

    from astrolab.datasets._transients import TRANSIENT_CLASSES, make_transients

    if not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        raise ValueError(f"seed must be a non-negative integer (the instructor keeps it), got {seed!r}")
    if not (isinstance(test_fraction, (int, float, np.floating)) and 0 < test_fraction < 1):
        raise ValueError(f"test_fraction must be a number in (0, 1), got {test_fraction!r}")
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"directory must be a folder, but {str(directory)!r} is a file")
    existing = [name for name in CHALLENGE_FILES if (directory / name).exists()]
    if existing and not overwrite:
        raise ValueError(f"directory {str(directory)!r} already holds a challenge ({', '.join(existing)}); "
                         "pass overwrite=True to replace it")
    data = make_transients(n_objects, ddf_fraction=ddf_fraction, seed=seed)
    rng = np.random.default_rng([seed, 7])                  # the split's own stream
    meta = data.metadata.merge(data.truth[["object_id", "class_name"]], on="object_id")
    is_test = np.zeros(len(meta), dtype=bool)
    for name in TRANSIENT_CLASSES:
        members = np.flatnonzero(meta["class_name"].to_numpy() == name)
        n_test = int(round(test_fraction * members.size))
        if members.size >= 2:
            n_test = min(max(n_test, 1), members.size - 1)
        is_test[rng.choice(members, n_test, replace=False)] = True
    test_ids = meta["object_id"].to_numpy()[is_test]
    lc_test = data.lightcurves["object_id"].isin(test_ids).to_numpy()

    paths = Bunch(directory=directory, training_set=directory / "training_set.csv",
                  training_set_metadata=directory / "training_set_metadata.csv",
                  test_set=directory / "test_set.csv", test_set_metadata=directory / "test_set_metadata.csv",
                  sample_submission=directory / "sample_submission.csv", info=directory / "challenge.json",
                  truth=directory / "truth" / "test_set_truth.csv", class_names=TRANSIENT_CLASSES)
    train_meta = meta[~is_test].drop(columns=["true_z"]).reset_index(drop=True)
    test_meta = meta[is_test].drop(columns=[*_HIDDEN_METADATA, "class_name"]).reset_index(drop=True)
    truth = meta.loc[is_test, ["object_id", "target", "class_name"]].reset_index(drop=True)
    _write_csv(data.lightcurves[~lc_test], paths.training_set)
    _write_csv(train_meta, paths.training_set_metadata)
    _write_csv(data.lightcurves[lc_test], paths.test_set)
    _write_csv(test_meta, paths.test_set_metadata)
    uniform = pd.DataFrame({"object_id": test_meta["object_id"]})
    for name in TRANSIENT_CLASSES:
        uniform[name] = 1 / len(TRANSIENT_CLASSES)
    _write_csv(uniform, paths.sample_submission)
    info = {"class_names": list(TRANSIENT_CLASSES), "class_weights": PLASTICC_CLASS_WEIGHTS,
            "n_train": int((~is_test).sum()), "n_test": int(is_test.sum()),
            "metric": "PLAsTiCC weighted log-loss (lower is better)",
            "submission": "object_id plus one probability column per class name; rows sum to 1 within 1e-3"}
    _write_text(paths.info, json.dumps(info, indent=2) + "\n")
    _write_csv(truth, paths.truth)
    return paths


def _describe_row(frame, i):
    value = frame["object_id"].iloc[i]
    value = value.item() if hasattr(value, "item") else value
    return f"row {i} (object_id {value!r}; line {i + 2} of the CSV)"


def validate_submission(submission, object_ids, class_names):
    """Check a submission and return its probabilities in the order of ``object_ids``.

    Parameters
    ----------
    submission : pandas.DataFrame or str or path-like
        A table (or CSV file) with an ``object_id`` column and one column per class name.
    object_ids : array-like
        The ids that must be predicted, each exactly once.
    class_names : sequence of str
        The class columns required, no more, no less (any order).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``object_id`` in the order of ``object_ids``, columns in the order of
        ``class_names``, float values.

    Raises
    ------
    ValueError
        Naming the offending row (0-based, with its object id and CSV line) or column: a missing
        ``object_id`` column, missing or unexpected class columns, a non-numeric value, NaN or
        infinite values, negative values or values above 1, duplicated, missing or unknown ids, or a
        row whose probabilities do not sum to 1 within 1e-3 (we do not renormalise: a row that
        does not sum to one is usually a bug in the submitter's code).

    Examples
    --------
    >>> import pandas as pd
    >>> sub = pd.DataFrame({"object_id": [2, 1], "a": [0.5, 0.1], "b": [0.5, 0.9]})
    >>> validate_submission(sub, [1, 2], ["a", "b"]).loc[1, "b"]
    np.float64(0.9)
    >>> bad = pd.DataFrame({"object_id": [1, 2], "a": [0.5, 0.1], "b": [0.6, 0.9]})
    >>> validate_submission(bad, [1, 2], ["a", "b"])
    Traceback (most recent call last):
    ...
    ValueError: submission row 0 (object_id 1; line 2 of the CSV): probabilities sum to 1.1, not 1 (within 0.001)
    """
    import pandas as pd

    if isinstance(submission, (str, os.PathLike)):
        path = Path(submission)
        if not path.is_file():
            raise ValueError(f"submission file {str(path)!r} does not exist")
        try:
            submission = pd.read_csv(path)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
            raise ValueError(f"submission file {str(path)!r} is not a readable CSV: {err}") from None
    if not isinstance(submission, pd.DataFrame):
        raise ValueError(f"submission must be a pandas DataFrame or a CSV path, got {type(submission).__name__}")
    from astrolab._validation import check_sequence

    object_ids = check_sequence("object_ids", object_ids, min_len=1)
    class_names = [str(c) for c in check_sequence("class_names", class_names, min_len=1)]
    sub = submission.reset_index(drop=True)
    sub.columns = [str(c).strip() for c in sub.columns]
    if "object_id" not in sub.columns:
        raise ValueError(f"submission needs an 'object_id' column; its columns are {list(sub.columns)}")
    missing = [c for c in class_names if c not in sub.columns]
    extra = [c for c in sub.columns if c not in class_names and c != "object_id"]
    if missing or extra:
        raise ValueError(f"submission must have the class columns {class_names}: missing columns {missing}, "
                         f"unexpected columns {extra}")
    dup_cols = sub.columns[sub.columns.duplicated()].tolist()
    if dup_cols:
        raise ValueError(f"submission has duplicated columns {dup_cols}")
    for c in class_names:
        values = pd.to_numeric(sub[c], errors="coerce")
        bad = values.isna() & sub[c].notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"submission column {c!r}, {_describe_row(sub, i)}: {sub[c].iloc[i]!r} is not a number")
        sub[c] = values.astype(float)
    proba = sub[class_names].to_numpy(dtype=float)
    for test, what in ((~np.isfinite(proba), "is not a finite number (NaN or inf)"),
                       (proba < 0, "is negative"), (proba > 1, "is above 1")):
        if test.any():
            i, k = np.argwhere(test)[0]
            raise ValueError(f"submission column {class_names[k]!r}, {_describe_row(sub, int(i))}: "
                             f"{proba[i, k]!r} {what}")
    ids = sub["object_id"]
    if ids.isna().any():
        i = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise ValueError(f"submission row {i} (line {i + 2} of the CSV) has no object_id")
    expected = pd.Index(np.asarray(object_ids))
    try:
        ids = ids.astype(expected.dtype)
    except (TypeError, ValueError):
        raise ValueError(f"submission column 'object_id' must hold ids like {expected[:3].tolist()}, "
                         f"got values such as {ids.iloc[:3].tolist()}") from None
    dup = ids.duplicated(keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero((ids == ids.iloc[i]).to_numpy())[0])
        raise ValueError(f"submission {_describe_row(sub, i)} repeats the object_id of row {first}; "
                         f"{int(dup.sum())} duplicated ids in all")
    unknown = ~ids.isin(expected).to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise ValueError(f"submission {_describe_row(sub, i)}: object_id is not in the test set "
                         f"({int(unknown.sum())} unknown ids in all)")
    absent = expected[~expected.isin(ids)]
    if absent.size:
        raise ValueError(f"submission is missing {absent.size} of the {expected.size} object_ids, "
                         f"for example {absent[:5].tolist()}")
    total = proba.sum(axis=1)
    off = np.abs(total - 1) > _SUM_TOLERANCE
    if off.any():
        i = int(np.flatnonzero(off)[0])
        more = f"; {int(off.sum())} such rows in all" if off.sum() > 1 else ""
        raise ValueError(f"submission {_describe_row(sub, i)}: probabilities sum to {total[i]:.6g}, not 1 "
                         f"(within {_SUM_TOLERANCE:g}){more}")
    out = pd.DataFrame(proba, index=pd.Index(ids.to_numpy(), name="object_id"), columns=class_names)
    return out.loc[expected]


def make_submission(object_ids, proba, class_names):
    """A submission table from predicted probabilities (e.g. ``predict_proba`` of a classifier).

    Examples
    --------
    >>> make_submission([5, 6], [[0.2, 0.8], [1.0, 0.0]], ["a", "b"]).columns.tolist()
    ['object_id', 'a', 'b']
    """
    import pandas as pd

    from astrolab._validation import check_sequence

    proba = as_float_array("proba", proba)
    object_ids = np.asarray(check_sequence("object_ids", object_ids))
    class_names = [str(c) for c in check_sequence("class_names", class_names, min_len=1)]
    if proba.shape != (object_ids.size, len(class_names)):
        raise ValueError(f"proba must have shape (len(object_ids), len(class_names)) = "
                         f"({object_ids.size}, {len(class_names)}), got {proba.shape}")
    frame = pd.DataFrame(proba, columns=class_names)
    frame.insert(0, "object_id", object_ids)
    return frame


def _read_truth(truth):
    import pandas as pd

    if isinstance(truth, (str, os.PathLike)):
        path = Path(truth)
        if path.is_dir():
            path = path / "truth" / "test_set_truth.csv" if (path / "truth").is_dir() else path / "test_set_truth.csv"
        if not path.is_file():
            raise ValueError(f"truth file {str(path)!r} does not exist")
        frame = pd.read_csv(path)
    elif isinstance(truth, pd.DataFrame):
        frame = truth.copy(deep=True)               # never touch the caller's table
    else:
        raise ValueError(f"truth must be a DataFrame, a truth CSV or a challenge folder, got {type(truth).__name__}")
    for col in ("object_id", "class_name"):
        if col not in frame.columns:
            raise ValueError(f"truth must have columns 'object_id' and 'class_name'; it has {list(frame.columns)}")
    return frame


def score(submission, truth, *, class_names=None, class_weights=None) -> float:
    """Validate a submission and return its PLAsTiCC weighted log-loss on the blind test set.

    Parameters
    ----------
    submission : str, path-like or pandas.DataFrame
        The submission (see :func:`validate_submission`).
    truth : str, path-like or pandas.DataFrame
        ``truth/test_set_truth.csv`` of :func:`make_challenge` (or the challenge folder, or that table).
        It is only read: files are opened read-only and tables are copied.
    class_names : sequence of str, optional
        Default :data:`astrolab.datasets.TRANSIENT_CLASSES`.
    class_weights : dict, optional
        Default :data:`PLASTICC_CLASS_WEIGHTS` (KN and TDE 2, others 1).

    Returns
    -------
    float
        Lower is better; a uniform submission scores ``ln 10 = 2.303``.

    Examples
    --------
    >>> import tempfile
    >>> kit = make_challenge(tempfile.mkdtemp(), seed=1, n_objects=40)
    >>> round(score(kit.sample_submission, kit.truth), 4)
    2.3026
    """
    from astrolab.datasets._transients import TRANSIENT_CLASSES

    class_names = list(TRANSIENT_CLASSES if class_names is None else class_names)
    weights = PLASTICC_CLASS_WEIGHTS if class_weights is None else class_weights
    frame = _read_truth(truth)
    proba = validate_submission(submission, frame["object_id"].to_numpy(), class_names)
    return weighted_log_loss(frame["class_name"].astype(str).to_numpy(), proba.to_numpy(), labels=class_names,
                             class_weights=weights)


class Leaderboard:
    """Scores of the teams of a challenge, ranked lower-is-better.

    Examples
    --------
    >>> board = Leaderboard().add("prior", 2.1).add("boosting", 0.9).add("prior", 1.9)
    >>> board.ranking()[["rank", "name", "score"]].to_dict("list")
    {'rank': [1, 2], 'name': ['boosting', 'prior'], 'score': [0.9, 1.9]}
    """

    _COLUMNS = ("name", "score", "submitted", "note")

    def __init__(self, title: str = "Leaderboard"):
        self.title = title
        self.entries: list[dict] = []

    def __len__(self):
        return len(self.entries)

    def add(self, name: str, score: float, *, note: str = "", submitted: str | None = None) -> Leaderboard:
        """Record a score (returns the leaderboard, so calls chain)."""
        name = str(name).strip()
        if not name:
            raise ValueError("name must be a non-empty team name")
        try:
            value = float(score)
        except (TypeError, ValueError):
            raise ValueError(f"score must be a number, got {score!r}") from None
        if not np.isfinite(value):
            raise ValueError(f"score must be finite, got {score!r}")
        if submitted is None:
            submitted = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        self.entries.append({"name": name, "score": value, "submitted": str(submitted), "note": str(note)})
        return self

    def submit(self, name: str, submission, truth, *, note: str = "", **score_kwargs) -> float:
        """Score a submission with :func:`score`, record it and return the score."""
        value = score(submission, truth, **score_kwargs)
        self.add(name, value, note=note)
        return value

    def ranking(self, *, best_only: bool = True):
        """A DataFrame sorted by score (lowest first) with a ``rank`` column (ties share a rank);
        ``best_only``: each name's best score only."""
        import pandas as pd

        frame = pd.DataFrame(self.entries, columns=list(self._COLUMNS))
        frame["score"] = frame["score"].astype(float)
        frame = frame.sort_values(["score", "submitted"], kind="stable")
        if best_only:
            frame = frame.drop_duplicates("name", keep="first")
        frame = frame.reset_index(drop=True)
        frame.insert(0, "rank", frame["score"].rank(method="min").astype(int) if len(frame) else [])
        return frame

    def to_csv(self, path) -> Path:
        """Write every entry (not only the best) to a CSV, atomically."""
        import pandas as pd

        path = Path(path)
        frame = pd.DataFrame(self.entries, columns=list(self._COLUMNS))
        _write_text(path, frame.to_csv(index=False, float_format="%.10g"))
        return path

    @classmethod
    def from_csv(cls, path, *, title: str = "Leaderboard") -> Leaderboard:
        """Read a leaderboard written by :meth:`to_csv`."""
        import pandas as pd

        frame = pd.read_csv(path, dtype={"name": str, "submitted": str, "note": str}, keep_default_na=False)
        missing = [c for c in ("name", "score") if c not in frame.columns]
        if missing:
            raise ValueError(f"leaderboard CSV {str(path)!r} lacks the columns {missing}")
        board = cls(title=title)
        for row in frame.itertuples(index=False):
            board.add(row.name, row.score, note=getattr(row, "note", ""), submitted=getattr(row, "submitted", ""))
        return board

    def _svg_bars(self, ranking) -> str:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6, 0.4 * len(ranking) + 1.2), layout="constrained")
        ax = fig.subplots()
        y = np.arange(len(ranking))[::-1]
        ax.barh(y, ranking["score"], color="#3b75af")
        ax.set_yticks(y, ranking["name"])
        ax.set_xlabel("weighted log-loss (lower is better)")
        ax.set_title(self.title)
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        svg = buf.getvalue()
        return svg[svg.find("<svg"):]

    def to_html(self, path=None, *, plot: bool = True) -> str:
        """An HTML page: the ranking table and (``plot``) an inline SVG bar chart; written to
        ``path`` if given (atomically). Returns the HTML."""
        ranking = self.ranking()
        rows = "\n".join(
            f"<tr><td>{r['rank']}</td><td>{html.escape(str(r['name']))}</td><td>{r['score']:.4f}</td>"
            f"<td>{html.escape(str(r['submitted']))}</td><td>{html.escape(str(r['note']))}</td></tr>"
            for _, r in ranking.iterrows())
        table = ("<table class=\"leaderboard\">\n<thead><tr><th>rank</th><th>name</th><th>score</th>"
                 f"<th>submitted</th><th>note</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>")
        figure = self._svg_bars(ranking) if plot and len(ranking) else ""
        page = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(self.title)}</title>"
                f"</head>\n<body>\n<h1>{html.escape(self.title)}</h1>\n{table}\n{figure}\n</body></html>\n")
        if path is not None:
            _write_text(Path(path), page)
        return page

    def _repr_html_(self):
        return self.to_html(plot=False)
