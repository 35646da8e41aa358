"""The district launcher's refusals and the HAProxy config it writes (the processes themselves
run in tests/integration/test_district.py and tests/e2e/test_district.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pdcore import district
from pdcore.district import District, DistrictError

URL = "postgresql://pd@127.0.0.1:5432/pd"


@pytest.mark.parametrize("n", [0, -1])
def test_a_district_needs_one_process_at_least(n):
    with pytest.raises(DistrictError, match="at least one app process"):
        District(n, URL)


@pytest.mark.parametrize("target", ["data/pd.duckdb", ":memory:", "", "mysql://x@h/db"])
def test_a_database_that_is_not_postgresql_is_refused_in_one_sentence(target):
    with pytest.raises(DistrictError, match="DuckDB lets one process hold a file") as caught:
        District(2, target)
    assert str(caught.value).count(". ") == 0  # one sentence


def test_more_per_process_environments_than_processes_is_refused():
    with pytest.raises(DistrictError, match="process_env has 3 entries for 2 app processes"):
        District(2, URL, process_env=[{}, {}, {"STREAMLIT_SECRETS_FILES": "x.toml"}])


def test_missing_haproxy_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(district, "HAPROXY", str(tmp_path / "haproxy"))
    with pytest.raises(DistrictError, match="apt-get install haproxy"):
        District(2, URL)


def test_the_cli_says_the_sentence_and_exits_nonzero(capsys):
    assert district.main(["--processes", "2", "--db", "data/pd.duckdb"]) == 1
    assert "DuckDB lets one process hold a file" in capsys.readouterr().err
    assert district.main(["--processes", "0", "--db", URL]) == 1
    assert "at least one app process" in capsys.readouterr().err


def test_an_unreachable_database_stops_the_cli_before_any_process_starts(capsys):
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    assert district.main(["--db", "postgresql://pd@127.0.0.1:1/pd", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "127.0.0.1:1/pd cannot be reached" in err
    assert "Traceback" not in err


def test_the_generated_config_is_sticky_loopback_and_checked(tmp_path):
    text = district.haproxy_config(8500, [40001, 40002, 40003], tmp_path / "haproxy.sock")
    assert "bind 127.0.0.1:8500\n" in text  # loopback only
    assert f"cookie {district.COOKIE} insert indirect nocache" in text
    assert "http-check send meth GET uri /_stcore/health" in text
    assert "timeout tunnel 1h" in text  # websockets outlive the http timeouts
    for i, port in enumerate([40001, 40002, 40003]):
        assert f"server app{i + 1} 127.0.0.1:{port} cookie app{i + 1} check" in text
    if not Path(district.HAPROXY).exists():
        pytest.skip("HAProxy is not installed here")
    path = tmp_path / "haproxy.cfg"
    path.write_text(text)
    check = subprocess.run([district.HAPROXY, "-c", "-f", str(path)], capture_output=True)
    assert check.returncode == 0, check.stderr.decode()
