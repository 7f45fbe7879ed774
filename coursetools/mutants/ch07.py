"""Mutants of chapter 7's notebooks; see :mod:`coursetools.mutants`."""

from coursetools.mutants import Mutant

# the line of 07-03 that simulates the ZTF-like training mock
_ZTF_MOCK_LINE = ('ztf = al.datasets.make_transients(N_OBJECTS, survey="ztf", error_model=sim_errors, '
                  'cadence_model=cadence,\n                                 sn_ia_sed=SN_IA_SED, seed=SEED)')

MUTANTS: list[Mutant] = [
    Mutant("07-02", "unstratified-subsets",
           "the training subsets are drawn without stratification, so small ones often lack a rare class "
           "and the weighted log-loss of those models explodes",
           replace=[("train_size=int(n), stratify=y_pool,", "train_size=int(n), stratify=None,")]),
    Mutant("07-02", "test-in-pool",
           "the test objects are left in the pool the training sets are drawn from (leakage): large training "
           "sets contain most of the test set",
           replace=[("                                                  random_state=SEED)\n",
                     "                                                  random_state=SEED)\n"
                     "X_pool, y_pool = X, labels\n")]),
    Mutant("07-01", "shuffled-labels",
           "the training labels are attached to the feature rows in the wrong order (in effect shuffled), so "
           "the booster learns noise",
           replace=[('y_train = train_meta.set_index("object_id").loc[X_train.index, "class_name"].to_numpy()',
                     'y_train = rng.permutation(train_meta.set_index("object_id").loc[X_train.index, '
                     '"class_name"].to_numpy())')]),
    Mutant("07-01", "private-is-public",
           "the private leaderboard is scored on the same half of the test set as the public one, so the public "
           "winner looks just as good in private",
           replace=[("for half, rows in enumerate((public, ~public)):",
                     "for half, rows in enumerate((public, public)):")]),
    Mutant("07-01", "ood-fitted-on-new-data",
           "the out-of-distribution score is fitted on the training features and the new survey's together, so "
           "the new data define what is normal and nothing looks unusual",
           replace=[("ood = al.challenge.OODScore().fit(X_train)",
                     "ood = al.challenge.OODScore().fit(pd.concat([X_train, X_real]))")]),
    Mutant("07-03", "retrained-on-lsst",
           "the 'ZTF-like' training mock is simulated with the LSST survey settings, so the retrained model "
           "meets the same shift as the original one",
           replace=[(_ZTF_MOCK_LINE,
                     'ztf = al.datasets.make_transients(N_OBJECTS, survey="lsst", seed=SEED)')]),
    Mutant("07-03", "error-model-not-used",
           "the measured error model is fitted but not given to the ZTF-like mock, whose points keep the "
           "sky-limited noise of the published depth (S/N about four times the real one)",
           replace=[(_ZTF_MOCK_LINE,
                     'ztf = al.datasets.make_transients(N_OBJECTS, survey="ztf", cadence_model=cadence, '
                     'sn_ia_sed=SN_IA_SED, seed=SEED)')]),
    Mutant("07-03", "cadence-model-not-used",
           "the measured cadence is fitted but not given to the ZTF-like mock, which keeps the published cadence "
           "(a g and an r exposure every two or three nights: half again as many detection nights as the real SNe Ia)",
           replace=[(_ZTF_MOCK_LINE,
                     'ztf = al.datasets.make_transients(N_OBJECTS, survey="ztf", error_model=sim_errors, '
                     'sn_ia_sed=SN_IA_SED, seed=SEED)')]),
    Mutant("07-03", "sn-ia-black-body",
           "the ZTF-like training mock's SNe Ia keep the cooling black body of the LSST mock instead of the BayeSN "
           "spectra of observed SNe Ia (no r-band shoulder, a rise that is too slow)",
           replace=[("                                 sn_ia_sed=SN_IA_SED, seed=SEED)",
                     "                                 sn_ia_sed=\"blackbody\", seed=SEED)")]),
    Mutant("07-03", "one-cadence",
           "the cadence is measured as one law for the whole survey, so every mock object gets the same mix of "
           "short and long gaps and no light curve is as sparse as the survey's sparsest",
           replace=[("cadence = al.challenge.fit_cadence_model(cal, n_components=CADENCES)",
                     "cadence = al.challenge.fit_cadence_model(cal, n_components=1)")]),
    Mutant("07-03", "calibration-objects-in-test",
           "the test half is the whole new sample, so the objects the error model was measured on are "
           "also tested on",
           replace=[("X_new = X_real.drop(index=calibration)", "X_new = X_real")]),
    Mutant("07-03", "scored-on-training-half",
           "the ZTF-like model is scored on its own training half instead of the held-out half, so its "
           "weighted log-loss looks far better than it is",
           replace=[("    loss_ztf = weighted_log_loss(y_ztf_test, proba(model_ztf, X_ztf_test),",
                     "    loss_ztf = weighted_log_loss(y_ztf_train, proba(model_ztf, X_ztf_train),")]),
]
