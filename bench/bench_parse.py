"""Parse the five seed gazettes and print time and throughput.

    python bench/bench_parse.py [SEED_DIR]

SEED_DIR defaults to ../shared/seeds next to the repository. Each run parses
the whole corpus ``--repeat`` times (default 5) and reports the best run, so a
cold cache does not decide the figure.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from machine import cpu_model  # noqa: E402

from gazette.pipeline import parse_bytes  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", nargs="?", type=Path, default=ROOT.parent / "shared" / "seeds")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    files = sorted(args.seeds.glob("*.txt"))
    if not files:
        print(f"bench_parse: no seeds in {args.seeds}, nothing to measure")
        return 0
    corpus = [(path.name, path.read_bytes()) for path in files]
    size = sum(len(data) for _, data in corpus)
    lines = sum(data.count(b"\n") for _, data in corpus)
    best = float("inf")
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        found = [parse_bytes(data, name) for name, data in corpus]
        best = min(best, time.perf_counter() - start)
    items = sum(len(doc.items) for gazette in found for doc in gazette.documents)
    documents = sum(len(gazette.documents) for gazette in found)
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()} ({platform.python_implementation()})")
    print(f"corpus:  {len(files)} files, {size / 1e6:.2f} MB, {lines} lines")
    print(f"parsed:  {documents} documents, {items} items")
    print(f"time:    {best:.3f} s (best of {args.repeat}), {size / 1e6 / best:.2f} MB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
