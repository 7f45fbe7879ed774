"""Chapter 6: the training loop al.nn.train against a bare hand-written PyTorch loop.

One epoch of the morphology CNN (``al.nn.CNN2d``, channels 16-32-64, five classes) on 2000 mock
galaxy stamps of 32x32 pixels (``make_galaxy_images``), batches of 64, Adam with lr 1e-3. "Ours" is
``al.nn.train`` (it also keeps a history, a progress bar switched off here, and hands whole batches
out of ``ArrayDataset``); the reference is the textbook loop (``TensorDataset`` + ``DataLoader`` +
Adam) on the same model, data, seed and batch order, so the ratio is the overhead (or the saving)
of the loop itself. The row is repeated on CUDA when a GPU is present.

Quality: the mean training loss of the epoch from both loops. On the CPU they see the same batches
in the same order with the same dropout masks, so the losses agree to rounding (on a GPU,
non-deterministic kernels can make them differ in the last digits). The throughput in images/s is
given too. Peak memory: on the CPU the growth of the resident memory during one call in a fresh
process, sampled every millisecond from /proc (Linux; tracemalloc does not see torch's
allocator); on CUDA the peak GPU memory allocated.
"""

from __future__ import annotations

import functools

N_IMAGES, BATCH, LR, SEED = 2000, 64, 1e-3, 0


@functools.cache
def galaxy_data():
    from astrolab.datasets._galaxies import make_galaxy_images

    data = make_galaxy_images(N_IMAGES, size=32, seed=SEED)
    return data.images, data.labels, len(data.class_names)


def new_model():
    from astrolab.nn._models import CNN2d

    n_classes = galaxy_data()[2]
    return CNN2d(n_classes, image_size=32, channels=(16, 32, 64), seed=SEED)


def ours(device):
    """One epoch with al.nn.train; returns (mean training loss, images per second)."""
    import time

    from astrolab.nn._training import train

    images, labels, _ = galaxy_data()
    model = new_model()
    start = time.perf_counter()
    history = train(model, (images, labels), loss="cross_entropy", epochs=1, batch_size=BATCH, lr=LR, seed=SEED,
                    device=device, progress=False)
    return history.train_loss[0], len(images) / (time.perf_counter() - start)


def bare_loop(device):
    """The same epoch written out by hand; returns (mean training loss, images per second)."""
    import time

    import torch
    from torch.utils.data import DataLoader, TensorDataset

    images, labels, _ = galaxy_data()
    model = new_model()
    start = time.perf_counter()
    model.to(device)
    dataset = TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
    loader = DataLoader(dataset, batch_size=BATCH, shuffle=True, generator=torch.Generator().manual_seed(SEED))
    optimiser = torch.optim.Adam(model.parameters(), lr=LR)
    devices = [device.index or 0] if device.type == "cuda" else []
    total = 0.0
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(SEED)  # dropout masks as in al.nn.train
        model.train()
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            optimiser.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimiser.step()
            total += loss.item() * len(x)
    return total / len(images), len(images) / (time.perf_counter() - start)


def memory(side, device):
    """Peak memory of one call of ``side`` ("ours" or "reference") in MiB (see the module docstring)."""
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    import numpy as np
    import torch

    function = ours if side == "ours" else bare_loop
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        function(device)
        return (torch.cuda.max_memory_allocated(device) - before) / 2**20
    if not Path("/proc/self/statm").exists():
        return float("nan")  # the sampler reads /proc (Linux)
    images, labels, n_classes = galaxy_data()
    with tempfile.TemporaryDirectory() as tmp:
        np.save(Path(tmp) / "images.npy", images)
        np.save(Path(tmp) / "labels.npy", labels)
        # The child loads the stamps from disk (no generator peak) and builds a model to import
        # everything; then a thread samples its resident memory every millisecond during one call.
        code = (
            "import os, sys, threading, time\n"
            "import numpy as np, torch\n"
            f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
            "import bench_nn\n"
            f"data = (np.load({tmp + '/images.npy'!r}), np.load({tmp + '/labels.npy'!r}), {n_classes})\n"
            "bench_nn.galaxy_data = lambda: data\n"
            "bench_nn.new_model()\n"
            "def rss():\n"
            "    with open('/proc/self/statm') as f:\n"
            "        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')\n"
            "base = rss(); peak = [base]; done = threading.Event()\n"
            "def watch():\n"
            "    while not done.is_set():\n"
            "        peak[0] = max(peak[0], rss()); time.sleep(1e-3)\n"
            "watcher = threading.Thread(target=watch); watcher.start()\n"
            f"bench_nn.{function.__name__}(torch.device('cpu'))\n"
            "done.set(); watcher.join()\n"
            "print((max(peak[0], rss()) - base) / 2**20)\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env=dict(os.environ), timeout=600)
    return float(out.stdout.strip().splitlines()[-1])


def quality(result_ours, result_ref):
    (loss_ours, speed_ours), (loss_ref, speed_ref) = result_ours, result_ref
    return (f"loss after 1 epoch: {loss_ours:.6f} vs {loss_ref:.6f} (|diff| {abs(loss_ours - loss_ref):.1e}); "
            f"{speed_ours:.0f} vs {speed_ref:.0f} images/s")


def cases():
    import torch
    from _harness import Case

    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    rows = []
    for device in devices:
        rows.append(Case("6", f"train the morphology CNN (CNN2d 16-32-64) for 1 epoch, {N_IMAGES} galaxy stamps "
                         f"32x32, batch {BATCH}, {device.type.upper()}",
                         ("al.nn.train", lambda device=device: ours(device)),
                         ("hand-written loop (DataLoader + Adam)", lambda device=device: bare_loop(device)),
                         quality=quality, setup=galaxy_data,
                         memory=lambda side, device=device: memory(side, device)))
    return rows
