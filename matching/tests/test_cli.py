"""CLI on small spreadsheets: good rows, bad rows with row numbers, XLSX."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

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


def write_xlsx(tmp_path, name, text):
    from openpyxl import Workbook

    wb = Workbook()
    for line in text.strip().splitlines():
        wb.active.append(next(csv.reader([line])))
    wb.save(tmp_path / name)
    return tmp_path / name


def test_cli_xlsx_and_module_entry(tmp_path):
    for name, text in (("mentors.xlsx", MENTORS), ("mentees.xlsx", MENTEES)):
        write_xlsx(tmp_path, name, text)
    out = tmp_path / "pairs.csv"
    proc = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "matching", str(tmp_path / "mentors.xlsx"),
         str(tmp_path / "mentees.xlsx"), "-o", str(out), "--objective", "inclusion",
         "--focus", "race"],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert sum(r["status"] == "matched" for r in read_rows(out)) == 3


# --------------------------------------------------------------------------- pins, exclusions
# Without rules the best pairs are s1-m1, s2-m2 and s3-m4 (each shares a wanted topic).
# m3 reports to s3, m9 is more senior than every mentee, m0 has no place left.
# s2 and m4 share one interest, so a pin of s2 to m4 has a reason of its own.
RULE_MENTORS = """id,name,level,team,manager_id,offers,interests,capacity
m1,Ana,1,a,,python,,1
m2,Ben,2,b,,budget,,1
m3,Cai,3,c,s3,negotiation,,1
m4,Dee,1,d,,negotiation,chess;jazz,1
m9,Zed,9,z,,python,,1
m0,Nil,1,n,,python,,0
"""
RULE_MENTEES = """id,name,level,team,wants,interests,pinned_mentor,excluded_mentors
s1,Cleo,6,x,python,,,
s2,Dev,7,y,budget,chess,,
s3,Eve,8,w,negotiation,,,
"""
BASELINE = {("s1", "m1"), ("s2", "m2"), ("s3", "m4")}


def run_rules(tmp_path, rules=None, *, mentees=RULE_MENTEES, rules_name="rules.csv",
              header="mentee_id,mentor_id,rule"):
    """Run the CLI on the rules cohort; ``rules`` is the body of a rules file (or None)."""
    args = [str(write(tmp_path, "mentors.csv", RULE_MENTORS)),
            str(write(tmp_path, "mentees.csv", mentees)), "-o", str(tmp_path / "pairs.csv")]
    if rules is not None:
        text = header + "\n" + rules
        path = (write_xlsx(tmp_path, rules_name, text) if rules_name.endswith(".xlsx")
                else write(tmp_path, rules_name, text))
        args += ["--rules", str(path)]
    code = main(args)
    out = tmp_path / "pairs.csv"
    return code, (read_rows(out) if out.exists() else None)


def pairs_of(rows):
    return {(r["mentee_id"], r["mentor_id"]) for r in rows if r["status"] == "matched"}


def test_rules_cohort_baseline(tmp_path):
    code, rows = run_rules(tmp_path)
    assert code == 0
    assert pairs_of(rows) == BASELINE
    assert {r["pinned"] for r in rows} == {"no"}


def test_exclusion_is_honoured(tmp_path, capsys):
    code, rows = run_rules(tmp_path, "s1,m1,exclude\n")
    assert code == 0, capsys.readouterr().err
    pairs = pairs_of(rows)
    assert ("s1", "m1") in BASELINE and ("s1", "m1") not in pairs
    assert len(pairs) == 3 and any(e == "s1" for e, _ in pairs)  # s1 still gets a mentor
    assert "0 pinned, 1 exclusion(s) applied" in capsys.readouterr().out


def test_pin_is_honoured_marked_and_explained(tmp_path, capsys):
    code, rows = run_rules(tmp_path, "s2,m4,pin\n")
    assert code == 0, capsys.readouterr().err
    assert ("s2", "m4") not in BASELINE and ("s2", "m4") in pairs_of(rows)
    by_mentee = {r["mentee_id"]: r for r in rows}
    pinned = by_mentee["s2"]
    assert pinned["pinned"] == "yes" and pinned["status"] == "matched"
    # Who decided (and where), then what the pair still has in common.
    assert pinned["reasons"].startswith("pinned by the programme manager (rules.csv row 2); ")
    assert "interests +0.71" in pinned["reasons"]
    assert float(pinned["points_interests"]) > 0 and float(pinned["score"]) > 0
    assert by_mentee["s1"]["pinned"] == by_mentee["s3"]["pinned"] == "no"
    assert "1 pinned, 0 exclusion(s) applied" in capsys.readouterr().out


def test_rules_file_as_xlsx_case_and_spaces_and_note(tmp_path, capsys):
    code, rows = run_rules(tmp_path, "s2,m4, PIN ,asked for by both\n s1 ,m1,Exclude,\n",
                           header="mentee_id,mentor_id,rule,note", rules_name="rules.xlsx")
    assert code == 0, capsys.readouterr().err
    pairs = pairs_of(rows)
    assert ("s2", "m4") in pairs and ("s1", "m1") not in pairs
    pinned = [r for r in rows if r["pinned"] == "yes"]
    assert [r["mentee_id"] for r in pinned] == ["s2"]
    assert "(rules.xlsx row 2)" in pinned[0]["reasons"]


def test_rules_on_the_mentee_sheet(tmp_path, capsys):
    mentees = RULE_MENTEES.replace("s1,Cleo,6,x,python,,,", "s1,Cleo,6,x,python,,,m1; m9")
    mentees = mentees.replace("s2,Dev,7,y,budget,chess,,", "s2,Dev,7,y,budget,chess, m4 ,")
    code, rows = run_rules(tmp_path, mentees=mentees)
    assert code == 0, capsys.readouterr().err
    pairs = pairs_of(rows)
    assert ("s2", "m4") in pairs and ("s1", "m1") not in pairs and len(pairs) == 3
    pinned = [r for r in rows if r["pinned"] == "yes"]
    assert [r["mentee_id"] for r in pinned] == ["s2"]
    assert "(mentees.csv row 3, pinned_mentor)" in pinned[0]["reasons"]
    assert "1 pinned, 2 exclusion(s) applied" in capsys.readouterr().out


def test_pin_columns_belong_on_the_mentee_sheet(tmp_path, capsys):
    mentors = write(tmp_path, "mentors.csv", "id,level,pinned_mentor\nm1,1,\n")
    code = main([str(mentors), str(write(tmp_path, "mentees.csv", RULE_MENTEES)),
                 "-o", str(tmp_path / "pairs.csv")])
    assert code == 2
    assert "mentors.csv: unknown column(s) pinned_mentor" in capsys.readouterr().err
    assert not (tmp_path / "pairs.csv").exists()


@pytest.mark.parametrize(("rules", "message"), [
    ("s9,m1,pin\n", "rules.csv row 2: unknown mentee 's9'"),
    ("s1,m7,exclude\n", "rules.csv row 2: unknown mentor 'm7'"),
    ("m1,s1,pin\n", "rules.csv row 2: unknown mentee 'm1' (that id is a mentor)"),
    ("s1,m1,never\n", "rules.csv row 2: rule must be pin or exclude, got 'never'"),
    ("s1,,pin\n", "rules.csv row 2: mentor_id is required"),
    (",,,\ns1,m1,\n", "rules.csv row 3: rule is required"),
    ("s1,m1,exclude\ns1,m1,EXCLUDE\n",
     "rules.csv row 3: 's1' excluded from 'm1' is given twice (also rules.csv row 2)"),
    ("s1,m1,pin\ns1,m1,exclude\n",
     "rules.csv row 3: 's1' and 'm1' are both pinned and excluded (see rules.csv row 2)"),
    ("s1,m1,pin\ns1,m2,pin\n",
     "rules.csv row 3: mentee 's1' is pinned to two mentors, 'm1' (rules.csv row 2) and 'm2'"),
    ("s1,m9,pin\n", "rules.csv row 2: cannot pin 's1' to 'm9': the mentor must be at least "
                    "1 level(s) below the mentee (mentor level 9, mentee level 6)"),
    ("s3,m3,pin\n",
     "rules.csv row 2: cannot pin 's3' to 'm3': one is in the other's reporting line"),
    ("s1,m1,pin\ns2,m1,pin\n", "rules.csv row 3: cannot pin 's2' to 'm1': the mentor has "
                               "1 free place(s), already taken by the pin(s) of 's1'"),
    ("s1,m0,pin\n", "rules.csv row 2: cannot pin 's1' to 'm0': the mentor has no free place"),
])
@pytest.mark.parametrize("rules_name", ["rules.csv", "rules.xlsx"])
def test_bad_rules_are_reported_by_row_and_nothing_is_written(tmp_path, capsys, rules,
                                                             message, rules_name):
    code, rows = run_rules(tmp_path, rules, rules_name=rules_name)
    err = capsys.readouterr().err
    assert code == 2
    assert f"error: {message.replace('rules.csv', rules_name)}" in err
    assert rows is None  # no output file


def test_every_bad_rule_is_reported_at_once_in_row_order(tmp_path, capsys):
    code, rows = run_rules(tmp_path, "s1,m9,pin\ns1,m1,maybe\ns9,m1,exclude\ns2,m4,pin\n"
                                     "s3,m3,pin\n")
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and rows is None
    assert [line.split(":")[1] for line in lines] == [
        " rules.csv row 2", " rules.csv row 3", " rules.csv row 4", " rules.csv row 6"]


def test_hard_rules_follow_the_command_line_options(tmp_path, capsys):
    # m1 is only one level below s1 once s1 is at level 2: allowed with the default gap of 1.
    mentees = RULE_MENTEES.replace("s1,Cleo,6,", "s1,Cleo,2,")
    code, _ = run_rules(tmp_path, "s1,m1,pin\n", mentees=mentees)
    assert code == 0, capsys.readouterr().err
    args = [str(tmp_path / "mentors.csv"), str(tmp_path / "mentees.csv"),
            "-o", str(tmp_path / "strict.csv"), "--rules", str(tmp_path / "rules.csv"),
            "--min-level-gap", "2"]
    assert main(args) == 2
    assert ("rules.csv row 2: cannot pin 's1' to 'm1': the mentor must be at least 2 level(s) "
            "below the mentee (mentor level 1, mentee level 2)") in capsys.readouterr().err
    assert not (tmp_path / "strict.csv").exists()


def test_mentee_sheet_rule_problems(tmp_path, capsys):
    mentees = RULE_MENTEES.replace("s1,Cleo,6,x,python,,,", "s1,Cleo,6,x,python,,m1;m2,")
    code, rows = run_rules(tmp_path, mentees=mentees)
    assert code == 2 and rows is None
    assert ("mentees.csv row 2: pinned_mentor names 2 mentors (m1; m2); a mentee can be "
            "pinned to one mentor only") in capsys.readouterr().err

    mentees = RULE_MENTEES.replace("s2,Dev,7,y,budget,chess,,", "s2,Dev,7,y,budget,chess,m7,m1")
    code, rows = run_rules(tmp_path, "s2,m1,exclude\n", mentees=mentees)
    err = capsys.readouterr().err
    assert code == 2 and rows is None
    assert "mentees.csv row 3, pinned_mentor: unknown mentor 'm7'" in err
    # The same exclusion on the sheet and in the rules file: one of them is a mistake.
    assert ("rules.csv row 2: 's2' excluded from 'm1' is given twice "
            "(also mentees.csv row 3, excluded_mentors)") in err


def test_rules_file_structure_and_missing_file(tmp_path, capsys):
    rules = write(tmp_path, "rules.csv", "mentee_id,mentor,rule\ns1,m1,pin\n")
    args = [str(write(tmp_path, "mentors.csv", RULE_MENTORS)),
            str(write(tmp_path, "mentees.csv", RULE_MENTEES)), "-o", str(tmp_path / "p.csv")]
    assert main([*args, "--rules", str(rules)]) == 2
    err = capsys.readouterr().err
    assert "rules.csv: missing column(s) mentor_id" in err
    assert "rules.csv: unknown column(s) mentor" in err
    assert main([*args, "--rules", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv: file not found" in capsys.readouterr().err
    assert not (tmp_path / "p.csv").exists()
