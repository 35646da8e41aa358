"""Start the real app server the way the README's `make run` does, and watch it.

Shared by the browser tests (tests/e2e) and the load test (benchmarks/load.py): a free port on
127.0.0.1, `python -m streamlit run app.py` with PDCORE_DB pointing at a database the caller
chose, a wait on /_stcore/health, the server's log captured to a file, and the server
process's CPU time and resident memory read from /proc (no extra dependency).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from pdcore import district

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def log_problems(text: str) -> list[str]:
    """Tracebacks and error lines in a server's log text (there should be none)."""
    found = [m.group(0) for m in re.finditer(r"Traceback \(most recent call last\):", text)]
    found += [line for line in text.splitlines() if re.search(r"Uncaught app e|\bCRITICAL\b", line)]
    return found


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time process `pid` has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


free_port = district.free_port  # a TCP port on 127.0.0.1 that nobody listens on right now


def run_command(port: int | str, extra_args: tuple[str, ...] = ()) -> list[str]:
    """The Makefile's `run`/`serve` command, with the port filled in (`run` adds
    PDCORE_DEMO=1 to the environment, which AppServer's `demo` does here)."""
    return district.app_command(port, extra_args)


class AppServer:
    """One `streamlit run app.py` process on 127.0.0.1 serving the database at `db_path`
    (a DuckDB file or a postgresql:// address)."""

    def __init__(
        self,
        db_path: str | os.PathLike,
        log_path: str | os.PathLike,
        *,
        port: int | None = None,
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        via_make: bool = False,
        cwd: str | os.PathLike = ROOT,
        demo: bool = True,
    ):
        # A file (DuckDB), or a postgresql:// address kept as it is (a Path would fold its //).
        self.db_path = db_path if str(db_path).startswith("postgres") else Path(db_path)
        self.log_path = Path(log_path)
        self.port = port or free_port()
        self.extra_args = extra_args
        # Demo mode (PDCORE_DEMO, as `make run` sets it): the demo sign-in on a demo database.
        self.env = {"PDCORE_DEMO": "1" if demo else "0", **(env or {})}
        self.demo = demo
        # via_make runs the README's own command (`make run PORT=...`) instead of the
        # equivalent direct command; the server is then a grandchild in its own process group.
        self.via_make = via_make
        self.cwd = Path(cwd)  # where app.py is (another folder only for the floor apps)
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0
        self.ready_after = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/_stcore/stream"

    def start(self, timeout: float = 90) -> AppServer:
        """Start the server and wait until /_stcore/health answers (or fail with its log)."""
        env = {**os.environ, "PDCORE_DB": str(self.db_path), **self.env}
        self._log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop())
        self.started_at = time.perf_counter()
        if self.via_make:
            target = "run" if self.demo else "serve"
            command = ["make", "-s", "--no-print-directory", target, f"PORT={self.port}"]
            env.pop("MAKEFLAGS", None)  # a `make test` parent must not leak its flags
            env.pop("MAKELEVEL", None)
        else:
            command = run_command(self.port, self.extra_args)
        self.proc = subprocess.Popen(
            command,
            cwd=self.cwd,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited early:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        self.ready_after = time.perf_counter() - self.started_at
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"the app did not answer /_stcore/health in {timeout} s:\n{self.log_text()}"
        )

    def stop(self) -> None:
        """Stop the server (politely, then firmly) and close its log."""
        if self.proc and self.proc.poll() is None:
            # The whole group we started: make and the streamlit it runs (nothing else).
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def problems(self) -> list[str]:
        """Tracebacks and error lines in the server log (there should be none)."""
        return log_problems(self.log_text())

    @property
    def pid(self) -> int:
        """The streamlit process (under `make`, its child)."""
        if not self.via_make:
            return self.proc.pid
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        return int(children.split()[0])

    def cpu_seconds(self) -> float:
        """User plus system CPU time the server process has used so far."""
        return process_cpu_seconds(self.pid)

    def memory_mb(self) -> tuple[float, float]:
        """(current, peak) resident memory of the server process, in MB."""
        status = Path(f"/proc/{self.pid}/status").read_text()

        def field(name: str) -> float:
            return int(re.search(rf"^{name}:\s+(\d+) kB", status, re.M).group(1)) / 1024

        return field("VmRSS"), field("VmHWM")
