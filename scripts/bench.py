"""`make bench`: the product's speed figures, measured on SQLite and, when it answers, on PostgreSQL.

Usage: `python scripts/bench.py [--rows 100000] [--calls 10000] [--backend sqlite|postgresql]...
[--only roster|exports|emergency|dashboard]...`

How it runs. The data files are generated once (untimed) in a temporary folder. Then, for each database
backend, a fresh database is made — SQLite in the temporary folder; on PostgreSQL a database of its own,
`baodao_bench` at 127.0.0.1:5432 (BENCH_POSTGRES_URL), created and dropped here, never the test
database — and every benchmark step runs in a process of its own, in the order listed, so that its peak
memory is its own (the process, plus any process it started: the workbook reader). Steps of one backend
share its database: a later step sees what an earlier one wrote (the export benchmarks can read the
members the roster import loaded).

Adding benchmarks: write a module `scripts/bench_<area>.py` with `STEPS = [Step(...), ...]` (see `Step`)
and add its name to `MODULES`. The table, the targets and the exit status come with it: `make bench`
fails when a step misses its target. A step that times only part of its work (a median of runs, one moment
inside a longer scenario) returns a `Measured` instead of a row count; one process may also measure the
steps that name it in `measured_by` (the emergency call: the activation and, in the same scenario, the
fan-out behind it).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

#: Benchmark modules, in the order their steps run.
MODULES = ["bench_roster", "bench_exports", "bench_emergency", "bench_dashboard"]
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/baodao_bench")
MEMORY_TARGET_MB = 500
RESULT_MARK = "BENCH-RESULT "


@dataclass
class Context:
    """What a step gets: the folder with the generated files, the roster size, the backend's name."""

    workdir: Path
    rows: int
    backend: str
    #: the members an emergency calls (the emergency benchmarks)
    calls: int = 10_000
    #: Whatever the step's `prepare` returned (untimed work, e.g. reading a file into memory).
    prepared: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Measured:
    """What a step's `run` may return instead of a row count: the seconds it measured itself, a line to print
    under the table, the figures of the steps it measured for others (`Step.measured_by`), or why it did not
    run (`skipped`: the table says so; nothing fails)."""

    rows: int
    seconds: float
    note: str = ""
    more: dict[str, Measured] = field(default_factory=dict)
    skipped: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "seconds": self.seconds,
            "note": self.note,
            "skipped": self.skipped,
            "more": {k: m.as_json() for k, m in self.more.items()},
        }


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    #: The timed work; returns the number of rows it handled (or a `Measured`).
    run: Callable[[Context], int | Measured] | None
    #: Untimed work before `run` (its result is `ctx.prepared`).
    prepare: Callable[[Context], Any] | None = None
    #: The step this one is compared with ("× baseline" in the table).
    baseline: str | None = None
    #: Rows a second this step must reach (None: no target, e.g. a baseline).
    target: float | None = None
    #: The most seconds this step may take (None: no such target).
    max_seconds: float | None = None
    #: Measured inside the process of the step named (its `run` is None): not spawned itself.
    measured_by: str | None = None
    #: Run once, before any backend (generating data files): no database.
    generate: bool = False
    #: Untimed set-up of a backend's database (migrations, fixtures): not shown in the table.
    setup: bool = False


def all_steps() -> list[Step]:
    steps: list[Step] = []
    for name in MODULES:
        steps += importlib.import_module(name).STEPS
    return steps


# ---- one step, in its own process ---------------------------------------------------------------------


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024  # kilobytes on Linux


def run_step(name: str, ctx: Context) -> None:
    step = next(s for s in all_steps() if s.name == name)
    assert step.run is not None
    if not step.generate:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baodao.settings")
        django.setup()
    if step.prepare is not None:
        ctx.prepared = step.prepare(ctx)
    started = time.perf_counter()
    outcome = step.run(ctx)
    seconds = time.perf_counter() - started
    # (the step modules' `Measured` is `bench.Measured`, not this `__main__.Measured`)
    measured = Measured(rows=outcome, seconds=seconds) if isinstance(outcome, int) else outcome
    print(RESULT_MARK + json.dumps({**measured.as_json(), "peak_mb": _peak_mb()}), flush=True)


def _spawn(name: str, ctx: Context, database_url: str | None) -> dict[str, Any]:
    workdir, rows, backend = ctx.workdir, ctx.rows, ctx.backend
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "baodao.settings"}
    if database_url:
        env["DATABASE_URL"] = database_url
    command = [sys.executable, __file__, "--step", name, "--workdir", str(workdir), "--rows", str(rows)]
    command += ["--calls", str(ctx.calls)]
    if backend:
        command += ["--backend", backend]
    # Our own script with fixed arguments.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK) :])
    sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
    raise SystemExit(f"bench step {name} on {backend} failed (exit {done.returncode})")


# ---- databases ----------------------------------------------------------------------------------------


def postgres_answers() -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", 5432))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    if backend == "sqlite":
        path = workdir / "bench.sqlite3"
        yield f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    server, _, name = POSTGRES_URL.rpartition("/")
    if not name.startswith("baodao_bench"):
        raise SystemExit("BENCH_POSTGRES_URL must name a database of its own (baodao_bench…)")

    def admin(sql: str) -> None:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_URL
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---- the table ----------------------------------------------------------------------------------------


@dataclass
class Result:
    backend: str
    step: Step
    rows: int
    seconds: float
    peak_mb: float
    ratio: float | None = None
    note: str = ""
    skipped: str = ""

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> bool:
        if self.skipped:
            return True
        fast = self.step.target is None or self.rate >= self.step.target
        quick = self.step.max_seconds is None or self.seconds <= self.step.max_seconds
        return fast and quick and self.peak_mb < MEMORY_TARGET_MB

    @property
    def target(self) -> str:
        if self.step.max_seconds is not None:
            limit = self.step.max_seconds
            return f"≤{limit * 1000:.0f} ms" if limit < 1 else f"≤{limit:g} s"
        return f"≥{self.step.target:,.0f}/s" if self.step.target else "—"


def _seconds(seconds: float) -> str:
    return f"{seconds:.3f}" if seconds < 1 else f"{seconds:.2f}"


def _ratio(ratio: float | None) -> str:
    """time ÷ baseline; under 1, said the other way round: how many times faster (baseline ÷ time)."""
    if ratio is None:
        return "—"
    if ratio and ratio < 1:
        faster = 1 / ratio
        return f"{faster:,.0f}× faster" if faster >= 10 else f"{faster:.1f}× faster"
    return f"{ratio:.1f}×"


def print_table(results: list[Result]) -> None:
    header = ("backend", "step", "rows", "seconds", "rows/s", "× baseline", "peak MB", "target", "")
    lines = [header]
    for r in results:
        if r.skipped:
            lines.append((r.backend, r.step.label, "—", "—", "—", "—", "—", r.target, "skipped"))
            continue
        lines.append(
            (
                r.backend,
                r.step.label,
                f"{r.rows:,}",
                _seconds(r.seconds),
                f"{r.rate:,.0f}",
                _ratio(r.ratio),
                f"{r.peak_mb:.0f}",
                r.target,
                "ok" if r.ok else "MISSED",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for n, line in enumerate(lines):
        print(
            "  ".join(
                cell.ljust(w) if i < 2 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print(f"\nmemory target: peak < {MEMORY_TARGET_MB} MB (the step's process plus the reader it starts)")
    notes = [r for r in results if r.note or r.skipped]
    if notes:
        print()
    for r in notes:
        print(f"[{r.backend}] {r.step.label}: {r.skipped or r.note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=10_000, help="members an emergency calls")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--only",
        action="append",
        choices=[m.removeprefix("bench_") for m in MODULES],
        help="run only these benchmarks (the exports need the roster's)",
    )
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        backend = args.backend[0] if args.backend else ""
        run_step(args.step, Context(Path(args.workdir), args.rows, backend, calls=args.calls))
        return 0
    if args.only:
        MODULES[:] = [m for m in MODULES if m.removeprefix("bench_") in args.only]

    backends = args.backend or ["sqlite", "postgresql"]
    if "postgresql" in backends and not postgres_answers():
        print("PostgreSQL does not answer on 127.0.0.1:5432: SQLite only.")
        backends = [b for b in backends if b != "postgresql"]
    steps = all_steps()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="baodao-bench-") as tmp:
        workdir = Path(tmp)
        generating = [step for step in steps if step.generate]
        if generating:
            print(f"generating the data ({args.rows:,} rows)…", flush=True)
        for step in generating:
            _spawn(step.name, Context(workdir, args.rows, "", calls=args.calls), None)
        for backend in backends:
            with database(backend, workdir) as url:
                timed: dict[str, Result] = {}
                figures: dict[str, dict[str, Any]] = {}
                for step in steps:
                    if step.generate:
                        continue
                    if step.measured_by is None:
                        print(f"[{backend}] {step.label}…", flush=True)
                        measured = _spawn(
                            step.name, Context(workdir, args.rows, backend, calls=args.calls), url
                        )
                        figures.update(measured.pop("more", {}))
                    else:
                        measured = {
                            "peak_mb": timed[step.measured_by].peak_mb,
                            **figures.pop(step.name, {"rows": 0, "seconds": 0, "skipped": "not measured"}),
                        }
                    if step.setup:
                        continue
                    result = Result(
                        backend,
                        step,
                        measured["rows"],
                        measured["seconds"],
                        measured["peak_mb"],
                        note=measured.get("note", ""),
                        skipped=measured.get("skipped", ""),
                    )
                    base = timed.get(step.baseline) if step.baseline else None
                    if base is not None and base.seconds and not result.skipped:
                        result.ratio = result.seconds / base.seconds
                    timed[step.name] = result
                    results.append(result)
    print()
    print_table(results)
    missed = [r for r in results if not r.ok]
    if missed:
        print("\nMISSED: " + ", ".join(f"{r.backend} {r.step.label}" for r in missed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
