"""Mutants of chapter 2's notebooks; see :mod:`coursetools.mutants`."""

from coursetools.mutants import Mutant

MUTANTS: list[Mutant] = [
    Mutant("02-01", "denoise-against-data",
           "the reconstruction is scored against the noisy data instead of the noiseless truth, so the "
           "error falls forever and the 'best' number of components is the largest",
           replace=[("reference=stars.noiseless", "reference=stars.flux")]),
    Mutant("02-01", "noise-from-sqrt-snr",
           "the noise per pixel is taken as 1/sqrt(SNR) (as if SNR were a variance ratio), not 1/SNR",
           replace=[("noise = 1 / SNR", "noise = 1 / np.sqrt(SNR)")]),
    Mutant("02-01", "natural-log-teff",
           "the regression target is ln Teff, reported as dex (log10): the scatter is 2.3x too large",
           replace=[("y = np.log10(teff)", "y = np.log(teff)")]),
]
MUTANTS += [
    Mutant("02-02", "narrow-neighbourhood",
           "the batch map's neighbourhood starts at half a node instead of half the map, so it never "
           "unfolds: a k-means with a grid drawn on it (the pitfall 'too fast a decay')",
           replace=[('algorithm="batch",', 'algorithm="batch", sigma=(0.5, 0.5),')]),
    Mutant("02-02", "labels-misaligned",
           "the true temperatures are sorted while the spectra are not (a table sorted on one column "
           "only), so the labels no longer belong to the stars",
           replace=[('teff = stars.truth["teff"].to_value(u.K)', 'teff = np.sort(stars.truth["teff"].to_value(u.K))')]),
    Mutant("02-02", "cell-scatter-over-whole-sample",
           "the redshift scatter 'within' each SOM cell is computed over the whole training sample (the "
           "cell's own galaxies are never selected), so every cell looks as uncertain as no map at all",
           replace=[("        sd_cell[j] = robust_sd(z_j)", "        sd_cell[j] = robust_sd(z_train)")]),
]
MUTANTS += [
    Mutant("02-03", "unscaled-features",
           "the PCA scores are used without scaling to unit variance, so temperature (95 % of the "
           "variance) drowns gravity and metallicity in every distance",
           replace=[("features = scores / scores.std(axis=0)", "features = scores")]),
    Mutant("02-03", "stale-neighbour-table",
           "UMAP is handed the neighbour table of the spectra for every data set (a precomputed "
           "table reused for the wrong data)",
           replace=[("methods(neighbours[data_name]).items()", 'methods(neighbours["spectra"]).items()')]),
]
MUTANTS += [
    Mutant("02-03", "trust-against-itself",
           "each embedding's trustworthiness is computed against the embedding instead of the input "
           "space, so every method scores a perfect 1",
           replace=[("trust[data_name, name] = trustworthiness(X, embeddings[data_name, name], n_neighbors=10)",
                     "trust[data_name, name] = trustworthiness(embeddings[data_name, name], "
                     "embeddings[data_name, name], n_neighbors=10)")]),
]
MUTANTS += [
    Mutant("02-02", "shuffled-embedding",
           "the training galaxies' UMAP positions are shuffled (rows no longer in the catalogue's order, "
           "as after sorting one array only), so a held-out galaxy's neighbours in the plane are random "
           "galaxies and its redshift is a guess",
           replace=[("E_train, E_test = embedding[:n_train], embedding[n_train:]",
                     "E_train, E_test = rng.permutation(embedding[:n_train]), embedding[n_train:]")]),
]
