"""A throwaway PostgreSQL server for the tests (scripts/pg_throwaway.sh) and fresh databases
on it, each copied from a template database (fast: no migrations per test)."""

from __future__ import annotations

import itertools
import os
import subprocess
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "pg_throwaway.sh"
_names = itertools.count(1)


def start() -> tuple[str, str]:
    """Start a server; returns (its postgres database URL, its folder for stop())."""
    done = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"Could not start PostgreSQL: {done.stderr.strip()[-2000:]}")
    url, folder = done.stdout.split()
    return url, folder


def stop(folder: str) -> None:
    subprocess.run(["bash", str(SCRIPT), "stop", folder], capture_output=True, check=False)


def down(folder: str) -> None:
    """Stop the server as a crash would (immediate), keeping its data for up()."""
    subprocess.run(["bash", str(SCRIPT), "down", folder], capture_output=True, check=True)


def up(folder: str) -> None:
    """Start a server stopped by down() again, on the same port."""
    subprocess.run(["bash", str(SCRIPT), "up", folder], capture_output=True, check=True)


def url_of(server_url: str, name: str) -> str:
    return server_url.rsplit("/", 1)[0] + "/" + name


def create(server_url: str, template: str | None = None, name: str | None = None) -> str:
    """A new database on the server (a copy of `template` when given); returns its URL."""
    name = name or f"t{os.getpid()}_{next(_names)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return url_of(server_url, name)


def drop(server_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
