"""Running a class's blind challenge: a public leaderboard, a private final ranking, a daily limit.

The leaderboard attack: a team that may submit without limit and read an exact score can perturb one
object per submission and read its label off the change of the score (60 of 60 labels in 60
submissions against :func:`astrolab.challenge.score`). :class:`BlindChallenge` answers it as Kaggle
does. The public leaderboard is computed on a fixed public part of the blind set (which objects is
not told) and rounded; the final ranking uses only the private rest, which no submission ever
reports on; a team may submit a few times per UTC day; and nothing but one rounded public number
comes back (a refused submission is refused for its format, checked without the truth). Whatever a
team learns about the public labels is worth nothing in the final ranking.
"""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

from astrolab.challenge._kit import (
    Leaderboard,
    _escape_cell,
    _read_truth,
    _unescape_cell,
    _write_text,
    validate_submission,
    weight_prior_submission,
)
from astrolab.challenge._metric import PLASTICC_CLASS_WEIGHTS, weighted_log_loss

__all__ = ["BlindChallenge", "SubmissionLimitError"]

BASELINE_NAME = "baseline: class weights for every object"


class SubmissionLimitError(ValueError):
    """A team has used its submissions of the day."""


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class BlindChallenge:
    """The organiser's side of a blind challenge made by :func:`astrolab.challenge.make_challenge`.

    Parameters
    ----------
    truth : str, path-like or pandas.DataFrame
        The challenge folder, its ``truth/`` folder, ``truth/test_set_truth.csv`` or that table: it
        must have the ``split`` column (``public``/``private``).
    daily_limit : int, optional
        Scored submissions per team and UTC day. Default: the ``daily_limit`` of the kit's
        ``truth/secret.json``, or 5.
    decimals : int, default 3
        The public score is reported rounded to this many decimals.
    clock : callable, optional
        Returns the current time as an aware :class:`datetime.datetime` (default: UTC now); tests pass
        their own.
    class_names, class_weights : optional
        Default :data:`astrolab.datasets.TRANSIENT_CLASSES` and :data:`PLASTICC_CLASS_WEIGHTS`.
    max_bytes : int, optional
        Size limit of a CSV submission (see :func:`astrolab.challenge.validate_submission`).

    Examples
    --------
    >>> import tempfile, datetime
    >>> from astrolab.challenge import make_challenge
    >>> kit = make_challenge(tempfile.mkdtemp(), n_objects=40)           # a secret seed
    >>> day = datetime.datetime(2026, 12, 5, 9, tzinfo=datetime.timezone.utc)
    >>> game = BlindChallenge(kit.directory, daily_limit=2, clock=lambda: day)
    >>> game.submit("owls", kit.sample_submission)
    2.303
    >>> game.remaining("owls")
    1
    >>> list(game.public_leaderboard().ranking()["name"])[:1]
    ['baseline: class weights for every object']
    """

    def __init__(self, truth, *, daily_limit=None, decimals: int = 3, clock=None, class_names=None,
                 class_weights=None, max_bytes=None):
        from astrolab._validation import check_int
        from astrolab.datasets._transients import TRANSIENT_CLASSES

        self._truth = _read_truth(truth)
        if "split" not in self._truth.columns:
            raise ValueError("truth must have a 'split' column (public/private), as make_challenge writes; it has "
                             f"{list(self._truth.columns)}")
        split = self._truth["split"].astype(str)
        if not set(split) <= {"public", "private"} or not (split == "public").any() or not (split == "private").any():
            raise ValueError(f"truth column 'split' must hold 'public' and 'private', got {sorted(set(split))}")
        if daily_limit is None:
            daily_limit = self._kit_setting(truth, "daily_limit", 5)
        self.daily_limit = check_int("daily_limit", daily_limit, min=1)
        self.decimals = check_int("decimals", decimals, min=0, max=15)
        if clock is not None and not callable(clock):
            raise ValueError(f"clock must be a callable returning a datetime, got {type(clock).__name__}")
        self.clock = _utc_now if clock is None else clock
        self.class_names = list(TRANSIENT_CLASSES if class_names is None else class_names)
        self.class_weights = PLASTICC_CLASS_WEIGHTS if class_weights is None else class_weights
        self.max_bytes = max_bytes
        self._ids = self._truth["object_id"].to_numpy()
        self._public = split.to_numpy() == "public"
        self.entries: list[dict] = []
        baseline = self._scores(validate_submission(weight_prior_submission(self._ids, self.class_names,
                                                                            self.class_weights),
                                                    self._ids, self.class_names))
        self.baseline = {"public": baseline[0], "private": baseline[1]}

    @staticmethod
    def _kit_setting(truth, key, default):
        import json

        if isinstance(truth, (str, Path)) or hasattr(truth, "__fspath__"):
            path = Path(truth)
            for candidate in (path / "truth" / "secret.json", path / "secret.json", path.parent / "secret.json"):
                if candidate.is_file():
                    return json.loads(candidate.read_text()).get(key, default)
        return default

    def _now(self) -> datetime.datetime:
        now = self.clock()
        if not isinstance(now, datetime.datetime):
            raise ValueError(f"clock must return a datetime, got {type(now).__name__}")
        if now.tzinfo is None:
            now = now.replace(tzinfo=datetime.timezone.utc)
        return now.astimezone(datetime.timezone.utc)

    def _scores(self, proba):
        """(public, private) weighted log-loss of validated probabilities."""
        labels = self._truth["class_name"].astype(str).to_numpy()
        out = []
        for rows in (self._public, ~self._public):
            out.append(weighted_log_loss(labels[rows], proba.to_numpy()[rows], labels=self.class_names,
                                         class_weights=self.class_weights))
        return tuple(out)

    def _used_today(self, team, now) -> int:
        day = now.date()
        return sum(1 for e in self.entries if e["team"] == team
                   and datetime.datetime.fromisoformat(e["submitted"]).astimezone(datetime.timezone.utc).date() == day)

    def remaining(self, team: str) -> int:
        """Scored submissions ``team`` may still make today (UTC)."""
        return max(self.daily_limit - self._used_today(str(team).strip(), self._now()), 0)

    def submit(self, team: str, submission, *, note: str = "") -> float:
        """Score a team's submission; return its public score, rounded to ``decimals``.

        Raises :class:`SubmissionLimitError` (a ValueError) when the team has used its ``daily_limit``
        submissions of the UTC day, and ValueError for a malformed submission (which does not count
        against the limit: the format is checked without the truth, so the message cannot tell any
        label). Nothing about single objects, and nothing about the private part, is ever returned.
        """
        team = str(team).strip()
        if not team:
            raise ValueError("team must be a non-empty team name")
        now = self._now()
        if self._used_today(team, now) >= self.daily_limit:
            tomorrow = datetime.datetime.combine(now.date() + datetime.timedelta(days=1), datetime.time(),
                                                 tzinfo=datetime.timezone.utc)
            raise SubmissionLimitError(f"team {team!r} has made its {self.daily_limit} submissions of {now.date()} "
                                       f"(UTC); the next is accepted from {tomorrow.isoformat()}")
        proba = validate_submission(submission, self._ids, self.class_names, max_bytes=self.max_bytes)
        public, private = self._scores(proba)
        self.entries.append({"team": team, "submitted": now.isoformat(timespec="seconds"),
                             "public": public, "private": private, "note": str(note)})
        return round(public, self.decimals)

    def public_leaderboard(self, *, baseline: bool = True) -> Leaderboard:
        """The public leaderboard: every submission's rounded public score (ranking shows each team's best),
        with the class-weight baseline (the best no-data guess) as the score to beat."""
        board = Leaderboard(title="Public leaderboard (public part of the blind set)")
        if baseline:
            board.add(BASELINE_NAME, round(self.baseline["public"], self.decimals), submitted="",
                      note="no data: the class weights for every object")
        for e in self.entries:
            board.add(e["team"], round(e["public"], self.decimals), submitted=e["submitted"], note=e["note"])
        return board

    def final_ranking(self, *, baseline: bool = True):
        """The final standings, on the private part only: each team is ranked by the private score of its
        best public submission (its choice made without seeing any private score). A DataFrame with
        ``rank, name, private, public, submissions``."""
        import pandas as pd

        rows = []
        for team in dict.fromkeys(e["team"] for e in self.entries):
            mine = [e for e in self.entries if e["team"] == team]
            chosen = min(mine, key=lambda e: (round(e["public"], self.decimals), e["submitted"]))
            rows.append({"name": team, "private": chosen["private"], "public": round(chosen["public"], self.decimals),
                         "submissions": len(mine)})
        if baseline:
            rows.append({"name": BASELINE_NAME, "private": self.baseline["private"],
                         "public": round(self.baseline["public"], self.decimals), "submissions": 0})
        frame = pd.DataFrame(rows, columns=["name", "private", "public", "submissions"])
        frame = frame.sort_values("private", kind="stable").reset_index(drop=True)
        frame.insert(0, "rank", frame["private"].rank(method="min").astype(int) if len(frame) else [])
        return frame

    def to_csv(self, path) -> Path:
        """Save the submission log (team, time, exact public and private scores, note; the instructor's
        file), atomically, with every text cell escaped against formula injection."""
        import pandas as pd

        path = Path(path)
        frame = pd.DataFrame(self.entries, columns=["team", "submitted", "public", "private", "note"])
        for column in ("team", "submitted", "note"):
            frame[column] = frame[column].astype(str).map(_escape_cell)
        _write_text(path, frame.to_csv(index=False, float_format="%.17g", quoting=csv.QUOTE_NONNUMERIC))
        return path

    def load_csv(self, path) -> BlindChallenge:
        """Append the submissions of a log written by :meth:`to_csv` (to go on after a restart)."""
        import pandas as pd

        frame = pd.read_csv(path, dtype={"team": str, "submitted": str, "note": str}, keep_default_na=False)
        missing = [c for c in ("team", "submitted", "public", "private") if c not in frame.columns]
        if missing:
            raise ValueError(f"submission log {str(path)!r} lacks the columns {missing}")
        for row in frame.itertuples(index=False):
            self.entries.append({"team": _unescape_cell(row.team), "submitted": _unescape_cell(row.submitted),
                                 "public": float(row.public), "private": float(row.private),
                                 "note": _unescape_cell(getattr(row, "note", ""))})
        return self

    def __repr__(self):
        teams = len({e["team"] for e in self.entries})
        return (f"BlindChallenge({self._public.sum()} public and {(~self._public).sum()} private objects, "
                f"{len(self.entries)} submissions from {teams} teams, daily_limit={self.daily_limit})")
