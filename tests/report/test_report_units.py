"""Unit tests of tools/fpulab_report's logic (run by tests/report/test-fpulab-report.sh)."""

import math
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))

from fpulab_report import compare, families, html_page, logs, stats  # noqa: E402
from fpulab_report.document import Cell, Table  # noqa: E402


def bench_record(name, p50, n=5, **extra):
    record = {"kind": "bench", "schema": 1, "name": name, "unit": "tsc", "clock": "tsc", "n": n,
              "min": p50, "p5": p50, "p50": p50, "p95": p50, "p99": p50, "max": p50,
              "mean_20_80": p50}
    record.update(extra)
    return record


def run_on(brand, path, benches):
    run = logs.Run(path=path, status=0, label=path)
    run.cpu = {"vendor": "GenuineIntel", "family": 6, "model": 1, "stepping": 1, "brand": brand}
    run.benches = benches
    return run


class MannWhitney(unittest.TestCase):
    def test_exact_p_of_full_separation(self):
        # Every ordering equally likely: 2 of C(6,3) = 20 and 2 of C(8,4) = 70 as extreme.
        self.assertAlmostEqual(stats.mann_whitney_p(np.array([1., 2, 3]), np.array([4., 5, 6])), 0.1)
        self.assertAlmostEqual(stats.mann_whitney_p(np.arange(4.), np.arange(4.) + 10), 2 / 70)

    def test_u_distribution_counts_orderings(self):
        self.assertEqual(sum(stats._u_distribution(5, 7)), math.comb(12, 5))

    def test_identical_samples_are_not_significant(self):
        self.assertEqual(stats.mann_whitney_p(np.full(100, 50.), np.full(100, 50.)), 1.0)

    def test_normal_approximation_with_ties(self):
        # 50 ties at 1 and 50 at 2 against 100 at 2: far from chance.
        base = np.array([1.] * 50 + [2.] * 50)
        self.assertLess(stats.mann_whitney_p(base, np.full(100, 2.)), 1e-10)

    def test_shifted_noise_is_found_and_unshifted_is_not(self):
        generator = np.random.default_rng(7)
        base = generator.normal(100, 5, 500)
        self.assertLess(stats.mann_whitney_p(base, generator.normal(102, 5, 500)), 0.001)
        self.assertGreater(stats.mann_whitney_p(base, generator.normal(100, 5, 500)), 0.01)


class Bootstrap(unittest.TestCase):
    def test_median_is_nearest_rank(self):
        self.assertEqual(stats.median([4, 1, 3, 2]), 2.0)
        self.assertEqual(stats.nearest_rank(np.arange(1., 101.), 95), 95.0)

    def test_bootstrap_median_matches_resampling(self):
        generator = np.random.default_rng(3)
        values = np.sort(generator.normal(0, 1, 301))
        fast = stats.bootstrap_medians(values, 0)
        resampled = np.sort(generator.choice(values, size=(4000, 301)), axis=1)[:, 150]
        for percent in (2.5, 50, 97.5):
            self.assertAlmostEqual(np.percentile(fast, percent), np.percentile(resampled, percent),
                                   delta=0.03)

    def test_interval_of_a_known_shift_covers_it(self):
        generator = np.random.default_rng(5)
        base = generator.normal(100, 2, 1000)
        (change, low, high), percent = stats.change_interval(base, base * 1.10, 0.95)
        self.assertTrue(percent)
        self.assertAlmostEqual(change, 10.0, places=6)
        self.assertLessEqual(low, 10.0)
        self.assertGreaterEqual(high, 10.0)

    def test_zero_base_gives_a_difference(self):
        (change, _, _), percent = stats.change_interval(np.zeros(10), np.ones(10), 0.95)
        self.assertFalse(percent)
        self.assertEqual(change, 1.0)


class Values(unittest.TestCase):
    def test_family(self):
        self.assertEqual(families.family_of("xsave/xsaveopt/avx/init"), "xsave/xsaveopt")
        self.assertEqual(families.family_of("smp/ipi-round-trip"), "smp")
        self.assertEqual(families.family_of("vm/bench/fpu-swap/all"), "vm/bench")

    def test_ticks_without_cycles(self):
        values = families.values_of(logs.Bench(bench_record("a/b/c", 10), [9, 10, 11]))
        self.assertEqual(values.unit, "TSC ticks")
        self.assertEqual(list(values.samples), [9, 10, 11])

    def test_calibrated_cycles_are_preferred_and_scale_raw_samples(self):
        record = bench_record("a/b/c", 10, cycles={"min": 18, "p5": 19, "p50": 20, "p95": 22,
                                                     "p99": 23, "max": 30},
                              cycles_source="calibration")
        values = families.values_of(logs.Bench(record, [9, 10, 11]))
        self.assertEqual((values.unit, values.p50, values.p95), ("core cycles", 20, 22))
        self.assertEqual(list(values.samples), [18, 20, 22])
        self.assertEqual(values.cycles_source, "calibration")


class Comparison(unittest.TestCase):
    def test_same_cpu_pairs_and_others_are_left_out(self):
        base = [run_on("A", "a1", []), run_on("B", "b1", [])]
        new = [run_on("A", "a2", []), run_on("C", "c2", [])]
        pairs, unpaired = compare.pair_by_cpu(base, new)
        self.assertEqual([(b[0].path, n[0].path, across) for _, b, n, across in pairs],
                         [("a1", "a2", False)])
        self.assertEqual(len(unpaired), 2)

    def test_two_machines_compare_across_labelled(self):
        pairs, unpaired = compare.pair_by_cpu([run_on("A", "a", [])], [run_on("B", "b", [])])
        self.assertTrue(pairs[0][3])
        self.assertIn("across machines", pairs[0][0])
        self.assertEqual(unpaired, [])

    def test_gate_takes_only_significant_slowdowns_above_the_threshold(self):
        slow = [logs.Bench(bench_record("x/y/z", 100, n=200), list(np.linspace(99, 101, 200)))]
        fast = [logs.Bench(bench_record("x/y/z", 130, n=200), list(np.linspace(129, 131, 200)))]
        result = compare.compare("t", [run_on("A", "a", slow)], [run_on("A", "b", fast)], 0.05,
                                 compare.AUTO, False)
        self.assertEqual(result.rows[0].verdict, "slower")
        self.assertEqual(len(compare.regressions([result], 25)), 1)
        self.assertEqual(compare.regressions([result], 35), [])

    def test_four_runs_a_side_compare_run_medians_even_with_raw_samples(self):
        def runs(prefix, p50):
            return [run_on("A", f"{prefix}{i}", [logs.Bench(bench_record("x/y/z", p50 + i, n=3),
                                                            [p50 + i] * 3)]) for i in range(4)]
        row = compare.compare("t", runs("a", 100), runs("b", 200), 0.05, compare.AUTO,
                              False).rows[0]
        self.assertEqual((row.sample_kind, row.n_base), ("run medians", 4))
        row = compare.compare("t", runs("a", 100), runs("b", 200), 0.05, compare.RAW,
                              False).rows[0]
        self.assertEqual((row.sample_kind, row.n_base), ("raw samples", 12))

    def test_runs_without_raw_samples_use_run_medians(self):
        base = [run_on("A", f"a{i}", [logs.Bench(bench_record("x/y/z", 100 + i))]) for i in range(5)]
        new = [run_on("A", f"b{i}", [logs.Bench(bench_record("x/y/z", 200 + i))]) for i in range(5)]
        row = compare.compare("t", base, new, 0.05, compare.AUTO, False).rows[0]
        self.assertEqual((row.sample_kind, row.n_base, row.n_new), ("run medians", 5, 5))
        self.assertAlmostEqual(row.p, 2 / math.comb(10, 5))

    def test_one_run_a_side_says_why_nothing_is_significant(self):
        row = compare.compare("t", [run_on("A", "a", [logs.Bench(bench_record("x/y/z", 1))])],
                              [run_on("A", "b", [logs.Bench(bench_record("x/y/z", 9))])],
                              0.05, compare.AUTO, False).rows[0]
        self.assertEqual(row.verdict, "~")
        self.assertIn("1+1 run medians: too few", row.note)


class Page(unittest.TestCase):
    def test_text_is_escaped(self):
        html = html_page.render([Table(["<b>"], [[Cell("<script>alert(1)</script>", 0.5)]])])
        self.assertNotIn("<script>", html)
        self.assertIn("&lt;script&gt;", html)


if __name__ == "__main__":
    unittest.main(verbosity=2)
