"""Mutants of chapter 6 (second part)'s notebooks; see :mod:`coursetools.mutants`."""

from coursetools.mutants import Mutant

MUTANTS: list[Mutant] = [
    # 06-07: uncertainty
    Mutant("06-07", "drop-aleatoric-term",
           "MC dropout's predictive sigma leaves out the noise head's aleatoric variance (only the spread "
           "of the means over dropout masks), so it is compared unlike with the ensemble's total sigma",
           replace=[("return mean, np.sqrt(aleatoric ** 2 + epistemic ** 2), aleatoric, epistemic",
                     "return mean, epistemic, aleatoric, epistemic")]),
    Mutant("06-07", "aleatoric-in-standard-units",
           "the noise head's sigma is left in standardised units (not multiplied by the [Fe/H] scale), "
           "so MC dropout's intervals are about 2.5 times too wide",
           replace=[("aleatoric = np.sqrt(var_t.mean(axis=0)) * y_std",
                     "aleatoric = np.sqrt(var_t.mean(axis=0))")]),
    Mutant("06-07", "ensemble-without-noise-heads",
           "the ensemble members are trained with the squared error (no noise head), so its sigma is "
           "the disagreement between members only",
           replace=[("al.nn.DeepEnsembleRegressor(n_members=N_MEMBERS,",
                     "al.nn.DeepEnsembleRegressor(heteroscedastic=False, n_members=N_MEMBERS,")]),
]
