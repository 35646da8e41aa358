"""The scheduled Google Sheets sync: one daemon thread per app process (on PostgreSQL, one
process of the district runs each sync: an advisory lock).

It wakes every CHECK_SECONDS, and syncs when Sheets are configured (a service account and a
connected spreadsheet) and the last Sheets run is at least `sync_every_minutes` old (setting,
default 15; 0 turns it off). A failed run, whatever failed, is logged like any other and
retried only after the interval, so a broken link does not hammer Google's quota and the
thread never dies of it. It never blocks a page: pages only wait on the write lock for the
moment the import's transaction commits. `state` is what the Data page shows.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import streamlit as st

from pdcore import authz, clock, imports, postgres, settings, sheets
from pdcore.model import ValidationError

CHECK_SECONDS = 30
log = logging.getLogger(__name__)

_start_lock = threading.Lock()
_worker: _Worker | None = None


def service_account() -> tuple[dict | None, str]:
    """(the service account key from st.secrets or the environment, a problem sentence)."""
    try:
        return sheets.credentials_info(st.secrets), ""
    except ValidationError as exc:
        return None, str(exc)
    except Exception:  # a malformed secrets.toml: the app still runs without Sheets
        return None, "The .streamlit/secrets.toml file could not be read."


def due(con, now: datetime | None = None) -> bool:
    """True when a scheduled sync should run now."""
    every = settings.load(con).sync_every_minutes
    if every <= 0:
        return False
    last = imports.last_sync(con, "sheets")
    return last is None or (now or clock.now()) - last[0] >= timedelta(minutes=every)


def run_if_due(con, info: Mapping | None, now: datetime | None = None):
    """One scheduled tick: sync when configured and due; the ImportResult, else None.

    On PostgreSQL every app process of the district ticks, and one runs the sync: the one
    that gets the sync lock; the others skip this tick (the next finds the sync done).
    Never raises: every failure is in the run history (sync_sheets logs it) and the log."""
    try:
        if not isinstance(con, postgres.Database):
            return _sync_if_due(con, info, now)
        with con.session_lock(postgres.SYNC_LOCK_KEY, wait=False) as got:
            if not got:
                log.info("scheduled sync skipped: another app process is running it")
                return None
            return _sync_if_due(con, info, now)
    except ValidationError as exc:  # already logged in sync_runs as a failed run
        log.warning("scheduled sync failed: %s", exc)
    except Exception:  # logged in sync_runs too when the sync got that far; try next time
        log.exception("scheduled sync failed unexpectedly")
    return None


def _sync_if_due(con, info: Mapping | None, now: datetime | None):
    if not imports.sheets_ready(con, info) or not due(con, now):
        return None
    return imports.sync_sheets(con, authz.SCHEDULED_SYNC, info=info)


@dataclass(frozen=True)
class State:
    """The schedule as the Data page shows it."""

    every_minutes: int  # 0: off
    running: bool  # the thread is alive in this process
    last_run: datetime | None
    last_status: str
    next_run: datetime | None
    last_error: str  # the latest failed sync's message, when it is the latest sync


def state(con) -> State:
    every = settings.load(con).sync_every_minutes
    last = imports.last_sync(con, "sheets")
    last_at, status = last if last else (None, "")
    next_at = None
    if every > 0:
        next_at = (last_at + timedelta(minutes=every)) if last_at else clock.now()
    error = imports.last_error(con, "sheets") if status == "failed" else ""
    return State(every, running(), last_at, status, next_at, error)


class _Worker(threading.Thread):
    def __init__(self, con, info: Mapping):
        super().__init__(name="pd-sheets-sync", daemon=True)
        self.con, self.info, self.stop = con, info, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(CHECK_SECONDS):
            run_if_due(self.con, self.info)  # never raises: a failure waits for the interval


def start(con) -> bool:
    """Start the scheduler for this process's connection (once); False when Sheets are not
    set up. Cheap to call on every page run."""
    global _worker
    info, _problem = service_account()
    if not info:
        return False
    with _start_lock:
        if _worker is not None and _worker.is_alive() and _worker.con is con:
            return True
        if _worker is not None:
            _worker.stop.set()
        _worker = _Worker(con, info)
        _worker.start()
    return True


def running() -> bool:
    """True when the scheduler thread is alive in this process."""
    return _worker is not None and _worker.is_alive()
