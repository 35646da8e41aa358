"""A district of two real app processes behind HAProxy on a throwaway PostgreSQL, over plain
HTTP: the sticky cookie, a kill -9 taken over by the live process, and a clean stop.
(The browser journey across the two is tests/e2e/test_district.py.)"""

from __future__ import annotations

import re
import time
import urllib.request
from pathlib import Path

import pytest

from pdcore.district import COOKIE, HAPROXY, District

pytestmark = pytest.mark.skipif(
    not Path(HAPROXY).exists(),
    reason="HAProxy is not installed (`apt-get install haproxy`; CI installs it)",
)


def get(url: str, server: str | None = None) -> tuple[int, str | None]:
    """(status, the sticky cookie HAProxy set, if any) of GET url, pinned to `server`."""
    request = urllib.request.Request(url)
    if server:
        request.add_header("Cookie", f"{COOKIE}={server}")
    with urllib.request.urlopen(request, timeout=10) as resp:
        cookie = resp.headers.get("Set-Cookie") or ""
        found = re.search(rf"{COOKIE}=(\w+)", cookie)
        return resp.status, found.group(1) if found else None


def served_by(district: District, path: str) -> list[str]:
    """Which app process served each logged request for `path`, from HAProxy's log."""
    time.sleep(0.2)  # the log line is written as the response ends
    pattern = rf"apps/(app\d+) .*\"GET {re.escape(path)} HTTP"
    return re.findall(pattern, district.log_text())


def test_two_processes_behind_haproxy_stick_fail_over_and_stop(pg_database, tmp_path):
    env = {"PDCORE_DEMO": "0", "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}
    with District(2, pg_database("empty"), env=env, folder=tmp_path) as district:
        assert district.url.startswith("http://127.0.0.1:")
        assert len(set(district.backend_urls)) == 2
        assert district.server_states() == {"app1": "UP", "app2": "UP"}

        status, first = get(district.url + "/")
        assert status == 200 and first in ("app1", "app2")  # a new browser gets a server

        for _ in range(4):  # a pinned browser always reaches its own process, no new cookie
            assert get(district.url + "/?pinned", "app2") == (200, None)
        assert served_by(district, "/?pinned") == ["app2"] * 4

        district.kill(1)
        assert district.processes[1].returncode == -9
        # At once, before the health checks notice: the request is retried on the live
        # process, which becomes the browser's process from now on.
        assert get(district.url + "/?after-kill", "app2") == (200, "app1")
        assert served_by(district, "/?after-kill") == ["app1"]
        deadline = time.monotonic() + 10
        while district.server_states().get("app2") != "DOWN" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert district.server_states() == {"app1": "UP", "app2": "DOWN"}

    assert all(p.poll() is not None for p in [district.haproxy, *district.processes])
    with pytest.raises(OSError):
        get(district.url + "/_stcore/health")
    assert "Traceback" not in district.log_text(0)
