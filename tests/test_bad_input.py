"""Bad input is normal: each case gives one line naming the file (and row/column), a non-zero
exit for that file, the other files of the same command still loaded, and the warehouse intact."""

from __future__ import annotations

import os
import subprocess

import pytest
import sys
from pathlib import Path


from conftest import metrics, quarantined, query

GOOD = "date,platform,campaign,spend,impressions,clicks,currency\n2026-07-01,zhihu,brand,100.50,1000,10,CNY\n2026-07-02,zhihu,brand,99.50,900,9,CNY\n"


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def ingest_with_good(cli, tmp_path: Path, bad: Path):
    """Ingest a bad file beside a good one; return the result and check the good one loaded."""
    good = write(tmp_path / "good.csv", GOOD)
    result = cli("ingest", bad, good, "--export-date", "2026-10-01")
    assert result.exit_code == 1
    assert "good.csv: generic_cost: 2 rows loaded" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert str(bad) in errors[0]
    return errors[0]


def test_empty_file(cli, tmp_path):
    error = ingest_with_good(cli, tmp_path, write(tmp_path / "empty.csv", b""))
    assert "the file is empty (0 bytes)" in error


def test_binary_garbage(cli, tmp_path):
    garbage = bytes(range(256)) * 40
    error = ingest_with_good(cli, tmp_path, write(tmp_path / "garbage.csv", garbage))
    assert "not a text export (it contains binary data)" in error


def test_binary_without_nul_bytes(cli, tmp_path):
    garbage = bytes(b % 31 + 1 for b in range(4000))
    error = ingest_with_good(cli, tmp_path, write(tmp_path / "noise.csv", garbage))
    assert "binary data" in error


def test_wrong_encoding_names_the_line(cli, tmp_path):
    latin1 = "date,platform,campaign,spend,currency\n2026-07-01,zhihu,caf\xe9,1,CNY\n".encode("latin-1")
    error = ingest_with_good(cli, tmp_path, write(tmp_path / "latin1.csv", latin1))
    assert "cannot decode byte 0xe9 on line 2" in error
    assert "row 2" in error


def test_mixed_encodings_utf8_then_gbk(cli, tmp_path):
    content = ("日期,平台,推广计划,消费,币种\n2026-07-01,baidu,品牌,1,CNY\n".encode("utf-8")
               + "2026-07-02,baidu,品牌,2,CNY\n".encode("gbk"))
    error = ingest_with_good(cli, tmp_path, write(tmp_path / "mixed.csv", content))
    assert "mixed encodings" in error
    assert "row 3" in error


def test_mixed_encodings_gbk_then_utf8(cli, tmp_path):
    content = ("日期,平台,推广计划,消费,币种\n2026-07-01,baidu,品牌,1,CNY\n".encode("gbk")
               + "2026-07-02,baidu,品牌,2,CNY\n".encode("utf-8"))
    error = ingest_with_good(cli, tmp_path, write(tmp_path / "mixed.csv", content))
    assert "mixed encodings: line 3 is UTF-8" in error


def test_unknown_header_names_closest_sources_and_missing_columns(cli, tmp_path):
    bad = write(tmp_path / "unknown.csv", "Day,Campaign,Cost,Clicks\n2026-07-01,a,1,2\n")
    error = ingest_with_good(cli, tmp_path, bad)
    assert "no source knows this header; closest: google_ads_campaigns (missing 'Currency code')" in error
    assert "--source NAME" in error


def test_truncated_file_loads_nothing(cli, tmp_path, db):
    bad = write(tmp_path / "truncated.csv", GOOD.replace("zhihu", "wechat_ads") + "2026-07-03,wechat_ads,bra")
    error = ingest_with_good(cli, tmp_path, bad)
    assert "row 4: the file ends in the middle of a row" in error
    assert query(db, "SELECT count(*) FROM channel_daily WHERE platform = 'wechat_ads'") == [(0,)]


@pytest.mark.parametrize("content, message", [
    (GOOD.replace("CNY\n2026", "CNY\r\n2026", 1), "cannot split the file into rows: its lines end in two ways"),
    (GOOD.replace("zhihu,brand,100", 'zhihu,"brand,100', 1), "a quote (\") that is never closed"),
], ids=["mixed line ends", "unclosed quote"])
def test_a_file_duckdb_cannot_split_into_rows_fails_in_one_line(cli, tmp_path, content, message):
    error = ingest_with_good(cli, tmp_path, write(tmp_path / "unsplittable.csv", content))
    assert message in error and "save it again as CSV" in error


def test_an_old_mac_file_whose_last_line_does_not_fit_is_not_taken_for_truncated(cli, tmp_path):
    """Lines ended by \\r alone: the last line has its line end, so a field too many is a row set
    aside, not a file cut off in the middle of a row."""
    content = GOOD.replace("\n", "\r") + "2026-07-03,zhihu,brand,1,10,1,CNY,extra\r"
    path = write(tmp_path / "mac.csv", content)
    result = cli("ingest", path, "--export-date", "2026-10-01")
    assert "generic_cost: 2 rows loaded, 1 set aside" in result.stdout, result.stdout + result.stderr
    assert quarantined(cli, "row", "column") == [(4, None)]


@pytest.mark.parametrize("ending", ["   \n2026-07-03,zhihu,brand,1,10,1,CNY\n", "   "], ids=["among the rows", "last, no newline"])
def test_a_line_of_spaces_is_a_blank_row_not_a_line_that_does_not_fit(cli, tmp_path, ending):
    path = write(tmp_path / "spaces.csv", GOOD + ending)
    result = cli("ingest", path, "--export-date", "2026-10-01")
    assert result.exit_code == 0, result.stderr
    assert "set aside" not in result.stdout and "skipped 1 blank row" in result.stdout
    (run,) = cli("runs", "--format", "json").json()
    loaded = 3 if ending.strip() else 2
    assert (run["rows_read"], run["rows_loaded"], run["rows_skipped"]) == (loaded + 1, loaded, 1)


def test_header_without_rows(cli, tmp_path):
    error = ingest_with_good(cli, tmp_path, write(tmp_path / "header_only.csv", GOOD.splitlines()[0] + "\n"))
    assert "the export has a header but no data rows (source generic_cost)" in error


def test_missing_file(cli, tmp_path):
    error = ingest_with_good(cli, tmp_path, tmp_path / "nowhere.csv")
    assert "file not found" in error


def test_a_file_the_system_cannot_open_is_named_not_the_export(cli, tmp_path, monkeypatch):
    """A scratch file that cannot be written (a full disk, say) fails that export with the name
    of the file at fault; the export itself is not called unreadable."""
    from pipelines import reading

    def full_disk(path, encoding, target):
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr(reading, "_transcode", full_disk)
    error = ingest_with_good(cli, tmp_path, write(tmp_path / "bad.csv", GOOD.encode("utf-16")))
    assert "transcoded.csv: No space left on device" in error and "cannot read or write" in error


def test_broken_source_file_names_file_and_key(cli, tmp_path):
    folder = tmp_path / "my_sources"
    folder.mkdir()
    write(folder / "zhihu.yaml", "name: zhihu_ads\nfact: channel_daily\ncolumns:\n  spnd: 消费\n")
    result = cli("ingest", write(tmp_path / "good.csv", GOOD), "--sources", folder)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {folder / 'zhihu.yaml'}, column 'columns.spnd': unknown field; expected one of "
        "date, account, platform, campaign, region, product, channel, spend, impressions, clicks, conversions, currency"
    )


def test_source_file_that_is_not_yaml(cli, tmp_path):
    folder = tmp_path / "my_sources"
    folder.mkdir()
    write(folder / "broken.yaml", "name: x\ncolumns: [unclosed\n")
    result = cli("sources", "list", "--sources", folder, with_db=False)
    assert result.exit_code == 1
    assert f"error: {folder / 'broken.yaml'}" in result.stderr and "not valid YAML" in result.stderr


def test_missing_warehouse_for_a_query(cli, db):
    result = cli("runs")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {db}: no warehouse here yet. Build the demo company's with `okrfunnel demo`, or load your exports with `okrfunnel ingest PATH`"


HOLD_OPEN = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(60)
"""


def test_warehouse_locked_by_another_program(cli, tmp_path, db):
    assert cli("ingest", write(tmp_path / "good.csv", GOOD), "--export-date", "2026-10-01").exit_code == 0
    holder = subprocess.Popen([sys.executable, "-c", HOLD_OPEN, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        more = write(tmp_path / "more.csv", GOOD.replace("2026-07-0", "2026-08-0"))
        result = cli("ingest", more, "--export-date", "2026-10-01")
        assert result.exit_code == 1
        assert f"the warehouse is locked by another program (PID {holder.pid})" in result.stderr
        assert cli("runs").exit_code == 1
    finally:
        holder.kill()
        holder.wait()
    assert query(db, "SELECT count(*) FROM ingest_run") == [(1,)]


def test_another_okrfunnel_writing(cli, tmp_path, db):
    import fcntl

    lock = db.with_name(db.name + ".lock")
    with open(lock, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.write("4242")
        fh.flush()
        result = cli("ingest", write(tmp_path / "good.csv", GOOD), "--wait", "0.5")
    assert result.exit_code == 1
    assert "another okrfunnel process (PID 4242) is writing the warehouse" in result.stderr
    assert not db.exists()


def test_bad_command_line_values(cli, tmp_path):
    result = cli("ingest", write(tmp_path / "good.csv", GOOD), "--export-date", "01/10/2026")
    assert result.exit_code == 1
    assert "bad --export-date (got '01/10/2026'); expected a date as YYYY-MM-DD" in result.stderr
    result = cli("ingest", tmp_path / "good.csv", "--source", "nope")
    assert result.exit_code == 1 and "no source named 'nope'" in result.stderr


def test_input_files_are_never_modified(cli, tmp_path):
    path = write(tmp_path / "good.csv", GOOD)
    bad = write(tmp_path / "bad.csv", GOOD.replace("100.50", "-3"))
    before = {p: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in (path, bad)}
    cli("ingest", path, bad, "--export-date", "2026-10-01")
    assert {p: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in (path, bad)} == before


@pytest.mark.parametrize("blank", ["", "\n"], ids=["no blank line", "a blank line before"])
def test_mixed_encodings_beyond_the_first_block(cli, tmp_path, blank):
    """The encoding is guessed from the first 256 KiB; a later line in another one still fails
    cleanly (also when a blank line before it has the file read again to number its rows)."""
    rows = "".join(f"2026-07-01,baidu,品牌{i},1,CNY\n" for i in range(12000))
    content = ("日期,平台,推广计划,消费,币种\n" + rows + blank).encode("utf-8") + "2026-07-02,baidu,品牌,2,CNY\n".encode("gbk")
    error = ingest_with_good(cli, tmp_path, write(tmp_path / "mixed.csv", content))
    assert "mixed encodings" in error
    assert f"row {12002 + len(blank)}" in error


@pytest.mark.parametrize("expectation, message", [
    ("- expect_nothing_at_all: {column: spend}", "bad expectation expect_nothing_at_all"),
    ("- expect_column_values_to_be_between: {column: spend, min_value: x, max_value: [1]}", "bad expectation expect_column_values_to_be_between"),
    ("- expect_column_values_to_not_be_null: {column: nosuchcol}", "could not run"),
])
def test_a_broken_expectation_names_the_source_file_and_key(cli, tmp_path, expectation, message):
    folder = tmp_path / "src"
    folder.mkdir()
    source = folder / "zhihu.yaml"
    write(source, "name: zhihu_ads\nfact: channel_daily\nrequired: [date, spend]\n"
          "columns: {date: [日期], spend: [消费]}\nconstants: {platform: zhihu, currency: CNY}\n"
          f"expectations:\n  {expectation}\n")
    export = write(tmp_path / "z.csv", "日期,消费\n2026-07-01,10\n")
    result = cli("ingest", export, "--sources", folder, "--export-date", "2026-07-02")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {source}, column 'expectations[0]': ") and message in line


def test_a_compound_key_expectation_sets_aside_both_rows_of_a_repeated_key(cli, tmp_path):
    """Rows 3 and 4 share day and plan with different spend (not identical lines): both are set
    aside by the declared expect_compound_columns_to_be_unique; rows 2 and 5 load."""
    folder = tmp_path / "src"
    folder.mkdir()
    write(folder / "zhihu.yaml", "name: zhihu_ads\nfact: channel_daily\nrequired: [date, spend]\n"
          "columns: {date: [日期], campaign: [计划], spend: [消费]}\nconstants: {platform: zhihu, currency: CNY}\n"
          "expectations:\n  - expect_compound_columns_to_be_unique: {column_list: [date, campaign]}\n")
    export = write(tmp_path / "z.csv", "日期,计划,消费\n2026-07-01,A,10\n2026-07-02,A,20\n2026-07-02,A,25\n2026-07-02,B,5\n")
    result = cli("ingest", export, "--sources", folder, "--export-date", "2026-07-03")
    assert "zhihu_ads: 2 rows loaded, 2 set aside" in result.stdout, result.stderr
    assert quarantined(cli, "row", "check") == [(3, "expect_compound_columns_to_be_unique"), (4, "expect_compound_columns_to_be_unique")]


def test_a_gbk_file_whose_first_block_is_ascii_is_still_gbk(cli, tmp_path):
    rows = "".join(f"2026-07-01,baidu,plan{i},1,CNY\n" for i in range(12000))
    content = ("date,platform,campaign,spend,currency\n" + rows + "2026-07-02,baidu,品牌词,2,CNY\n").encode("gbk")
    path = write(tmp_path / "late.csv", content)
    assert "12001 rows loaded" in cli("ingest", path, "--export-date", "2026-07-03").stdout
    assert metrics(cli, "2026-07", "spend", by="campaign", filters=("campaign=品牌词",)) == [
        {"period": "2026-07", "campaign": "品牌词", "spend": 2}]


def test_a_fifo_among_the_files_neither_blocks_nor_stops_the_others(tmp_path):
    """Files are hashed ahead in one thread: opening a FIFO there would block it, and every file
    after it would wait. Run as a process, so that a hang fails the test instead of the suite."""
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    good = write(tmp_path / "good.csv", GOOD)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OKRFUNNEL_")}
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "ingest", str(fifo), str(good), "--db", str(tmp_path / "w.duckdb"),
         "--export-date", "2026-10-01"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env, check=False,
    )
    assert done.returncode == 1
    assert f"error: {fifo}: file not found" in done.stderr
    assert "good.csv: generic_cost: 2 rows loaded" in done.stdout


def test_a_file_that_changes_between_its_hash_and_its_load_loads_nothing(tmp_path, db):
    """The hash is taken at the command's start or while the file is read: a copy over the file
    meanwhile would be recorded under the other content's hash (and a later load of that content
    skipped as known). Same size, a later modification time: the load is refused, whole."""
    from pipelines.loading import hash_in_background, ingest_file
    from pipelines.registry import Registry
    from pipelines.warehouse import writer

    path = write(tmp_path / "spend.csv", GOOD)
    hashed = hash_in_background([path])[0]
    hashed.result()
    stat = path.stat()
    write(path, GOOD.replace("100.50", "200.50"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with writer(db) as w:
        outcome = ingest_file(w, path, Registry.load(), export_date=None, hashed=hashed)
    assert outcome.status == "failed"
    assert outcome.message == f"{path}: the file changed while it was being loaded; nothing of it was loaded. Load it again once the program that writes it has finished"
    assert query(db, "SELECT count(*) FROM ingest_run") == [(0,)]
    with writer(db) as w:
        assert ingest_file(w, path, Registry.load()).status == "loaded"
    assert query(db, "SELECT sum(spend) FROM channel_daily") == [(300,)]
