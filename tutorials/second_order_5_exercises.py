# %% [markdown]
# # Second order 5: Exercises 7, 8, 11 and 12 on conjugate directions, numerically
#
# Each exercise of the chapter on conjugate gradients (Section 3.5.6.1) is
# illustrated on random quadratics L(W) = 1/2 W^T H W - b^T W with H
# symmetric positive definite, and its claim is checked. The numbers are also
# written to `exercises_7_8_11_12.json`, which the test suite reads.
#
# * Exercise 7: H-conjugate directions q_0, ..., q_{d-1} are linearly
#   independent (their matrix has rank d).
# * Exercise 8: a vector orthogonal to d linearly independent vectors of
#   R^d is zero.
# * Exercise 11: d arbitrary independent directions can be made H-conjugate by
#   a Gram-Schmidt-like recursion, q_k = u_k - sum_{j<k} (q_j^T H u_k / q_j^T H q_j) q_j,
#   which must keep all earlier directions (O(d^2) storage); CG needs only
#   the last one (O(d)), because on a quadratic the new gradient is already
#   conjugate to all but the last direction.
# * Exercise 12 (b)-(d): in CG on a quadratic, each gradient is orthogonal to
#   all earlier directions and to all earlier gradients, and each direction is
#   H-conjugate to all earlier ones.

# %%
import json
import os
import time
import tracemalloc

import numpy as np

from autograd_core import optim
from autograd_core.optim import problems

OUTPUT = os.environ.get("TUTORIAL_OUTPUT_DIR", "tutorial_output")
os.makedirs(OUTPUT, exist_ok=True)
FAST = os.environ.get("AUTOGRAD_CORE_FAST") == "1"
results = {}
rng = np.random.default_rng(7)


def random_spd(dimension, seed):
    return problems.spectrum_matrix(np.random.default_rng(seed).uniform(1, 10, dimension), seed=seed)


def cg_run(H, b):
    return optim.linear_conjugate_gradient(lambda v: H @ v, b, tolerance=1e-14, keep_directions=True)


# %% [markdown]
# ## Exercise 7: conjugate directions are linearly independent
# If sum_i c_i q_i = 0, multiply by q_j^T H: conjugacy leaves c_j q_j^T H q_j = 0,
# and q_j^T H q_j > 0, so every c_j = 0.

# %%
DIMENSION = 12
H = random_spd(DIMENSION, seed=1)
b = rng.standard_normal(DIMENSION)
run = cg_run(H, b)
directions = np.array(run.directions)
rank = int(np.linalg.matrix_rank(directions))
singular_values = np.linalg.svd(directions / np.linalg.norm(directions, axis=1, keepdims=True), compute_uv=False)
print(f"Exercise 7: {len(directions)} CG directions in R^{DIMENSION}, rank {rank}, "
      f"smallest singular value (unit rows) {singular_values.min():.3f}")
assert len(directions) == DIMENSION and rank == DIMENSION
results["exercise_7"] = {"dimension": DIMENSION, "directions": len(directions), "rank": rank}

# %% [markdown]
# ## Exercise 8: orthogonal to d independent vectors means zero
# The conditions q_i^T v = 0 for i = 1..d say Q v = 0 for a d x d matrix Q of
# rank d, whose only solution is v = 0: its null space has dimension 0.

# %%
Q = rng.standard_normal((DIMENSION, DIMENSION))
null_dimension = DIMENSION - int(np.linalg.matrix_rank(Q))
solution = np.linalg.solve(Q, np.zeros(DIMENSION))
# with d - 1 vectors a non-zero orthogonal vector exists (the last right-singular vector)
fewer = Q[:-1]
orthogonal = np.linalg.svd(fewer)[2][-1]
print(f"Exercise 8: null space of {DIMENSION} independent rows has dimension {null_dimension}; "
      f"with {DIMENSION - 1} rows a unit vector v with max |Q v| = {np.abs(fewer @ orthogonal).max():.1e} exists")
assert null_dimension == 0 and np.abs(solution).max() == 0
assert np.abs(fewer @ orthogonal).max() < 1e-12
results["exercise_8"] = {"null_space_dimension": null_dimension,
                         "with_one_vector_fewer": float(np.abs(fewer @ orthogonal).max())}


# %% [markdown]
# ## Exercise 11: conjugation by Gram-Schmidt against CG, storage measured

# %%
def conjugate_by_gram_schmidt(H, vectors):
    """q_k = u_k - sum_{j<k} (q_j^T H u_k / q_j^T H q_j) q_j: keeps every q_j and H q_j (O(d^2) numbers)."""
    kept, kept_products = [], []
    for u in vectors:
        q = u.copy()
        for previous, product in zip(kept, kept_products):
            q -= (product @ u) / (product @ previous) * previous
        kept.append(q)
        kept_products.append(H @ q)
    return np.array(kept)


def peak_bytes(function):
    tracemalloc.start()
    started = time.perf_counter()
    value = function()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return value, peak, seconds


H = random_spd(DIMENSION, seed=2)
arbitrary = rng.standard_normal((DIMENSION, DIMENSION))
conjugated = conjugate_by_gram_schmidt(H, arbitrary)
products = conjugated @ H @ conjugated.T
worst = np.abs(products - np.diag(np.diag(products))).max() / np.abs(np.diag(products)).min()
print(f"Exercise 11: {DIMENSION} random directions made conjugate, largest |q_i^T H q_j| / q_j^T H q_j = {worst:.1e}")
assert worst < 1e-10

storage = []
for dimension in ((100, 200) if FAST else (100, 200, 400, 800)):
    H = random_spd(dimension, seed=dimension)
    vectors = np.random.default_rng(dimension).standard_normal((dimension, dimension))
    b = np.random.default_rng(dimension + 1).standard_normal(dimension)
    # the matrix-vector product is the same for both; what differs is what each keeps besides it
    _, gram_schmidt_peak, gram_schmidt_seconds = peak_bytes(
        lambda H=H, vectors=vectors: conjugate_by_gram_schmidt(H, vectors))
    _, cg_peak, cg_seconds = peak_bytes(
        lambda H=H, b=b: optim.linear_conjugate_gradient(lambda v: H @ v, b, tolerance=1e-14))
    storage.append({"d": dimension, "gram_schmidt_bytes": gram_schmidt_peak, "cg_bytes": cg_peak,
                    "gram_schmidt_seconds": gram_schmidt_seconds, "cg_seconds": cg_seconds})
    print(f"  d = {dimension:4d}: Gram-Schmidt peak {gram_schmidt_peak / 1e6:7.2f} MB ({gram_schmidt_seconds:.3f} s), "
          f"CG peak {cg_peak / 1e3:7.1f} kB ({cg_seconds:.3f} s)")
ratios = [entry["gram_schmidt_bytes"] / entry["d"] ** 2 for entry in storage]
print(f"  Gram-Schmidt bytes / d^2: {np.round(ratios, 1)} (the kept q_j and H q_j, then the d x d result); "
      f"CG bytes / d: {np.round([entry['cg_bytes'] / entry['d'] for entry in storage], 1)}")
assert all(entry["gram_schmidt_bytes"] >= 8 * entry["d"] ** 2 for entry in storage)       # O(d^2)
assert all(entry["cg_bytes"] <= 100 * 8 * entry["d"] for entry in storage)               # O(d)
results["exercise_11"] = {"conjugacy_error": float(worst), "storage": storage}

# %% [markdown]
# ## Exercise 12 (b)-(d): orthogonal gradients, conjugate directions

# %%
H = random_spd(DIMENSION, seed=3)
b = rng.standard_normal(DIMENSION)
run = cg_run(H, b)
directions = np.array(run.directions)
gradients = np.array(run.gradients[:len(directions)])
scale = np.linalg.norm(gradients, axis=1)
gradient_vs_directions = max(abs(gradients[t] @ directions[j]) / (scale[t] * np.linalg.norm(directions[j]))
                             for t in range(len(directions)) for j in range(t))
gradient_vs_gradients = max(abs(gradients[t] @ gradients[j]) / (scale[t] * scale[j])
                            for t in range(len(directions)) for j in range(t))
curvatures = np.einsum("ij,jk,ik->i", directions, H, directions)
conjugacy = max(abs(directions[t] @ H @ directions[j]) / np.sqrt(curvatures[t] * curvatures[j])
                for t in range(len(directions)) for j in range(t))
print(f"Exercise 12: cosines g_t . q_j (j < t) <= {gradient_vs_directions:.1e}, g_t . g_j <= "
      f"{gradient_vs_gradients:.1e}; normalised q_t^T H q_j <= {conjugacy:.1e}")
assert max(gradient_vs_directions, gradient_vs_gradients, conjugacy) < 1e-8
results["exercise_12"] = {"gradient_direction_cosine": float(gradient_vs_directions),
                          "gradient_gradient_cosine": float(gradient_vs_gradients),
                          "conjugacy": float(conjugacy), "iterations": run.iterations}

with open(os.path.join(OUTPUT, "exercises_7_8_11_12.json"), "w") as handle:
    json.dump(results, handle, indent=1)
