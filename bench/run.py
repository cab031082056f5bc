"""Run every benchmark: ``python -m bench.run [NAME ...]``.

Each ``bench/bench_*.py`` module has ``main() -> None`` that prints its figures (medians and
ratios against a baseline measured in the same process). CI never runs this.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench


def main(argv: list[str]) -> int:
    names = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")
    )
    chosen = [n for n in names if not argv or any(a in n for a in argv)]
    for name in chosen:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"bench.{name}").main()
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
