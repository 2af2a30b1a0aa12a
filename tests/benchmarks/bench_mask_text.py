"""Benchmark (not a test): masking speed of `pii.mask_text` on texts up to 50 MB, in MB/s, with a linear baseline
measured in the same process (CPU time of this process, medians, because the machines are shared and noisy).

    uv run python tests/benchmarks/bench_mask_text.py [--sizes 1,10,50] [--repeats 3]

Texts: a transcript-like text (words, short numbers, phone numbers, e-mail addresses) and the adversarial texts of
tests/unit/test_pii.py (long runs of letters, dots, '@'-less local parts, digits, ...), each of the given sizes in
MB (characters). Baseline: one simple linear regex pass over the same text (runs of 7 digits removed with
`[0-9]{7}` and `sub`), i.e. the regex engine just reading the characters. Masking is linear when MB/s (and the
ratio to the baseline) stays about the same from the smallest size to the largest. The peak memory of the process
is reported too (the regex engine once kept ~120 bytes of backtracking state per digit of a long number).
"""
from __future__ import annotations

import argparse
import random
import re
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from dagster_project.lib.pii import mask_text  # noqa: E402
from tests.unit.test_pii import ADVERSARIAL  # noqa: E402

BASELINE = re.compile(r"[0-9]{7}")
WORDS = ("hello thank you for calling my account number is the order 12345 at 10:30 please call me back on "
         "+1 212 555 0147 or write to jane.doe@example.com merci beaucoup terima kasih").split()


def transcript(n: int) -> str:
    rng = random.Random(n)
    words = []
    size = 0
    while size < n:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:n]


def cpu_seconds(fn, text: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn(text)
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,10,50", help="text sizes in MB (millions of characters)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    kinds = {"transcript": transcript, **ADVERSARIAL}
    print(f"{'text':28s} {'MB':>5s} {'mask s':>8s} {'MB/s':>7s} {'baseline MB/s':>14s} {'x baseline':>10s}")
    for name, make in kinds.items():
        for mb in sizes:
            n = int(mb * 1_000_000)
            text = make(n)
            repeats = args.repeats if mb <= 10 else 1
            masked = cpu_seconds(mask_text, text, repeats)
            base = cpu_seconds(lambda t: BASELINE.sub("", t), text, repeats)
            print(f"{name:28s} {len(text) / 1e6:5.0f} {masked:8.2f} {len(text) / 1e6 / masked:7.1f} "
                  f"{len(text) / 1e6 / base:14.0f} {masked / base:10.1f}", flush=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
