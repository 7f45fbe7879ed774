"""Mutants of chapter 6's notebooks; see :mod:`coursetools.mutants`."""

from coursetools.mutants import Mutant

MUTANTS: list[Mutant] = [
    # --- 06-01 a network is a function -------------------------------------------------------
    Mutant("06-01", "tanh-derivative-dropped",
           "backpropagation omits the activation derivative tanh' = 1 - tanh^2 (delta is passed down "
           "through the weights only), so the gradients are wrong",
           prelude="import numpy as np\nimport astrolab.nn._numpy_mlp as _mlp\n"
                   "_mlp._ACTIVATIONS['tanh'] = (np.tanh, lambda a: np.ones_like(a))\n"),
    Mutant("06-01", "torch-loss-not-halved",
           "the torch loss is the full mean squared error while the numpy network minimises half of it: "
           "the 'same' gradients differ by a factor 2",
           replace=[("loss_torch = 0.5 * torch.mean(", "loss_torch = torch.mean(")]),
    Mutant("06-01", "labels-shuffled",
           "the torch network is trained on magnitudes shuffled with respect to their phases",
           replace=[("al.nn.train(torch_model, (X, y),", "al.nn.train(torch_model, (X, rng.permutation(y)),")]),
    # --- 06-02 convolution ------------------------------------------------------------------------
    Mutant("06-02", "convolve-not-correlate",
           "the Hubble Deep Field maps use true convolution (scipy.ndimage.convolve) while the torch layer "
           "computes the cross-correlation: the antisymmetric Prewitt maps change sign",
           replace=[("maps_hdf = {k: al.nn.filter_image(hdf, FILTERS[k]) for k in names}",
                     "maps_hdf = {k: ndimage.convolve(hdf, FILTERS[k], mode=\"constant\") for k in names}")]),
    Mutant("06-02", "global-pool-wrong-axis",
           "the 'global' max-pooling reduces over the channel and y axes instead of the two image axes, "
           "so the representation still depends on the x position",
           replace=[("fmap.amax(dim=(2, 3))", "fmap.amax(dim=(1, 2))")]),
    Mutant("06-02", "laplacian-4-neighbour",
           "the Laplacian is the 4-neighbour kernel (centre -4) instead of the slide's 8-neighbour one",
           prelude="import numpy as np\nimport astrolab as al\n"
                   "al.nn.SLIDE_FILTERS['laplacian'] = np.array([[0., 1., 0.], [1., -4., 1.], [0., 1., 0.]])\n"),
    # --- 06-03 CNNs for galaxies and spectra ------------------------------------------------------
    Mutant("06-03", "labels-shuffled",
           "the training labels are shuffled with respect to the training stamps",
           replace=[("X_train, y_train = images[train_idx], labels[train_idx]",
                     "X_train, y_train = images[train_idx], labels[rng.permutation(train_idx)]")]),
    Mutant("06-03", "test-stamps-in-training",
           "no clean split: the training set is the whole sample, test stamps included (test on training data)",
           replace=[("order[n_test:n_test + n_val], order[n_test + n_val:]",
                     "order[n_test:n_test + n_val], order")]),
    Mutant("06-03", "cnn1d-flattened-head",
           "the spectral CNN flattens its feature maps into the dense head (no global pooling), so it "
           "learns where the lines are and is no longer robust to Doppler shifts",
           replace=[("kernel_size=5, hidden=32, seed=SEED)",
                     "kernel_size=5, hidden=32, global_pool=False, seed=SEED)")]),
    # --- 06-04 autoencoders and GANs --------------------------------------------------------------
    Mutant("06-04", "mean-image-not-restored",
           "the auto-encoder works on differences from the mean image, but the mean is not added back to "
           "the held-out reconstructions",
           replace=[("    rec = mean_image + al.nn.predict(ae, X_test - mean_image)\n",
                     "    rec = al.nn.predict(ae, X_test - mean_image)\n")]),
    Mutant("06-04", "gan-samples-left-stretched",
           "the GAN's samples are measured in the asinh-stretched units u in [-1, 1] instead of being "
           "mapped back to sky-noise units like the real stamps",
           replace=[("\"GAN\": from_unit(generator.sample(N_COMPARE, seed=SEED)),",
                     "\"GAN\": generator.sample(N_COMPARE, seed=SEED),")]),
]
