"""Simulation (not a test): coverage of the tipping point's 95 % profile-likelihood interval.

    uv run python tests/benchmarks/bench_tipping_point_coverage.py [--simulations 100] [--contacts 8000]

Each simulation draws a modelling table with the IVR hinge planted at 120 s (lib/drivers/simulate.py: no effect up
to 120 s, -0.8 logits per minute beyond, plus the other planted drivers), takes the surveyed contacts, and runs the
tipping-point search for the IVR time with the planted drivers as the other predictors (the kink test's bootstrap
is skipped: only the interval is judged). Reported: how many intervals cover 120 s, the exact binomial 95 %
interval of that coverage, the median width and the median time per search. Nominal coverage is 95 of 100; with
the old grid-snapped interval it was 88 of 100.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from scipy import stats

from dagster_project.lib.drivers.simulate import simulate_modelling_table
from dagster_project.lib.drivers.thresholds import find_tipping_point

OTHERS = ["wait_minutes", "transfer_count", "had_prior_contact_7d", "callback_broken", "handle_minutes"]


def one(seed: int, contacts: int) -> tuple[float | None, float | None, float | None, float]:
    frame = simulate_modelling_table(n_contacts=contacts, days=40, seed=seed)
    data = frame[frame["csat"].notna()].copy()
    data = data.assign(
        csat=data["csat"].astype(int),
        ivr_minutes=data["ivr_seconds"] / 60.0,
        wait_minutes=data["wait_seconds"] / 60.0,
        handle_minutes=data["handle_seconds"] / 60.0,
        had_prior_contact_7d=data["had_prior_contact_7d"].fillna(False).astype(float),
        callback_broken=data["callback_broken"].astype(float),
        transfer_count=data["transfer_count"].astype(float),
    )
    start = time.perf_counter()
    result = find_tipping_point(data, "csat", "ivr_minutes", OTHERS, [1, 2, 3, 4, 5], n_bootstrap=0, seed=seed)
    elapsed = time.perf_counter() - start
    return result.threshold, result.ci_low, result.ci_high, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--simulations", type=int, default=100)
    parser.add_argument("--contacts", type=int, default=8000)
    parser.add_argument("--first-seed", type=int, default=1000)
    args = parser.parse_args()
    truth = 2.0  # 120 s in minutes
    covered, widths, times, failed = 0, [], [], 0
    for i in range(args.simulations):
        psi, low, high, elapsed = one(args.first_seed + i, args.contacts)
        times.append(elapsed)
        if psi is None or low is None:
            failed += 1
            continue
        covered += int(low <= truth <= high)
        widths.append((high - low) * 60)
    n = args.simulations - failed
    ci = stats.binomtest(covered, n).proportion_ci(0.95, method="exact") if n else None
    print(f"simulations: {args.simulations} ({failed} without an interval), {args.contacts} contacts each")
    print(f"covered 120 s: {covered} of {n} ({covered / n:.1%}; exact 95 % CI {ci.low:.1%}-{ci.high:.1%})" if n else "none")
    if widths:
        print(f"median interval width: {statistics.median(widths):.1f} s; median search time {statistics.median(times):.2f} s")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
