"""``consult survey …`` as an operator runs it (a subprocess, SQLite; the logic underneath runs on both databases
in the other tests)."""

from __future__ import annotations

import csv
import io

from tests.surveys.support import workbook
from tests.surveys.xlsforms import simple
from tests.test_cli import consult


def test_import_list_close_and_export(tmp_path):
    env = {"CONSULT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "CONSULT_DATA_DIR": str(tmp_path),
           "CONSULT_MAIL_URL": "console://"}
    assert consult("migrate", env=env).returncode == 0
    good = tmp_path / "safety.xlsx"
    good.write_bytes(workbook())
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(simple([["integer", "age", "Age"], ["integer", "age", "Again"]]))

    refused = consult("survey", "import", str(bad), env=env)
    assert refused.returncode == 1 and "bad.xlsx: Sheet survey, row 3" in refused.stderr
    imported = consult("survey", "import", str(good), "--open", env=env)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "safety-survey"
    listing = consult("survey", "list", env=env)
    assert listing.stdout.splitlines() == ["safety-survey\tSafety survey\topen\t0"]

    out = tmp_path / "out.csv"
    exported = consult("survey", "export", "safety-survey", "--format", "csv", "--output", str(out), env=env)
    assert exported.returncode == 0, exported.stderr
    header = next(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert header[:2] == ["_id", "_version"] and "places/home" in header
    assert (tmp_path / "out.codebook.csv").exists()
    xlsx = tmp_path / "out.xlsx"
    assert consult("survey", "export", "safety-survey", "--format", "xlsx", "--output", str(xlsx),
                   env=env).returncode == 0
    assert xlsx.read_bytes()[:2] == b"PK"
    assert consult("survey", "close", "safety-survey", env=env).stdout.strip() == "safety-survey\tclosed"
    missing = consult("survey", "export", "nope", "--output", str(out), env=env)
    assert missing.returncode == 1 and "no survey 'nope'" in missing.stderr
