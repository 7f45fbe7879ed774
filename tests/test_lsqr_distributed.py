"""LSQR with the rows on a Dask cluster (chapter 3b) against the single-machine solve."""

import gc
import time

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import lsqr

from astrolab.datasets import make_astrometry
from astrolab.sparse import astrometric_solution, lsqr_dask

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None,
                                  host="127.0.0.1", protocol="tcp") as cl, \
            distributed.Client(cl) as c:
        yield c


@pytest.fixture(scope="module")
def field():
    data = make_astrometry(n_stars=60, n_obs_per_star=30, n_attitude_knots=10, noise=200.0, seed=8)
    return data, data.w - data.w_ref


def _rel(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def test_distributed_astrometric_solution_equals_single_machine(client, field):
    data, b = field
    one = astrometric_solution(data, data.n_stars, data.knots, b, data.sigma)
    dist = astrometric_solution(data, data.n_stars, data.knots, b, data.sigma, backend="dask", client=client)
    assert dist.backend == "dask" and dist.n_workers == 2
    assert abs(dist.n_iter - one.n_iter) <= 2
    assert _rel(dist.x, one.x) < 1e-10
    assert dist.chi2 == pytest.approx(one.chi2, rel=1e-12)
    n_unknowns = one.x.size
    assert dist.bytes_per_iter == 4 * (8 * n_unknowns + 8)   # v to 2 workers, 2 partial sums back


@pytest.mark.parametrize("n_blocks", [1, 5])
def test_lsqr_dask_blocks_match_scipy(client, n_blocks):
    A = sp.random(300, 40, density=0.08, random_state=3, format="csr") + sp.eye(300, 40, format="csr")
    b = np.random.default_rng(3).normal(size=300)
    x, istop, itn, *_ = lsqr(A, b, atol=1e-12, btol=1e-12)
    sol = lsqr_dask(A, b, client=client, n_blocks=n_blocks, atol=1e-12, btol=1e-12)
    assert (sol.istop, sol.n_iter) == (istop, itn)
    assert _rel(sol.x, x) < 1e-10
    assert sol.n_blocks == n_blocks and sol.n_workers == min(n_blocks, 2)
    # v goes once to each worker holding a block; one partial sum per block comes back
    assert sol.bytes_per_iter == (sol.n_workers + n_blocks) * (8 * 40 + 8)


def test_lsqr_dask_leaves_nothing_on_the_cluster(client):
    A = sp.eye(20, format="csr")
    lsqr_dask(A, np.ones(20), client=client)
    gc.collect()
    deadline = time.monotonic() + 5
    while client.who_has() and time.monotonic() < deadline:   # releases reach the scheduler asynchronously
        time.sleep(0.05)
    assert not client.who_has()   # blocks, states and partial sums released


def test_lsqr_dask_validation(client):
    A = sp.eye(6, format="csr")
    with pytest.raises(TypeError, match="client"):
        lsqr_dask(A, np.ones(6), client="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="n_blocks"):
        lsqr_dask(A, np.ones(6), client=client, n_blocks=0)
    with pytest.raises(ValueError, match="n_blocks"):
        lsqr_dask(A, np.ones(6), client=client, n_blocks=7)
    with pytest.raises(ValueError, match="b must be 1-D"):
        lsqr_dask(A, np.ones(5), client=client)
