"""The statistics of a comparison (docs/report.md, "Comparison").

- median: nearest rank, the definition the kernel's p50 uses (docs/method.md);
- significance: the Mann-Whitney U test, two-sided; exact for small samples without
  ties, else the normal approximation with tie and continuity corrections;
- confidence interval of the change: percentile bootstrap. The bootstrap median of a
  sample is drawn exactly and in constant time: the r-th smallest of n draws from the
  sample is its value at rank ceil(n U) where U, the r-th smallest of n uniforms, is
  Beta(r, n - r + 1)-distributed.
"""

import math

import numpy as np

BOOTSTRAP_DRAWS = 10000
EXACT_LIMIT = 40          # n1 + n2 at or below which U's distribution is counted exactly
SEED = 20240601           # fixed: the same logs give the same report


def nearest_rank(sorted_values, percent):
    """The smallest value with at least percent % of the values at or below it."""
    count = len(sorted_values)
    return float(sorted_values[max(0, math.ceil(percent * count / 100) - 1)])


def median(values):
    return nearest_rank(np.sort(np.asarray(values, dtype=float)), 50)


def _average_ranks(values):
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return ((ends - counts + 1 + ends) / 2.0)[inverse], counts


def _u_distribution(n1, n2):
    """Counts of each U = 0..n1*n2 over all orderings: the coefficients of the Gaussian
    binomial [n1 + n2, n1]_q, by [m, k] = [m-1, k-1] + q^k [m-1, k]."""
    table = {(0, 0): [1]}
    for m in range(1, n1 + n2 + 1):
        for k in range(max(0, m - n2), min(m, n1) + 1):
            left = table.get((m - 1, k - 1), []) if k > 0 else []
            right = table.get((m - 1, k), []) if k < m else []
            size = max(len(left), len(right) + k)
            coefficients = [0] * size
            for index, value in enumerate(left):
                coefficients[index] += value
            for index, value in enumerate(right):
                coefficients[index + k] += value
            table[(m, k)] = coefficients
    return table[(n1 + n2, n1)]


def _exact_p(u, n1, n2):
    counts = _u_distribution(n1, n2)
    total = sum(counts)
    u = int(round(u))
    below = sum(counts[:u + 1]) / total
    above = sum(counts[u:]) / total
    return min(1.0, 2 * min(below, above))


def smallest_p(n1, n2):
    """The smallest two-sided p the test can give for these sizes (full separation)."""
    return min(1.0, 2 / math.comb(n1 + n2, n1))


def mann_whitney_p(base, new):
    """Two-sided p-value of the Mann-Whitney U test of base against new."""
    n1, n2 = len(base), len(new)
    ranks, tie_counts = _average_ranks(np.concatenate([base, new]))
    u = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    ties = bool((tie_counts > 1).any())
    if n1 + n2 <= EXACT_LIMIT and not ties:
        return _exact_p(u, n1, n2)
    total = n1 + n2
    tie_term = float(((tie_counts ** 3) - tie_counts).sum()) / (total * (total - 1))
    variance = n1 * n2 / 12.0 * ((total + 1) - tie_term)
    if variance <= 0:
        return 1.0
    z = max(0.0, abs(u - n1 * n2 / 2.0) - 0.5) / math.sqrt(variance)
    return min(1.0, math.erfc(z / math.sqrt(2)))


_median_ranks = {}


def bootstrap_median_ranks(count, side):
    """BOOTSTRAP_DRAWS ranks (0-based) of the bootstrap median in a sample of count
    values. Drawn once per (count, side) from the fixed seed: the same logs give the
    same report, and the two sides of a comparison never share draws."""
    key = (count, side)
    if key not in _median_ranks:
        generator = np.random.default_rng([SEED, count, side])
        rank = math.ceil(count / 2)
        uniform_order_statistic = generator.beta(rank, count - rank + 1, size=BOOTSTRAP_DRAWS)
        _median_ranks[key] = np.clip(np.ceil(count * uniform_order_statistic).astype(int) - 1,
                                     0, count - 1)
    return _median_ranks[key]


def bootstrap_medians(values, side):
    """Bootstrap replicates of the nearest-rank median of values."""
    ordered = np.sort(np.asarray(values, dtype=float))
    return ordered[bootstrap_median_ranks(len(ordered), side)]


def change_interval(base, new, confidence):
    """(percent change of the median, low, high) when the base median is above 0, else
    (difference, low, high) in the unit; second item of the pair says which."""
    base_medians = bootstrap_medians(base, 0)
    new_medians = bootstrap_medians(new, 1)
    tail = (1 - confidence) / 2 * 100
    base_median, new_median = median(base), median(new)
    if base_median > 0 and (base_medians > 0).all():
        changes = (new_medians / base_medians - 1) * 100
        estimate = (new_median / base_median - 1) * 100
        percent = True
    else:
        changes = new_medians - base_medians
        estimate = new_median - base_median
        percent = False
    low, high = np.percentile(changes, [tail, 100 - tail])
    return (estimate, float(low), float(high)), percent
