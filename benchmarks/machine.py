"""What machine a benchmark ran on, for the results it writes down."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine() -> str:
    """e.g. 'vm: 2 cores (AMD EPYC 7B13), 24 GB, Python 3.11.7'."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {mem:.0f} GB, "
        f"Python {platform.python_version()}"
    )
