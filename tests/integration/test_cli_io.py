"""`python -m pdcore import | sync | export`: the same import path, exit codes, one-line errors."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from pdcore import authz, cli, db, imports, sheets
from tests.conftest import ROOT
from tests.fixtures.sheets.replay import (
    SCHOOL_KEY,
    csv_rows,
    offline_client,
    school_sheet,
)
from tests.integration.conftest import query

DEMO_ROSTER = ROOT / "data" / "demo_roster.csv"
DEMO_RESPONSES = ROOT / "data" / "demo_responses.csv"


def test_import_prints_counts_and_warns_about_problem_rows(school_db, capsys):
    code = cli.main(
        [
            "--db",
            str(school_db),
            "import",
            "--roster",
            str(DEMO_ROSTER),
            "--responses",
            str(DEMO_RESPONSES),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert "roster: 261 rows read, 2 added, 1 updated, 258 unchanged, 1 deactivated" in out
    assert "Meeting times the school has no slot for: 'Fri lunch'." in out
    assert "Added: " in out and "Deactivated: Kofi Hart." in out
    assert "warning: row 7, Colleagues I'd like to work with: 'someone@elsewhere.org'" in err
    assert query(
        school_db, "SELECT active FROM staff WHERE email = 'kofi.hart@demo-school.org'"
    ) == [(False,)]
    # The same files again change nothing.
    assert cli.main(["--db", str(school_db), "import", "--roster", str(DEMO_ROSTER)]) == 0
    assert "0 added, 0 updated, 261 unchanged, 0 deactivated" in capsys.readouterr().out


def test_a_bad_file_exits_1_with_one_line_and_writes_nothing(school_db, tmp_path, capsys):
    bad = tmp_path / "roster.csv"
    bad.write_text("Name,Department\nAna Ruiz,Math\n", encoding="utf-8")
    before = query(school_db, "SELECT count(*), count(*) FILTER (WHERE active) FROM staff")
    code = cli.main(["--db", str(school_db), "import", "--roster", str(bad)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: The roster has no 'Email' column")
    assert "Nothing was written." in err
    assert query(school_db, "SELECT count(*), count(*) FILTER (WHERE active) FROM staff") == before
    assert query(school_db, "SELECT status FROM sync_runs ORDER BY id DESC LIMIT 1") == [
        ("failed",)
    ]


def test_import_needs_a_file(school_db, capsys):
    assert cli.main(["--db", str(school_db), "import"]) == 2
    assert "--roster" in capsys.readouterr().err


def test_a_missing_file_is_a_one_line_error(school_db, capsys):
    code = cli.main(["--db", str(school_db), "import", "--roster", "nowhere.csv"])
    assert code == 1 and "nowhere.csv" in capsys.readouterr().err


def test_export_cohorts_has_the_documented_columns(school_db, tmp_path, capsys):
    out_file = tmp_path / "cohorts.csv"
    assert cli.main(["--db", str(school_db), "export", "cohorts", "--out", str(out_file)]) == 0
    rows = list(csv.reader(io.StringIO(out_file.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["cohort_id", "cohort_name", "topic", "meeting_slot", "email", "name"]
    members = query(
        school_db,
        "SELECT count(*) FROM memberships m JOIN cohorts c ON c.id = m.cohort_id "
        "WHERE m.left_at IS NULL AND c.status = 'active'",
    )[0][0]
    assert len(rows) - 1 == members > 0
    assert f"Wrote {members} rows" in capsys.readouterr().err


def test_export_unmatched_to_standard_output(school_db, capsys):
    assert cli.main(["--db", str(school_db), "export", "unmatched"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert {"email", "name", "reason", "suggestion"} <= set(header)


def test_export_rejects_an_unknown_table(school_db, capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["--db", str(school_db), "export", "everything"])
    assert caught.value.code == 2


def test_sync_without_a_sheet_says_what_to_set_up(school_db, capsys):
    assert cli.main(["--db", str(school_db), "sync"]) == 1
    assert "No spreadsheet is connected yet" in capsys.readouterr().err


def test_sync_reads_the_connected_sheet(school_db, tmp_path, monkeypatch, capsys):
    con = db.connect(school_db)
    imports.save_source_config(con, authz.COMMAND_LINE, spreadsheet=SCHOOL_KEY)
    con.close()
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text(
        '[gcp_service_account]\nclient_email = "pd@riverside.iam.gserviceaccount.com"\n'
    )
    interactions = school_sheet(csv_rows(DEMO_ROSTER), csv_rows(DEMO_RESPONSES))
    seen = {}

    def client_for(info):
        seen["info"] = info
        return offline_client(interactions)[0]

    monkeypatch.setattr(sheets, "client_for", client_for)
    assert cli.main(["--db", str(school_db), "sync"]) == 0
    out, err = capsys.readouterr()
    assert "Import done (sheets)" in out and "2 added" in out
    assert "Read 268 rows in 2 requests" in err
    assert seen["info"]["client_email"] == "pd@riverside.iam.gserviceaccount.com"


def test_the_module_entry_point_runs_the_import(school_db):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pdcore",
            "--db",
            str(school_db),
            "import",
            "--responses",
            str(DEMO_RESPONSES),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "responses: 7 rows read" in done.stdout
