"""Mutants of chapter 6 (second part)'s notebooks; see :mod:`coursetools.mutants`."""

from coursetools.mutants import Mutant

MUTANTS: list[Mutant] = [
    # 06-05: the three-body emulator
    Mutant("06-05", "lyapunov-log10",
           "the divergence is fitted in log10 instead of the natural log, so the e-folding time comes out "
           "ln 10 = 2.3 times too long",
           replace=[("median_log = np.median(np.log(separation), axis=0)",
                     "median_log = np.median(np.log10(separation), axis=0)")]),
    Mutant("06-05", "third-body-sign-flip",
           "particle 3 is placed at +(x1 + x2) instead of -(x1 + x2): the centre-of-mass condition with "
           "a flipped sign",
           replace=[("return np.concatenate([out, -(out[:, :, :1] + out[:, :, 1:])], axis=2)",
                     "return np.concatenate([out, (out[:, :, :1] + out[:, :, 1:])], axis=2)")]),
    Mutant("06-05", "velocity-without-chain-rule",
           "the emulator's velocities are derivatives with respect to t / T_MAX, not t (the chain-rule "
           "factor 1 / T_MAX is missing), so its kinetic energy is 15 times too large",
           replace=[("for c in range(4)], dim=1) / T_MAX  # d/dt = d/d(t / T_MAX) / T_MAX",
                     "for c in range(4)], dim=1)  # d/dt = d/d(t / T_MAX) / T_MAX")]),
    # 06-06: domain shift, shortcuts, relevance and gradients
    Mutant("06-06", "test-on-the-training-domain",
           "the 'observed' residuals are computed on the synthetic test spectra (the domain the network "
           "was trained on), so the domain shift is never measured",
           replace=[('"observed": predict_feh(test_observed) - feh_test',
                     '"observed": predict_feh(test_synthetic) - feh_test')]),
    Mutant("06-06", "gradient-times-input-as-saliency",
           "the 'gradient' map is gradient x input (LRP-0), not the Jacobian: it repeats the LRP map and "
           "its first-order prediction of the bias is wrong",
           replace=[("al.nn.saliency(feh_net, spectra_input(test_synthetic))",
                     "al.nn.saliency(feh_net, spectra_input(test_synthetic), times_input=True)")]),
    Mutant("06-06", "jacobian-sign-flip",
           "the change of the spectra is taken the wrong way round (synthetic minus shifted) in the "
           "Jacobian's first-order prediction",
           replace=[("delta = spectra_input(shifted) - spectra_input(test_synthetic)",
                     "delta = spectra_input(test_synthetic) - spectra_input(shifted)")]),
    Mutant("06-06", "broken-test-keeps-the-correlation",
           "the 'new programme' test set is drawn with the training programme's observer-class "
           "correlation, so the shortcut is never exposed",
           replace=[("obs_broken = observers(rich_test, 0.5)", "obs_broken = observers(rich_test, P_SHORTCUT)")]),
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
