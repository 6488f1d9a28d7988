"""How fast capcalc answers inputs built to cost it the most, and what one visitor costs another.

* **Locks**: ``capcalc run --out out`` where ``out/.capcalc.lock`` is a symbolic link,
  a hard link, a FIFO, a folder, or a sparse gigabyte held by another process, as a
  real subprocess, against ``capcalc --version`` (the interpreter's start). Goal: the
  refusal within a second of that start.
* **Chains**: a scenario file of a 3,000-deep ``base:`` chain, in this process (goal < 1 s).
* **Sampled timelines**: 100 phases to 2100 at 200,000 samples, in this process, until
  it is refused (goal: a few seconds at most, before any real work).
* **Sessions**: a dashboard page opened alone (Streamlit's AppTest), then while another
  session in the same server process opens the costliest links and uploads one after
  the other; prints the median of each and their ratio (goal: under 2×).

Run it with nothing else busy on the machine:

    .venv/bin/python benchmarks/hostile_inputs.py [--loads 5]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOCK = ".capcalc.lock"
GOALS = {"lock": 1.0, "chain": 1.0, "timeline": 5.0, "sessions": 2.0}


def _run(args: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "calc", *args], cwd=cwd, capture_output=True,
                          timeout=300, check=False)
    return time.perf_counter() - start, done.returncode


@contextlib.contextmanager
def _held(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(fd)


def locks(folder: Path) -> None:
    """Each kind of lock that is not capcalc's, as a subprocess, against the start-up."""
    startup = min(_run(["--version"], folder)[0] for _ in range(3))
    (folder / "outside.txt").write_text("12\n", encoding="ascii")
    makers: dict[str, Callable[[Path], None]] = {
        "symlink": lambda lock: lock.symlink_to(folder / "outside.txt"),
        "hard link": lambda lock: os.link(folder / "outside.txt", lock),
        "fifo": lambda lock: os.mkfifo(lock),
        "folder": lambda lock: lock.mkdir(),
        "1 GB, held": lambda lock: lock.write_bytes(b"") or os.truncate(lock, 1 << 30),
    }
    print(f"locks (subprocess; `capcalc --version` {startup:.2f} s):")
    for name, make in makers.items():
        out = folder / f"out-{name.replace(' ', '-').replace(',', '')}"
        out.mkdir()
        make(out / LOCK)
        holder = _held(out / LOCK) if "held" in name else contextlib.nullcontext()
        with holder:
            seconds, status = _run(["run", "--out", out.name], folder)
        extra = seconds - startup
        print(f"  {name:12s} {seconds:5.2f} s (exit {status}); {extra:+.2f} s beyond start-up; "
              f"goal < {GOALS['lock']:.0f} s")


def chain(folder: Path) -> None:
    """A 3,000-deep chain of base: scenarios, refused in this process."""
    from calc.cli import main as capcalc

    path = folder / "chain.yaml"
    path.write_text("scenarios:\n" + "".join(
        f"  s{i}: {{base: {'cortex-full' if i == 0 else f's{i - 1}'}}}\n" for i in range(3000)),
        encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        capcalc(["run", "--format", "json"])  # warm the imports and the cache
        start, cpu = time.perf_counter(), time.process_time()
        status = capcalc(["run", str(path)])
        seconds, computing = time.perf_counter() - start, time.process_time() - cpu
    print(f"3,000-deep chain: {seconds:.2f} s ({computing:.2f} s of computing, most of it "
          f"reading the YAML; exit {status}); goal < {GOALS['chain']:.0f} s")


def timeline() -> None:
    """100 phases to 2100 at 200,000 samples: the time until it is refused."""
    import calc
    from calc.analysis.buildout_montecarlo import simulate_timeline
    from calc.core.errors import CapcalcError
    from calc.core.phases import Phase

    library = calc.load()
    phases = tuple(Phase(f"p{i}", f"{2025 + i // 12}-{i % 12 + 1:02d}", 100.0 + 10 * i,
                         accelerator="latest", refresh=True) for i in range(100))
    start, cpu = time.perf_counter(), time.process_time()
    try:
        simulate_timeline(library, "cortex-buildout", samples=200_000, until="2100-12",
                          phases=phases)
        said = "ran"
    except CapcalcError as error:
        said = str(error)[:90] + "…"
    print(f"100 phases to 2100, 200,000 samples: {time.perf_counter() - start:.2f} s to answer "
          f"({time.process_time() - cpu:.2f} s of computing; {said}); "
          f"goal < {GOALS['timeline']:.0f} s")


def sessions(loads: int) -> None:
    """A default page alone, then while another session opens the costliest links."""
    import logging

    from streamlit.testing.v1 import AppTest

    from dashboard.state import pack

    app = str(ROOT / "dashboard" / "app.py")
    deep = "scenarios:\n" + "".join(
        f"  s{i}: {{base: {'cortex-full' if i == 0 else f's{i - 1}'}}}\n" for i in range(800))
    many = "scenarios:\n" + "".join(f"  s{i}: {{base: cortex-full, site.pue: 1.{i:02d}}}\n"
                                    for i in range(50))
    phases = [{"name": f"p{i}", "start": f"{2025 + i // 12}-{i % 12 + 1:02d}",
               "facility_power_mw": 100 + i, "accelerator": "latest", "refresh": True}
              for i in range(100)]
    hostile = [
        {"timeline": pack("[" * 99_000), "scenario": "cortex-buildout"},
        {"upload": pack(deep), "upload_name": "deep.yaml"},
        {"upload": pack(many), "upload_name": "many.yaml"},
        {"view": "uncertainty", "samples": "200000", "fan": "1", "sobol": "1"},
        {"view": "timeline", "scenario": "cortex-buildout", "until": "2060", "slip": "1",
         "timeline": pack(json.dumps(phases))},
    ]

    def page(params: dict[str, str]) -> float:
        at = AppTest.from_file(app, default_timeout=600)
        for key, value in params.items():
            at.query_params[key] = value
        start = time.perf_counter()
        at.run()
        return time.perf_counter() - start

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest's notes of its runtime
    page({})  # warm the server's caches
    alone = [page({}) for _ in range(loads)]
    stop = threading.Event()

    def visitor() -> None:
        while not stop.is_set():
            for params in hostile:
                page(params)

    thread = threading.Thread(target=visitor, daemon=True)
    thread.start()
    time.sleep(1.0)
    beside = [page({}) for _ in range(loads)]
    stop.set()
    thread.join()
    a, b = statistics.median(alone), statistics.median(beside)
    print(f"a default page: {a:.2f} s alone, {b:.2f} s beside a hostile session: "
          f"{b / a:.1f}× (goal < {GOALS['sessions']:.0f}×)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5, help="page loads of each kind")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        locks(Path(tmp))
        chain(Path(tmp))
    timeline()
    sessions(args.loads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
