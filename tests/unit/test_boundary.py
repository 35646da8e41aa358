"""pdcore's domain modules import without Streamlit: only pdcore.ui may import it."""

import pkgutil
import subprocess
import sys

import pdcore
from tests.conftest import ROOT


def domain_modules() -> list[str]:
    return sorted(
        f"pdcore.{m.name}"
        for m in pkgutil.iter_modules(pdcore.__path__)
        if m.name not in ("ui", "__main__")
    )


def test_domain_modules_do_not_import_streamlit():
    modules = domain_modules()
    assert "pdcore.db" in modules and "pdcore.demo" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
