"""A classroom data challenge in the PLAsTiCC mould: blind test set, scoring and a leaderboard.

The instructor runs :func:`make_challenge` once. It writes two folders: ``student/`` (the training set
with labels, the blind test set without, a sample submission, ``challenge.json`` and a README), the
only thing handed out, and ``truth/`` (the secret seed, the truth and its public/private split), kept
by the instructor. Without an explicit seed the data come from a secret 128-bit seed that appears
nowhere in ``student/``: nobody can regenerate the truth. Students submit a CSV with one row per test
object and one probability column per class; :func:`score` checks it with :func:`validate_submission`
and returns the weighted log-loss; a :class:`Leaderboard` keeps the scores (lower is better), and
:class:`astrolab.challenge.BlindChallenge` runs the class's competition (public part, private part,
a daily submission limit).
"""

from __future__ import annotations

import csv
import datetime
import html
import io
import json
import os
import secrets
from pathlib import Path

import numpy as np

from astrolab._paths import write_text_atomic
from astrolab._validation import as_float_array
from astrolab.challenge._metric import PLASTICC_CLASS_WEIGHTS, weight_prior, weighted_log_loss

__all__ = ["Leaderboard", "make_challenge", "make_submission", "score", "validate_submission",
           "weight_prior_submission"]

#: The files :func:`make_challenge` writes, relative to its folder: ``student/`` is handed out, ``truth/`` is not.
STUDENT_FILES = ("training_set.csv", "training_set_metadata.csv", "test_set.csv", "test_set_metadata.csv",
                 "sample_submission.csv", "challenge.json", "README.md")
TRUTH_FILES = ("test_set_truth.csv", "secret.json")
CHALLENGE_FILES = tuple(f"student/{name}" for name in STUDENT_FILES) + tuple(f"truth/{name}" for name in TRUTH_FILES)
_LEGACY_FILES = ("training_set.csv", "training_set_metadata.csv", "test_set.csv", "test_set_metadata.csv",
                 "sample_submission.csv", "challenge.json")
_HIDDEN_METADATA = ("target", "true_z")
_SUM_TOLERANCE = 1e-3
#: Submission size limit: bytes of CSV header plus bytes per row and per class column. A row of an id and ten
#: probabilities written with full float precision takes about 220 bytes; the limit allows twice that.
_SIZE_HEADER, _SIZE_PER_ROW, _SIZE_PER_CELL = 4096, 32, 40
#: At most this many rows (twice the test set, plus slack) are looked at before a submission is refused.
_ROWS_FACTOR, _ROWS_SLACK = 2, 1000
_SECRET_BITS = 128


def _write_text(path, text: str) -> None:
    write_text_atomic(path, text, newline="")


def _write_csv(frame, path: Path) -> None:
    _write_text(path, frame.to_csv(index=False, float_format="%.6g"))


def _stratified_pick(labels, fraction, rng):
    """A boolean mask choosing ``fraction`` of the members of every class (rounded; for a class of two or more
    members at least one and not all)."""
    chosen = np.zeros(len(labels), dtype=bool)
    for name in sorted(set(labels)):
        members = np.flatnonzero(labels == name)
        k = int(round(fraction * members.size))
        if members.size >= 2:
            k = min(max(k, 1), members.size - 1)
        chosen[rng.choice(members, k, replace=False)] = True
    return chosen


def _readme(info) -> str:
    rules = info["rules"]
    kind = ("This is a **blind** challenge: the truth was simulated from a secret 128-bit seed that is not in "
            "these files, so it cannot be regenerated; it is scored by the organiser."
            if info["blind"] else
            "**Demonstration kit, not a blind test.** It was made with an explicit seed (for a reproducible "
            "example); whoever knows or guesses that seed can regenerate the truth.")
    baselines = "\n".join(f"- {name}: {value:.4f}" for name, value in info["baselines"].items())
    names = ", ".join(info["class_names"])
    return f"""# Light-curve classification challenge

{kind}

## Files

- `training_set.csv`, `training_set_metadata.csv`: {info["n_train"]} objects with their class
  (`target`, the PLAsTiCC code, and `class_name`).
- `test_set.csv`, `test_set_metadata.csv`: {info["n_test"]} objects to classify (no class, no true redshift;
  `hostgal_photoz` and `hostgal_photoz_err` are the host galaxy's photometric redshift and its error).
- `sample_submission.csv`: the expected format (uniform probabilities).
- `challenge.json`: the class names and weights, the sizes, the rules and the baselines below.

## Submissions

A CSV with an integer `object_id` column (every test object exactly once) and one probability column per
class ({names}); every row sums to 1 within {_SUM_TOLERANCE:g}. Files above
{rules["max_submission_bytes"]} bytes are refused unread. At most {rules["daily_limit"]} scored submissions
per team and day (UTC); a submission refused for its format does not count.

## Scoring

{info["metric"]}. The public leaderboard shows, rounded to {rules["public_decimals"]} decimals, the score on
a fixed public part of the test set ({rules["public_fraction"]:.0%} of it, which objects is not told); the
final ranking uses only the private rest. Baselines without any data (lower is better):

{baselines}

Predicting the class weights for every object is the best you can do without looking at the data: that
is the baseline to beat, not the uniform guess.
"""


def make_challenge(directory, *, seed=None, n_objects: int = 3000, test_fraction: float = 0.5,
                   ddf_fraction: float = 0.1, public_fraction: float = 0.3, daily_limit: int = 5,
                   overwrite: bool = False):
    """Write a light-curve classification challenge: a labelled training set and a blind test set.

    Uses :func:`astrolab.datasets.make_transients` and splits the objects at random, stratified by
    class (so the rare classes appear on both sides); the blind set is split again, stratified, into a
    public part (scored on the public leaderboard) and a private part (the final ranking). Written in
    ``directory``:

    * ``student/`` -- hand out this folder and nothing else: ``training_set.csv``,
      ``training_set_metadata.csv`` (with ``target``, the PLAsTiCC code, and ``class_name``),
      ``test_set.csv``, ``test_set_metadata.csv`` (no ``target`` and no true redshift),
      ``sample_submission.csv`` (uniform probabilities: the expected format), ``challenge.json``
      (class names and weights, sizes, rules, the no-data baselines; never the seed) and ``README.md``;
    * ``truth/`` -- the instructor's: ``test_set_truth.csv`` (``object_id, target, class_name, split``,
      ``split`` being ``public`` or ``private``) and ``secret.json`` (the seed and the arguments, enough
      to regenerate the kit with the same astrolab version).

    Every file is written to a temporary file and renamed when complete.

    Parameters
    ----------
    directory : str or path-like
        Folder to write (created if needed).
    seed : int, optional
        ``None`` (default): a **blind** challenge, from a secret 128-bit seed drawn with :mod:`secrets`
        and written only to ``truth/secret.json``. An integer: a reproducible **demonstration** kit
        (``challenge.json`` and the README say so); whoever knows or guesses the seed can regenerate the
        truth, so never use an explicit seed for a graded challenge.
    n_objects : int, default 3000
        Objects in training and test sets together.
    test_fraction : float, default 0.5
        Share of the objects in the blind test set.
    ddf_fraction : float, default 0.1
        As in :func:`astrolab.datasets.make_transients`.
    public_fraction : float, default 0.3
        Share of the blind test set in its public part.
    daily_limit : int, default 5
        Scored submissions per team and UTC day, announced in ``challenge.json`` (and applied by
        :class:`astrolab.challenge.BlindChallenge`).
    overwrite : bool, default False
        Replace the files of an existing challenge in ``directory``; otherwise refuse.

    Returns
    -------
    sklearn.utils.Bunch
        ``directory``, ``student`` and ``truth_directory`` (the two folders), the ``Path`` of every
        file (``training_set``, ``training_set_metadata``, ``test_set``, ``test_set_metadata``,
        ``sample_submission``, ``info``, ``readme``, ``truth``, ``secret``), ``class_names`` and
        ``blind`` (False for an explicit seed).

    Examples
    --------
    >>> import tempfile
    >>> kit = make_challenge(tempfile.mkdtemp(), seed=1, n_objects=40)
    >>> sorted(p.name for p in kit.student.iterdir())[:3]
    ['README.md', 'challenge.json', 'sample_submission.csv']
    >>> kit.blind, sorted(p.name for p in kit.truth_directory.iterdir())
    (False, ['secret.json', 'test_set_truth.csv'])
    """
    import pandas as pd
    from sklearn.utils import Bunch

    from astrolab import __version__
    from astrolab._validation import check_int, check_real
    from astrolab.datasets._transients import TRANSIENT_CLASSES, make_transients

    blind = seed is None
    if blind:
        seed = secrets.randbits(_SECRET_BITS)
    elif not (isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)) and seed >= 0):
        raise ValueError(f"seed must be None (a secret seed: a blind challenge) or a non-negative integer "
                         f"(a reproducible demo), got {seed!r}")
    seed = int(seed)
    if not (isinstance(test_fraction, (int, float, np.floating)) and 0 < test_fraction < 1):
        raise ValueError(f"test_fraction must be a number in (0, 1), got {test_fraction!r}")
    public_fraction = check_real("public_fraction", public_fraction, min=0, max=1, min_inclusive=False,
                                 max_inclusive=False)
    daily_limit = check_int("daily_limit", daily_limit, min=1)
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"directory must be a folder, but {str(directory)!r} is a file")
    existing = [name for name in (*CHALLENGE_FILES, *_LEGACY_FILES) if (directory / name).exists()]
    if existing and not overwrite:
        raise ValueError(f"directory {str(directory)!r} already holds a challenge ({', '.join(existing)}); "
                         "pass overwrite=True to replace it")
    data = make_transients(n_objects, ddf_fraction=ddf_fraction, seed=seed)
    rng = np.random.default_rng([seed, 7])                  # the split's own stream
    meta = data.metadata.merge(data.truth[["object_id", "class_name"]], on="object_id")
    names = meta["class_name"].to_numpy()
    is_test = np.zeros(len(meta), dtype=bool)
    for name in TRANSIENT_CLASSES:
        members = np.flatnonzero(names == name)
        n_test = int(round(test_fraction * members.size))
        if members.size >= 2:
            n_test = min(max(n_test, 1), members.size - 1)
        is_test[rng.choice(members, n_test, replace=False)] = True
    test_ids = meta["object_id"].to_numpy()[is_test]
    lc_test = data.lightcurves["object_id"].isin(test_ids).to_numpy()

    student, hidden = directory / "student", directory / "truth"
    paths = Bunch(directory=directory, student=student, truth_directory=hidden,
                  training_set=student / "training_set.csv",
                  training_set_metadata=student / "training_set_metadata.csv",
                  test_set=student / "test_set.csv", test_set_metadata=student / "test_set_metadata.csv",
                  sample_submission=student / "sample_submission.csv", info=student / "challenge.json",
                  readme=student / "README.md", truth=hidden / "test_set_truth.csv", secret=hidden / "secret.json",
                  class_names=TRANSIENT_CLASSES, blind=blind)
    train_meta = meta[~is_test].drop(columns=["true_z"]).reset_index(drop=True)
    test_meta = meta[is_test].drop(columns=[*_HIDDEN_METADATA, "class_name"]).reset_index(drop=True)
    truth = meta.loc[is_test, ["object_id", "target", "class_name"]].reset_index(drop=True)
    public = _stratified_pick(truth["class_name"].to_numpy(), public_fraction, np.random.default_rng([seed, 11]))
    truth["split"] = np.where(public, "public", "private")
    for name in _LEGACY_FILES:                              # an old kit's files at the top level would confuse
        if (directory / name).exists():
            (directory / name).unlink()
    _write_csv(data.lightcurves[~lc_test], paths.training_set)
    _write_csv(train_meta, paths.training_set_metadata)
    _write_csv(data.lightcurves[lc_test], paths.test_set)
    _write_csv(test_meta, paths.test_set_metadata)
    uniform = pd.DataFrame({"object_id": test_meta["object_id"]})
    for name in TRANSIENT_CLASSES:
        uniform[name] = 1 / len(TRANSIENT_CLASSES)
    _write_csv(uniform, paths.sample_submission)
    prior = weight_prior(TRANSIENT_CLASSES, PLASTICC_CLASS_WEIGHTS)
    n_classes = len(TRANSIENT_CLASSES)
    info = {"class_names": list(TRANSIENT_CLASSES), "class_weights": PLASTICC_CLASS_WEIGHTS,
            "n_train": int((~is_test).sum()), "n_test": int(is_test.sum()),
            "metric": "PLAsTiCC weighted log-loss (lower is better)",
            "submission": "object_id (integers) plus one probability column per class name; "
                          f"rows sum to 1 within {_SUM_TOLERANCE:g}",
            "blind": blind,
            "kind": ("blind: the truth comes from a secret seed that is not in these files" if blind else
                     "demo: made with an explicit seed for a reproducible example; whoever knows or guesses the "
                     "seed can regenerate the truth, so this is not a blind test"),
            "rules": {"public_fraction": public_fraction, "public_decimals": 3, "daily_limit": daily_limit,
                      "max_submission_bytes": _max_bytes(int(is_test.sum()), n_classes),
                      "final_ranking": "private part only; the public leaderboard uses the public part only"},
            "baselines": {"uniform (1/M for every class)": float(np.log(n_classes)),
                          "class weights for every object (the baseline to beat)":
                              round(float(-np.sum(prior * np.log(prior))), 6)}}
    _write_text(paths.info, json.dumps(info, indent=2) + "\n")
    _write_text(paths.readme, _readme(info))
    _write_csv(truth, paths.truth)
    secret = {"seed": seed, "seed_hex": f"{seed:#x}", "blind": blind, "n_objects": int(n_objects),
              "test_fraction": float(test_fraction), "ddf_fraction": float(ddf_fraction),
              "public_fraction": public_fraction, "daily_limit": daily_limit, "astrolab_version": __version__,
              "note": "Keep this file (and this folder) from the students: the seed regenerates the truth with "
                      "make_challenge(directory, seed=seed, ...) and the same astrolab version."}
    _write_text(paths.secret, json.dumps(secret, indent=2) + "\n")
    return paths


def _max_bytes(n_objects: int, n_classes: int) -> int:
    """The default size limit of a submission of ``n_objects`` rows and ``n_classes`` class columns."""
    return _SIZE_HEADER + n_objects * (_SIZE_PER_ROW + _SIZE_PER_CELL * n_classes)


def _describe_row(frame, i):
    value = frame["object_id"].iloc[i]
    value = value.item() if hasattr(value, "item") else value
    return f"row {i} (object_id {value!r}; line {i + 2} of the CSV)"


def _read_limited(submission, max_bytes):
    """A submission given as a path, bytes or a binary/text file object, read into a DataFrame -- after
    checking its size against ``max_bytes``, before any parsing."""
    import pandas as pd

    def too_big(size, what):
        size = f"{size:,}" if isinstance(size, int) else size
        return ValueError(f"submission {what} is {size} bytes, above the limit of {max_bytes:,} bytes for this "
                          "test set; submit one row per test object and one column per class, nothing else")

    if isinstance(submission, (str, os.PathLike)):
        path = Path(submission)
        if not path.is_file():
            raise ValueError(f"submission file {str(path)!r} does not exist")
        size = path.stat().st_size
        if size > max_bytes:
            raise too_big(size, f"file {str(path)!r}")
        with open(path, "rb") as handle:
            content, what = handle.read(max_bytes + 1), f"file {str(path)!r}"
    elif isinstance(submission, (bytes, bytearray, memoryview)):
        content, what = bytes(submission), "content"
    elif hasattr(submission, "read"):                       # an open file or an upload stream
        content, what = submission.read(max_bytes + 1), "stream"
        if isinstance(content, str):
            content = content.encode("utf-8")
        if not isinstance(content, bytes):
            raise ValueError(f"submission stream must give bytes or text, got {type(content).__name__}")
    else:
        return submission
    if len(content) > max_bytes:                            # a file that grew, bytes, or a stream: read no further
        raise too_big(len(content) if what == "content" else f"more than {max_bytes:,}", what)
    try:
        return pd.read_csv(io.BytesIO(content))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise ValueError(f"submission {what} is not a readable CSV: {err}") from None


def _integer_ids(ids):
    """The ``object_id`` column as int64, refusing (and naming the row of) any value that is not an integer."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(ids):
        raise ValueError("submission column 'object_id' must hold integer ids, got True/False values")
    if pd.api.types.is_integer_dtype(ids):
        return ids.astype(np.int64)
    numbers = pd.to_numeric(ids, errors="coerce")
    values = numbers.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 2.0**63))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        value = ids.iloc[i]
        value = value.item() if isinstance(value, np.generic) else value
        raise ValueError(f"submission row {i} (line {i + 2} of the CSV): object_id {value!r} is not an "
                         f"integer id ({int(bad.sum())} such rows in all)")
    return pd.Series(values.astype(np.int64), index=ids.index, name=ids.name)


def validate_submission(submission, object_ids, class_names, *, max_bytes=None):
    r"""Check a submission and return its probabilities in the order of ``object_ids``.

    The checks never look at the truth, so an error message says what is wrong with the file, never
    which labels are right.

    Parameters
    ----------
    submission : pandas.DataFrame, str, path-like, bytes or file object
        A table (or a CSV file, its bytes, or an open file) with an ``object_id`` column and one column
        per class name.
    object_ids : array-like
        The ids that must be predicted, each exactly once.
    class_names : sequence of str
        The class columns required, no more, no less (any order).
    max_bytes : int, optional
        Size limit of a CSV (file, bytes or stream), checked before anything is parsed. Default
        ``4096 + len(object_ids) * (32 + 40 * len(class_names))`` bytes, about twice what a submission
        written at full float precision takes. A table may have at most ``2 len(object_ids) + 1000``
        rows and ``len(class_names) + 20`` columns.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``object_id`` in the order of ``object_ids``, columns in the order of
        ``class_names``, float values.

    Raises
    ------
    ValueError
        Naming the offending row (0-based, with its object id and CSV line) or column: a file above the
        size limit, a missing ``object_id`` column, missing or unexpected class columns, an id that is
        not an integer (when the ids are integers; ``1197.5`` is refused, not truncated), a non-numeric
        value, NaN or infinite values, negative values or values above 1, duplicated, missing or
        unknown ids, or a row whose probabilities do not sum to 1 within 1e-3 (we do not renormalise: a
        row that does not sum to one is usually a bug in the submitter's code).

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
    >>> validate_submission(b"object_id,a,b\n1,0.5,0.5\n2.5,0.5,0.5\n", [1, 2], ["a", "b"])
    Traceback (most recent call last):
    ...
    ValueError: submission row 1 (line 3 of the CSV): object_id 2.5 is not an integer id (1 such rows in all)
    """
    import pandas as pd

    from astrolab._validation import check_int, check_sequence

    object_ids = check_sequence("object_ids", object_ids, min_len=1)
    class_names = [str(c) for c in check_sequence("class_names", class_names, min_len=1)]
    if max_bytes is None:
        max_bytes = _max_bytes(len(object_ids), len(class_names))
    max_bytes = check_int("max_bytes", max_bytes, min=1)
    submission = _read_limited(submission, max_bytes)
    if not isinstance(submission, pd.DataFrame):
        raise ValueError(f"submission must be a pandas DataFrame, a CSV path, CSV bytes or an open CSV file, "
                         f"got {type(submission).__name__}")
    max_rows = _ROWS_FACTOR * len(object_ids) + _ROWS_SLACK
    if len(submission) > max_rows or submission.shape[1] > len(class_names) + 20:
        raise ValueError(f"submission has {len(submission)} rows and {submission.shape[1]} columns; the test set "
                         f"has {len(object_ids)} objects and {len(class_names)} classes (limits: {max_rows} rows, "
                         f"{len(class_names) + 20} columns)")
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
    if pd.api.types.is_integer_dtype(expected.dtype):
        ids = _integer_ids(ids)
        expected = expected.astype(np.int64)
    else:
        try:
            ids = ids.astype(expected.dtype)
        except (TypeError, ValueError):
            raise ValueError(f"submission column 'object_id' must hold ids like {expected[:3].tolist()}, "
                             f"got values such as {ids.iloc[:3].tolist()}") from None
    sub["object_id"] = ids
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


def weight_prior_submission(object_ids, class_names=None, class_weights=None):
    """The best submission made without any data: the class weights, normalised, for every object.

    Under the weighted log-loss a constant prediction ``p`` scores ``-sum_i w_i ln p_i / sum_i w_i``
    (when every class is present), which is smallest for ``p_i = w_i / sum w`` (Gibbs' inequality):
    with the PLAsTiCC weights it beats the uniform guess (2.254 against ln 10 = 2.303), so this, not the
    uniform sample submission, is the no-skill baseline to beat.

    Parameters
    ----------
    object_ids : array-like
        The test set's ids.
    class_names : sequence of str, optional
        Default :data:`astrolab.datasets.TRANSIENT_CLASSES`.
    class_weights : dict, optional
        Default :data:`PLASTICC_CLASS_WEIGHTS`.

    Examples
    --------
    >>> sub = weight_prior_submission([7, 8])
    >>> round(float(sub.loc[0, "KN"] / sub.loc[0, "SNIa"]), 6)
    2.0
    """
    from astrolab._validation import check_sequence
    from astrolab.datasets._transients import TRANSIENT_CLASSES

    class_names = check_sequence("class_names", TRANSIENT_CLASSES if class_names is None else class_names, min_len=1)
    prior = weight_prior(class_names, PLASTICC_CLASS_WEIGHTS if class_weights is None else class_weights)
    ids = np.asarray(check_sequence("object_ids", object_ids))
    return make_submission(ids, np.broadcast_to(prior, (ids.size, prior.size)), class_names)


def _read_truth(truth):
    import pandas as pd

    if isinstance(truth, (str, os.PathLike)):
        path = Path(truth)
        if path.is_dir():
            for candidate in (path / "truth" / "test_set_truth.csv", path / "test_set_truth.csv"):
                if candidate.is_file():
                    path = candidate
                    break
            else:
                path = path / "truth" / "test_set_truth.csv"
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


def _select_part(frame, part):
    from astrolab._validation import check_options

    part = check_options("part", part, ("all", "public", "private"))
    if part == "all":
        return frame
    if "split" not in frame.columns:
        raise ValueError(f"part={part!r} needs a truth table with a 'split' column (public/private), as "
                         "make_challenge writes; this one has only the columns " f"{list(frame.columns)}")
    chosen = frame["split"].astype(str).to_numpy() == part
    if not chosen.any():
        raise ValueError(f"the truth has no {part} objects")
    return frame[chosen]


def score(submission, truth, *, class_names=None, class_weights=None, part: str = "all", max_bytes=None) -> float:
    """Validate a submission and return its PLAsTiCC weighted log-loss on the blind test set.

    This is the instructor's function (it needs the truth) and reports the exact score; a class's
    competition runs through :class:`astrolab.challenge.BlindChallenge`, which rounds, limits and
    keeps the private part private.

    Parameters
    ----------
    submission : str, path-like, bytes, file object or pandas.DataFrame
        The submission (see :func:`validate_submission`): every object of the test set, whatever ``part``.
    truth : str, path-like or pandas.DataFrame
        ``truth/test_set_truth.csv`` of :func:`make_challenge` (or the challenge folder, its ``truth/``
        folder, or that table). It is only read: files are opened read-only and tables are copied.
    class_names : sequence of str, optional
        Default :data:`astrolab.datasets.TRANSIENT_CLASSES`.
    class_weights : dict, optional
        Default :data:`PLASTICC_CLASS_WEIGHTS` (KN and TDE 2, others 1).
    part : {"all", "public", "private"}, default "all"
        Score the whole blind set, or only its public or private part (the truth's ``split`` column).
    max_bytes : int, optional
        Size limit of a CSV submission (see :func:`validate_submission`).

    Returns
    -------
    float
        Lower is better; a uniform submission scores ``ln 10 = 2.303``, the class weights for every
        object (:func:`weight_prior_submission`) 2.254.

    Examples
    --------
    >>> import tempfile
    >>> kit = make_challenge(tempfile.mkdtemp(), seed=1, n_objects=40)
    >>> round(score(kit.sample_submission, kit.truth), 4)
    2.3026
    >>> round(score(kit.sample_submission, kit.truth, part="private"), 4)
    2.3026
    """
    from astrolab.datasets._transients import TRANSIENT_CLASSES

    class_names = list(TRANSIENT_CLASSES if class_names is None else class_names)
    weights = PLASTICC_CLASS_WEIGHTS if class_weights is None else class_weights
    frame = _read_truth(truth)
    proba = validate_submission(submission, frame["object_id"].to_numpy(), class_names, max_bytes=max_bytes)
    frame = _select_part(frame, part)
    proba = proba.loc[frame["object_id"].to_numpy()]
    return weighted_log_loss(frame["class_name"].astype(str).to_numpy(), proba.to_numpy(), labels=class_names,
                             class_weights=weights)


#: A CSV cell that starts with one of these is read as a formula by spreadsheets (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape_cell(value: str) -> str:
    """OWASP's rule against CSV (formula) injection: a leading single quote before a cell that starts with
    ``= + - @``, a tab or a carriage return; also before one that starts with a quote, so that
    :func:`_unescape_cell` gives every string back verbatim."""
    return "'" + value if value.startswith((*_FORMULA_START, "'")) else value


def _unescape_cell(value: str) -> str:
    return value[1:] if value.startswith("'") else value


class Leaderboard:
    """Scores of the teams of a challenge, ranked lower-is-better.

    :meth:`submit` scores exactly, on the whole blind set, as often as asked: the organiser's tool for a
    demonstration. A class's competition goes through :class:`astrolab.challenge.BlindChallenge`
    (public and private parts, rounded public scores, a daily limit), whose public board is a
    ``Leaderboard``.

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
        """Write every entry (not only the best) to a CSV, atomically.

        Text cells that a spreadsheet would run as a formula (starting with ``= + - @``, a tab or a
        carriage return: a team called ``=HYPERLINK(...)``) get a leading single quote, OWASP's rule;
        :meth:`from_csv` removes it again."""
        import pandas as pd

        path = Path(path)
        frame = pd.DataFrame(self.entries, columns=list(self._COLUMNS))
        for column in ("name", "submitted", "note"):        # no cell a spreadsheet would run as a formula
            frame[column] = frame[column].astype(str).map(_escape_cell)
        # every text cell in quotes: a carriage return inside a name would otherwise break the row
        _write_text(path, frame.to_csv(index=False, float_format="%.10g", quoting=csv.QUOTE_NONNUMERIC))
        return path

    @classmethod
    def from_csv(cls, path, *, title: str = "Leaderboard") -> Leaderboard:
        """Read a leaderboard written by :meth:`to_csv` (its escaped cells come back verbatim)."""
        import pandas as pd

        frame = pd.read_csv(path, dtype={"name": str, "submitted": str, "note": str}, keep_default_na=False)
        for column in ("name", "submitted", "note"):
            if column in frame.columns:
                frame[column] = frame[column].map(_unescape_cell)
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
