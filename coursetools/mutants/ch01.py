"""Mutants of chapter 1's notebooks; see :mod:`coursetools.mutants`."""

from coursetools.mutants import Mutant

MUTANTS: list[Mutant] = [
    Mutant("01-01", "ln-for-log10",
           "the doubling time is ln 2 / slope for a slope fitted to log10 volumes (it must be log10 2 / slope): "
           "2.3 times too long, 4.7 yr",
           replace=[("doubling_time = np.log10(2) / slope * u.yr", "doubling_time = np.log(2) / slope * u.yr")]),
    Mutant("01-01", "unscaled-covariance",
           "the slope error is taken from polyfit's unscaled covariance, which assumes each survey's log volume "
           "is known to 1 dex instead of using the scatter about the line (1.2 dex)",
           replace=[("np.polyfit(year - 2000, log_volume, 1, cov=True)",
                     "np.polyfit(year - 2000, log_volume, 1, cov=\"unscaled\")")]),
    Mutant("01-01", "rate-units-stripped",
           "the data rate strips the units and divides TB by years, then labels the result GB/day "
           "(2.7 times too large)",
           replace=[("(facts[\"data_volume\"] / duration).to(u.GB / u.day)",
                     "facts[\"data_volume\"].value / duration.value * u.GB / u.day")]),
]
