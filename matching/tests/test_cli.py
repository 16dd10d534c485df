"""CLI on small spreadsheets: good rows, bad rows with row numbers, XLSX."""

import csv
import subprocess
import sys
from pathlib import Path

from matching.cli import main

ROOT = Path(__file__).resolve().parents[2]

MENTORS = """id,name,level,department,team,manager_id,offers,wants,interests,availability,utc_offset,capacity,lived_experience,consent_lived_experience
m1,Ana,1,IT,a,s2,python;AI,strategy,chess,mon-am;tue-pm,0,1,race,yes
m2,Ben,2,HR,b,,tiktok,budget,jazz,mon-am,5,2,,no
m3,Cai,9,HR,x,,python,,,,0,1,,
"""
MENTEES = """id,name,level,department,team,manager_id,offers,wants,interests,availability,utc_offset
s1,Cleo,6,Finance,c,,strategy,ai;python,chess,mon-am,0
s2,Dev,7,IT,d,,budget,tiktok,,tue-pm,1
s3,Eve,5,HR,b,,,python,,,0
s4,Fay,8,Ops,e,,,,,,0
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def read_rows(path):
    with path.open() as f:
        return list(csv.DictReader(f))


def test_cli_good_files(tmp_path, capsys):
    out = tmp_path / "pairs.csv"
    code = main([str(write(tmp_path, "mentors.csv", MENTORS)),
                 str(write(tmp_path, "mentees.csv", MENTEES)), "-o", str(out)])
    assert code == 0
    rows = read_rows(out)
    matched = {(r["mentee_id"], r["mentor_id"]) for r in rows if r["status"] == "matched"}
    # m1 reports to s2 (reporting line); m3 is more senior than everyone but s4... no:
    # level 9 is never below a mentee, so m3 is never eligible.
    assert ("s2", "m1") not in matched
    assert all(m != "m3" for _, m in matched)
    assert len(matched) == 3  # m1 takes 1, m2 takes 2
    unmatched = [r for r in rows if r["status"] == "unmatched"]
    assert len(unmatched) == 1 and unmatched[0]["reasons"]
    for r in rows:
        if r["status"] == "matched":
            assert float(r["score"]) > 0 and r["reasons"]
    assert "certified optimal: True" in capsys.readouterr().out


def test_cli_bad_rows_report_row_numbers(tmp_path, capsys):
    bad = write(tmp_path, "bad.csv", "id,name,level,utc_offset,capacity,consent_group\n"
                "m1,Ana,one,0,1,\n"
                "m2,Ben,2,30,-1,maybe\n"
                ",Nobody,1,,,\n"
                "m2,Again,1,,,\n")
    code = main([str(bad), str(write(tmp_path, "mentees.csv", MENTEES)),
                 "-o", str(tmp_path / "o.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "bad.csv row 2: level must be a whole number" in err
    assert "bad.csv row 3: utc_offset" in err
    assert "bad.csv row 3: capacity must be at least 0" in err
    assert "bad.csv row 3: consent_group must be yes/no" in err
    assert "bad.csv row 4: id is required" in err
    assert "bad.csv row 5: duplicate id 'm2'" in err
    assert not (tmp_path / "o.csv").exists()


def test_cli_missing_and_unknown_columns(tmp_path, capsys):
    code = main([str(write(tmp_path, "a.csv", "name,colour\nAna,red\n")),
                 str(write(tmp_path, "b.csv", MENTEES)), "-o", str(tmp_path / "o.csv")])
    err = capsys.readouterr().err
    assert code == 2 and "missing column(s) id, level" in err and "unknown column(s) colour" in err
    code = main([str(tmp_path / "nope.csv"), str(tmp_path / "b.csv"), "-o", "x.csv"])
    assert code == 2 and "file not found" in capsys.readouterr().err


def test_cli_xlsx_and_module_entry(tmp_path):
    from openpyxl import Workbook

    for name, text in (("mentors.xlsx", MENTORS), ("mentees.xlsx", MENTEES)):
        wb = Workbook()
        for line in text.strip().splitlines():
            wb.active.append(next(csv.reader([line])))
        wb.save(tmp_path / name)
    out = tmp_path / "pairs.csv"
    proc = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "matching", str(tmp_path / "mentors.xlsx"),
         str(tmp_path / "mentees.xlsx"), "-o", str(out), "--objective", "inclusion",
         "--focus", "race"],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert sum(r["status"] == "matched" for r in read_rows(out)) == 3
