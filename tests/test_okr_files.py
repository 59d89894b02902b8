"""OKR files through the CLI: YAML and workbook load the same warehouse, every mistake is named
with its line or cell, nothing is half-loaded, focus warnings, check-ins on their own, template."""

from __future__ import annotations

import hashlib
from datetime import date

import openpyxl
import yaml
from conftest import FIXTURES, query

OKRS = FIXTURES / "okrs"
Q3 = OKRS / "okrs_2026-Q3.yaml"
TABLES = {
    "okr_cycle": "cycle, start_date, end_date, closed_at",
    "objective": "*",
    "key_result": "*",
    "checkin": "cycle, kr_id, date, confidence, note, value",
    "key_task": "*",
    "kr_revision": "cycle, kr_id, field, old_value, new_value, revision_date, approved_by",
}


def snapshot(db) -> dict[str, list]:
    return {t: sorted(query(db, f"SELECT {cols} FROM {t}"), key=repr) for t, cols in TABLES.items()}


def as_workbook(doc: dict, path) -> None:
    """The YAML document written out as the four sheets, English headings, as a team would type it."""
    book = openpyxl.Workbook()
    objectives = book.active
    objectives.title = "Objectives"
    objectives.append(["cycle", "id", "title", "owner", "level", "aligns_to"])
    results = book.create_sheet("KeyResults")
    kr_columns = ["objective", "id", "title", "owner", "metric", "kind", "channel", "platform", "baseline", "target", "weight", "confidence"]
    results.append(kr_columns)
    for o in doc["objectives"]:
        objectives.append([doc["cycle"], o["id"], o["title"], o.get("owner"), o.get("level"), o.get("aligns_to")])
        for kr in o["key_results"]:
            filters = {d: ", ".join(v if isinstance(v, list) else [v]) for d, v in kr.get("filters", {}).items()}
            results.append([o["id"], *(filters.get(c) if c in ("channel", "platform") else kr.get(c) for c in kr_columns[1:])])
    checkins = book.create_sheet("CheckIns")
    checkins.append(["kr", "date", "confidence", "note", "value"])
    for c in doc["checkins"]:
        checkins.append([c["kr"], c["date"], c["confidence"], c.get("note"), c.get("value")])
    tasks = book.create_sheet("Tasks")
    tasks.append(["kr", "title", "owner", "helpers", "due", "status", "link"])
    for t in doc["tasks"]:
        tasks.append([t["kr"], t["title"], t.get("owner"), "，".join(t.get("helpers", [])), t.get("due"), t.get("status"), t.get("link")])
    book.save(path)


def test_workbook_and_yaml_load_identical_warehouses(cli, db, tmp_path):
    book = tmp_path / "okrs.xlsx"
    as_workbook(yaml.safe_load(Q3.read_text(encoding="utf-8")), book)

    assert cli("okrs", "load", Q3).exit_code == 0
    from_yaml = snapshot(db)
    db.unlink()
    result = cli("okrs", "load", book)
    assert result.exit_code == 0, result.stderr
    assert snapshot(db) == from_yaml
    assert from_yaml["key_result"][0][:8] == (
        "2026-Q3", "KR1.1", "O1", "付费搜索 SQL 本季度 40 个", "王芳", "sqls", "total", '{"channel": ["paid_search"]}')
    assert len(from_yaml["checkin"]) == 9 and len(from_yaml["key_task"]) == 2


def test_every_mistake_is_named_with_its_line(cli):
    result = cli("okrs", "check", OKRS / "okrs_with_mistakes.yaml")
    assert result.exit_code == 1
    lines = [line.split(": ", 2)[1:] for line in result.stderr.splitlines()]
    name = "okrs_with_mistakes.yaml"
    assert [(where, what.split(";")[0]) for where, what in lines] == [
        (f"{name}, line 9, column 'metric'", "unknown metric (got 'sql')"),
        (f"{name}, line 14, column 'kind'", "cost_per_sql cannot be added up over the cycle (got 'total')"),
        (f"{name}, line 17", "target is missing"),
        (f"{name}, line 20, column 'country'", "unknown filter dimension (got 'country')"),
        (f"{name}, line 20, column 'channel'", "unknown channel (got 'paid_serch')"),
        (f"{name}, line 22, column 'confidence'", "confidence outside 1-10 (got '11')"),
        (f"{name}, line 17, column 'id'", "duplicate key result id (got 'KR1')"),
        (f"{name}, line 23, column 'id'", "duplicate objective id (got 'O1')"),
        (f"{name}, line 28, column 'target'", "target is not a number (got 'lots')"),
        (f"{name}, line 30, column 'kr'", "check-in for an unknown key result (got 'KR9')"),
        (f"{name}, line 31, column 'confidence'", "confidence outside 1-10 (got '0')"),
        (f"{name}, line 31, column 'date'", "check-in outside the cycle (got '2026-10-06')"),
    ]
    assert "Did you mean sqls?" in result.stderr and "Did you mean paid_search?" in result.stderr
    assert "expected a date from 2026-07-01 to 2026-09-30 (2026-Q3)" in result.stderr


def test_workbook_mistakes_name_the_cell(cli, tmp_path):
    doc = yaml.safe_load(Q3.read_text(encoding="utf-8"))
    doc["objectives"][0]["key_results"][1]["metric"] = "folowers"
    doc["checkins"][3]["confidence"] = 12
    book = tmp_path / "okrs.xlsx"
    as_workbook(doc, book)
    result = cli("okrs", "load", book)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: okrs.xlsx, sheet KeyResults, row 3, column 'metric (E)': unknown metric (got 'folowers'); expected "
        "leads, mqls, sqls, opportunities, wins, won_revenue, mql_to_sql_rate, sql_to_won_rate, spend, impressions, "
        "clicks, cost_per_mql, cost_per_sql, followers, net_new_followers, top_competitor_followers. Did you mean followers?",
        "error: okrs.xlsx, sheet CheckIns, row 5, column 'confidence (C)': confidence outside 1-10 (got '12'); "
        "expected a whole number from 1 to 10",
    ]


def test_a_failed_load_changes_nothing(cli, db):
    assert cli("okrs", "load", Q3).exit_code == 0
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    source_before = hashlib.sha256((OKRS / "okrs_with_mistakes.yaml").read_bytes()).hexdigest()
    assert cli("okrs", "load", OKRS / "okrs_with_mistakes.yaml").exit_code == 1
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert hashlib.sha256((OKRS / "okrs_with_mistakes.yaml").read_bytes()).hexdigest() == source_before


def test_bad_yaml_and_wrong_file_types(cli, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("cycle: 2026-Q3\nobjectives:\n  - id: O1\n   title: x\n", encoding="utf-8")
    result = cli("okrs", "check", broken)
    assert result.exit_code == 1 and "broken.yaml, line 4: not valid YAML" in result.stderr
    text = tmp_path / "okrs.txt"
    text.write_text("cycle: 2026-Q3", encoding="utf-8")
    assert "unknown OKR file type (got '.txt')" in cli("okrs", "check", text).stderr
    assert "OKR file not found" in cli("okrs", "check", tmp_path / "missing.yaml").stderr
    bad_cycle = tmp_path / "cycle.yaml"
    bad_cycle.write_text("cycle: next quarter\nobjectives: []\n", encoding="utf-8")
    assert "cycle.yaml, line 1, column 'cycle': not a cycle (got 'next quarter')" in cli("okrs", "check", bad_cycle).stderr


def test_focus_check_warns_and_still_loads(cli, tmp_path):
    objectives = [
        {"id": f"O{i}", "title": f"objective {i}", "owner": "张伟",
         "key_results": [{"id": f"KR{i}.{j}", "title": "k", "target": 1} for j in range(1, (7 if i == 1 else 2))]}
        for i in range(1, 6)
    ]
    path = tmp_path / "busy.yaml"
    path.write_text(yaml.safe_dump({"cycle": "2026-Q3", "objectives": objectives}, allow_unicode=True), encoding="utf-8")
    for command in ("check", "load"):
        result = cli("okrs", command, path)
        assert result.exit_code == 0, result.stderr
        assert result.stderr.splitlines() == [
            "warning: busy.yaml: 张伟 owns 5 objectives; more than 4 loses focus (the article recommends 2-3 objectives per owner)",
            "warning: busy.yaml: objective O1 has 6 key results; more than 5 loses focus (the article recommends 3-4 per objective)",
        ]


def test_unknown_platform_value_is_an_error_once_data_exists(cli, tmp_path):
    path = tmp_path / "okrs.yaml"
    path.write_text(Q3.read_text(encoding="utf-8").replace("platform: zhihu", "platform: zhihuu"), encoding="utf-8")
    assert cli("okrs", "check", path).exit_code == 0  # no data yet: nothing to check against
    cli("ingest", OKRS / "followers.csv", "--export-date", "2026-09-01")
    result = cli("okrs", "check", path)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: okrs.yaml, line 24, column 'platform': unknown platform: no data has it (got 'zhihuu'); "
        "expected one the warehouse holds: linkedin, zhihu. Did you mean zhihu?")


def test_checkins_on_their_own(cli, db, tmp_path):
    assert cli("okrs", "load", Q3).exit_code == 0
    csv = tmp_path / "week31.csv"
    csv.write_text("关键结果编号,日期,信心指数,备注\nKR1.1,2026-08-03,6,渠道恢复\nKR1.2,2026-08-03,5,\n", encoding="utf-8-sig")
    result = cli("okrs", "checkins", csv)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"{csv}: 2026-Q3: 2 check-ins loaded"
    assert query(db, "SELECT kr_id, date, confidence, note FROM checkin WHERE date = '2026-08-03' ORDER BY kr_id") == [
        ("KR1.1", date(2026, 8, 3), 6, "渠道恢复"), ("KR1.2", date(2026, 8, 3), 5, None),
    ]

    bad = tmp_path / "bad.csv"
    bad.write_text("kr,date,confidence\nKR1.1,2026-08-10,7\nKR7,2026-08-10,5\nKR1.2,2026-08-10,15\n", encoding="utf-8")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    result = cli("okrs", "checkins", bad, "--cycle", "2026-Q3")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: bad.csv, row 3, column 'kr (A)': check-in for an unknown key result (got 'KR7'); expected a KR id of cycle 2026-Q3. Did you mean KR2.2?",
        "error: bad.csv, row 4, column 'confidence (C)': confidence outside 1-10 (got '15'); expected a whole number from 1 to 10",
    ]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before

    stray = tmp_path / "stray.csv"
    stray.write_text("kr,date,confidence\nKR1.1,2027-01-04,7\n", encoding="utf-8")
    result = cli("okrs", "checkins", stray)
    assert result.exit_code == 1 and "cannot tell which cycle these check-ins belong to" in result.stderr


def test_template_is_a_valid_starting_point(cli, tmp_path):
    for language in ("en", "zh"):
        out = tmp_path / f"okrs_{language}.xlsx"
        result = cli("okrs", "template", "--out", out, "--language", language, with_db=False)
        assert result.exit_code == 0, result.stderr
        check = cli("okrs", "check", out)
        assert check.exit_code == 0, check.stderr
        assert "2026-Q3: 1 objectives, 1 key results, 1 check-ins, 1 tasks; no problems" in check.stdout
    result = cli("okrs", "template", "--out", tmp_path / "okrs.csv", with_db=False)
    assert result.exit_code == 1 and "the template is an Excel workbook" in result.stderr


def write_okrs(tmp_path, key_results: str, name: str = "okrs.yaml"):
    path = tmp_path / name
    path.write_text("cycle: 2026-Q3\nobjectives:\n  - id: O1\n    title: t\n    key_results:\n" + key_results, encoding="utf-8")
    return path


def test_mistakes_that_would_break_evaluation_are_refused(cli, tmp_path):
    """Each of these once loaded and then crashed `krs` (empty baseline, baseline = target on a
    manual KR) or gave a traceback (an impossible date), or was silently wrong."""
    path = write_okrs(tmp_path, (
        "      - {id: K1, title: a, metric: cost_per_sql, kind: level, baseline: , target: 900}\n"
        "      - {id: K2, title: b, target: 5, baseline: 5}\n"
        "      - {id: K3, title: c, metric: sqls, target: 0}\n"
        "      - {id: K4, title: d, metric: sqls, target: 10, target: 20}\n"))
    result = cli("okrs", "check", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: okrs.yaml, line 9: not valid YAML: key 'target' given twice in one mapping"]
    path = write_okrs(tmp_path, (
        "      - {id: K1, title: a, metric: cost_per_sql, kind: level, baseline: , target: 900}\n"
        "      - {id: K2, title: b, target: 5, baseline: 5}\n"
        "      - {id: K3, title: c, metric: sqls, target: 0}\n"))
    lines = cli("okrs", "check", path).stderr.splitlines()
    assert [line.split("; expected")[0] for line in lines] == [
        "error: okrs.yaml, line 6: baseline is missing",
        "error: okrs.yaml, line 7, column 'target': target equals baseline (got '5')",
        "error: okrs.yaml, line 8, column 'target': a total target must be above 0 (got '0')",
    ]
    bad_date = write_okrs(tmp_path, "      - {id: K1, title: a, target: 5}\ntasks:\n  - {kr: K1, title: x, due: 2026-02-30}\n")
    result = cli("okrs", "check", bad_date)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: okrs.yaml, line 8: not valid YAML: not a date: 2026-02-30 (expected YYYY-MM-DD)"


def test_revisions_survive_removal_and_refuse_stale_dates(cli, db, tmp_path):
    """K1 target 1000; -> 1200 (revision_date 07-20); removed; back at 800 (no date: today).
    A K2 without baseline gets one: recorded as (none) -> 0. Then a change that keeps the old
    revision_date (07-20) is refused and loads nothing."""
    steps = [
        "      - {id: K1, title: a, metric: sqls, target: 1000}\n      - {id: K2, title: m, target: 5}\n",
        "      - {id: K1, title: a, metric: sqls, target: 1200, revision_date: 2026-07-20}\n"
        "      - {id: K2, title: m, target: 5, baseline: 0}\n",
        "      - {id: K2, title: m, target: 5, baseline: 0}\n",
        "      - {id: K1, title: a, metric: sqls, target: 800}\n      - {id: K2, title: m, target: 5, baseline: 0}\n",
    ]
    outputs = []
    for step in steps:
        result = cli("okrs", "load", write_okrs(tmp_path, step))
        assert result.exit_code == 0, result.stderr
        outputs.append(result.stdout)
    assert "K1 target 1000 -> 1200, K2 baseline (none) -> 0" in outputs[1]
    assert "K1 target 1200 -> (none)" in outputs[2]
    assert "K1 target (none) -> 800" in outputs[3]
    today = date.today().isoformat()
    assert query(db, "SELECT kr_id, field, old_value, new_value, revision_date::VARCHAR FROM kr_revision ORDER BY rowid") == [
        ("K1", "target", 1000.0, 1200.0, "2026-07-20"), ("K2", "baseline", None, 0.0, today),
        ("K1", "target", 1200.0, None, today), ("K1", "target", None, 800.0, today),
    ]
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    stale = write_okrs(tmp_path, "      - {id: K1, title: a, metric: sqls, target: 900, revision_date: 2026-07-20}\n"
                                 "      - {id: K2, title: m, target: 5, baseline: 0}\n")
    result = cli("okrs", "load", stale)
    assert result.exit_code == 1
    assert f"K1: target changed with revision_date 2026-07-20, not after its last revision ({today})" in result.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
