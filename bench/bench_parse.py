"""Parser throughput: the seed gazettes, the development corpus, a 5 MB file.

    python bench/bench_parse.py [--seeds DIR] [--corpus DIR] [--repeat N] [--size MB]

SEED_DIR and CORPUS_DIR default to ../shared/seeds and ../shared/corpus next to
the repository (a missing folder is skipped). Each set is parsed ``--repeat``
times (default 3) and the best run is reported, so a cold cache does not decide
the figure. Wall time and CPU time of the process are both printed: on a shared
machine the wall time also counts other programs.

The synthetic file is the seeds (else the corpus) repeated up to ``--size`` MB
(default 5) and parsed as one text; it is parsed again at half the size, and the
ratio of the two times tells whether parsing grows linearly (about 2.0).
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

from gazette.pipeline import parse_bytes, parse_text  # noqa: E402


def _timed(run, repeat: int) -> tuple[float, float, object]:
    """Best wall and CPU seconds of ``repeat`` runs, and the last result."""
    wall = cpu = float("inf")
    result = None
    for _ in range(max(1, repeat)):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu, result


def _set(label: str, folder: Path, repeat: int) -> list[tuple[str, bytes]]:
    files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    if not files:
        print(f"{label}: no files in {folder}, skipped")
        return []
    data = [(path.name, path.read_bytes()) for path in files]
    size = sum(len(raw) for _, raw in data)
    wall, cpu, found = _timed(lambda: [parse_bytes(raw, name) for name, raw in data], repeat)
    documents = sum(len(gazette.documents) for gazette in found)
    items = sum(len(doc.items) for gazette in found for doc in gazette.documents)
    print(
        f"{label}: {len(files)} files, {size / 1e6:.2f} MB, {documents} documents, "
        f"{items} items; {wall:.3f} s wall ({size / 1e6 / wall:.2f} MB/s), "
        f"{cpu:.3f} s CPU ({size / 1e6 / cpu:.2f} MB/s)"
    )
    return data


def _synthetic(data: list[tuple[str, bytes]], size_mb: float, repeat: int) -> None:
    base = "\n".join(raw.decode("utf-8", "replace") for _, raw in data)
    if not base:
        return
    target = int(size_mb * 1e6)
    times = []
    for goal in (target // 2, target):
        chars = int(goal * len(base) / len(base.encode()))
        # the seeds repeated; the stages' caches are bounded (a few thousand
        # paragraphs), so a copy read again is mostly not served from them
        text = ("\n".join([base] * (chars // len(base) + 1)))[:chars]
        megabytes = len(text.encode()) / 1e6
        wall, cpu, _ = _timed(lambda text=text: parse_text(text, "synthetic.txt"), repeat)
        times.append((megabytes, wall, cpu))
        print(f"synthetic: {megabytes:.2f} MB in one text: {wall:.3f} s wall, {cpu:.3f} s CPU")
    (small, _, cpu_small), (large, _, cpu_large) = times
    print(f"growth:  {large / small:.2f}x the text took {cpu_large / cpu_small:.2f}x the CPU time")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", type=float, default=5.0, help="synthetic file size in MB")
    args = parser.parse_args(argv)
    print(
        f"machine: {cpu_model()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )
    seeds = _set("seeds", args.seeds, args.repeat)
    corpus = _set("corpus", args.corpus, args.repeat)
    _synthetic(seeds or corpus, args.size, 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
