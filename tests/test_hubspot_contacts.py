"""HubSpot contacts: the hand-written fixture and its expected facts, worked out by hand.

Fixture rows (Q3 2026 = 2026-07-01..2026-09-30):
  101 created 07-01, MQL 07-03, SQL 07-10, opp 07-20, won 08-15, Paid Search, 12000
  102 created 07-02, MQL 07-05, Organic Social
  103 created 06-28, MQL 07-01, SQL 09-30 23:00, Paid Social
  104 created 07-15, AI Referrals
  105 created 08-01, MQL 08-02, SQL 08-05, opp 08-10, won 09-01, Offline Sources, "30,000"
  106 Create Date "not a date"                    -> set aside (row 7)
  107 created 09-10, MQL 09-12, "Some New Source"  -> channel other, with a warning
  105 again, identical line                       -> skipped
  (no Record ID)                                  -> set aside (row 10)
  108 Recent Deal Amount -5                       -> set aside (row 11)
"""

import hashlib

import duckdb
import pytest
from conftest import FIXTURES, metrics, migrate_before, query

FIXTURE = FIXTURES / "sources" / "hubspot_contacts.csv"


def test_counts_and_cohorts_for_the_quarter(cli, db):
    result = cli("ingest", FIXTURE, "--export-date", "2026-10-01")
    assert result.exit_code == 0, result.stderr
    assert "6 rows loaded, 3 set aside" in result.stdout
    assert "1 identical duplicate line" in result.stdout
    assert "'Some New Source' (1)" in result.stderr

    (q3,) = metrics(cli, "2026-Q3", "leads", "mqls", "sqls", "opportunities", "wins", "won_revenue",
                    "mql_to_sql_rate", "sql_to_won_rate")
    assert q3 == {
        "period": "2026-Q3", "leads": 5, "mqls": 5, "sqls": 3, "opportunities": 2, "wins": 2,
        "won_revenue": 42000, "mql_to_sql_rate": 0.6, "sql_to_won_rate": 2 / 3,
    }
    (july,) = metrics(cli, "2026-07", "leads", "mqls", "sqls", "mql_to_sql_rate")
    assert july == {"period": "2026-07", "leads": 3, "mqls": 3, "sqls": 1, "mql_to_sql_rate": 2 / 3}


def test_identical_lines_without_a_record_id_count_once_when_the_ids_are_unique(cli, tmp_path):
    """With every Record ID unique, identical lines can only be among the rows without one, and
    only those are compared: the two identical id-less lines must still count as one line,
    set aside once, and the checks must count the rows that remain."""
    header = FIXTURE.read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "contacts.csv"
    path.write_text(header + "\n201,Kim,kim@corp.com,,2026-07-01 09:00,,,,,Paid Search,\n"
                    ",Lee,lee@corp.com,,2026-07-02 09:00,,,,,Paid Search,\n"
                    "202,Max,max@corp.com,,2026-07-03 09:00,,,,,Paid Search,\n"
                    ",Lee,lee@corp.com,,2026-07-02 09:00,,,,,Paid Search,\n", encoding="utf-8")
    result = cli("ingest", path, "--export-date", "2026-10-01")
    assert "2 rows loaded, 1 set aside" in result.stdout and "skipped 1 identical duplicate line" in result.stdout
    assert [(r["row"], r["column"]) for r in cli("quarantine", "--format", "json").json()] == [(3, "Record ID")]
    checks = {r["expectation"]: r for r in cli("validations", "--run", "1", "--format", "json").json()}
    assert checks["expect_column_values_to_not_be_null"]["element_count"] == 3
    assert checks["expect_column_values_to_not_be_null"]["unexpected_count"] == 1
    assert checks["expect_column_values_to_be_unique"]["success"] is True


def test_channels_follow_the_source_map(cli):
    cli("ingest", FIXTURE, "--export-date", "2026-10-01")
    rows = metrics(cli, "2026-Q3", "mqls", "leads", by="channel")
    assert {r["channel"]: (r["mqls"], r["leads"]) for r in rows} == {
        "paid_search": (1, 1), "organic_social": (1, 1), "paid_social": (1, 0),
        "events": (1, 1), "other": (1, 1), "referral": (0, 1),
    }


def test_set_aside_rows_name_row_column_value_and_reason(cli):
    cli("ingest", FIXTURE, "--export-date", "2026-10-01")
    rows = cli("quarantine", "--format", "json").json()
    assert [(r["row"], r["column"], r["value"], r["check"]) for r in rows] == [
        (7, "Create Date", "not a date", "unexpected_rows_expectation"),
        (10, "Record ID", None, "expect_column_values_to_not_be_null"),
        (11, "Recent Deal Amount", "-5", "expect_column_values_to_be_between"),
    ]
    assert rows[2]["reason"] == "must not be negative"
    assert '"Record ID":"108"' in rows[2]["raw_row"] and '"First Name":"***"' in rows[2]["raw_row"]


def test_email_and_phone_are_never_stored_in_clear(cli, db):
    cli("ingest", FIXTURE, "--export-date", "2026-10-01")
    dump = "\n".join(
        str(row)
        for table in ("funnel_stage_entry", "lead_state", "quarantine", "validation_result", "ingest_run")
        for row in query(db, f"SELECT * FROM {table}")
    )
    assert "@example.com" not in dump
    assert "138 0000 0001" not in dump and "13800000001" not in dump
    # The salted MD5 of the lowercased address (of the phone's digits and +), its 16 bytes read
    # as a little-endian number, which is how DuckDB's md5_number reads them.
    ((salt,),) = query(db, "SELECT value FROM warehouse_meta WHERE key = 'pii_salt'")
    (email_hash, phone_hash) = query(db, "SELECT email_hash, phone_hash FROM lead_state WHERE lead_id = '101'")[0]
    assert email_hash == int.from_bytes(hashlib.md5((salt + "ann@example.com").encode()).digest(), "little")
    assert phone_hash == int.from_bytes(hashlib.md5((salt + "+8613800000001").encode()).digest(), "little")


@pytest.mark.parametrize("phone, digits", [
    # Digits, +, spaces and hyphens only: read without the regular expression.
    ("+86 138-0000-0001", "+8613800000001"), ("13800000001", "13800000001"), ("+1 555 - 0101", "+15550101"),
    # Anything else: every character but digits and + dropped.
    ("(010) 8888.1234 ext 12", "01088881234" + "12"), ("tel:+1\u00a0555\u20110101", "+15550101"), ("１２３", None),
    ("unknown", None), ("- -", None),
])
def test_a_phone_is_hashed_as_its_digits_and_plus(cli, db, tmp_path, phone, digits):
    header, first = FIXTURE.read_text(encoding="utf-8").splitlines()[:2]
    path = tmp_path / "contacts.csv"
    path.write_text(header + "\n" + first.replace("+86 138 0000 0001", f'"{phone}"') + "\n", encoding="utf-8")
    assert cli("ingest", path, "--export-date", "2026-10-01").exit_code == 0
    ((salt,),) = query(db, "SELECT value FROM warehouse_meta WHERE key = 'pii_salt'")
    expected = None if digits is None else int.from_bytes(hashlib.md5((salt + digits).encode()).digest(), "little")
    assert query(db, "SELECT phone_hash FROM lead_state") == [(expected,)]


def warehouse_of_schema_12(db, with_hash: bool) -> str:
    """A warehouse as okrfunnel made it before migration 0013 (holding a SHA-256 email hash or
    none); return its salt."""
    with duckdb.connect(str(db)) as con:
        migrate_before(con, 13)
        (salt,) = con.execute("SELECT value FROM warehouse_meta WHERE key = 'pii_salt'").fetchone()
        if with_hash:
            digest = int(hashlib.sha256((salt + "ann@example.com").encode()).hexdigest()[:32], 16)
            con.execute("""INSERT INTO stage_entry (lead_namespace, lead_id, stage, entered_at, email_hash, source, run_id, source_row, export_date)
                           VALUES ('hubspot', '99', 'lead', '2026-06-01', ?, 'hubspot_contacts', 0, 2, '2026-06-02')""", [digest])
    return salt


def test_a_warehouse_that_holds_sha256_hashes_keeps_hashing_with_sha256(cli, db):
    """Migration 0013 leaves it on SHA-256: the same address must still match the same number."""
    salt = warehouse_of_schema_12(db, with_hash=True)
    cli("ingest", FIXTURE, "--export-date", "2026-10-01")
    assert query(db, "SELECT value FROM warehouse_meta WHERE key = 'pii_hash'") == []
    (old,) = query(db, "SELECT email_hash FROM funnel_stage_entry WHERE lead_id = '99'")[0]
    (email_hash, phone_hash) = query(db, "SELECT email_hash, phone_hash FROM lead_state WHERE lead_id = '101'")[0]
    assert email_hash == old == int(hashlib.sha256((salt + "ann@example.com").encode()).hexdigest()[:32], 16)
    assert phone_hash == int(hashlib.sha256((salt + "+8613800000001").encode()).hexdigest()[:32], 16)


def test_a_warehouse_without_any_hash_yet_moves_to_md5(cli, db):
    salt = warehouse_of_schema_12(db, with_hash=False)
    cli("ingest", FIXTURE, "--export-date", "2026-10-01")
    assert query(db, "SELECT value FROM warehouse_meta WHERE key = 'pii_hash'") == [("md5",)]
    (email_hash,) = query(db, "SELECT email_hash FROM lead_state WHERE lead_id = '101'")[0]
    assert email_hash == int.from_bytes(hashlib.md5((salt + "ann@example.com").encode()).digest(), "little")


def test_a_hashing_scheme_this_okrfunnel_does_not_know_fails_the_file_in_one_line(cli, db):
    from pipelines import warehouse

    with duckdb.connect(str(db)) as con:
        warehouse.migrate(con)
        con.execute("UPDATE warehouse_meta SET value = 'xxh3' WHERE key = 'pii_hash'")
    result = cli("ingest", FIXTURE, "--export-date", "2026-10-01")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {db}: the warehouse hashes email and phone by a scheme this okrfunnel does not know: 'xxh3'. Upgrade okrfunnel"
    )
    assert query(db, "SELECT count(*) FROM ingest_run") == [(0,)]


def test_a_warehouse_of_a_newer_schema_is_not_written(cli, db):
    from pipelines import warehouse

    with duckdb.connect(str(db)) as con:
        warehouse.migrate(con)
        con.execute("INSERT INTO schema_migration VALUES (99, '0099_future', now())")
    before = db.read_bytes()
    result = cli("ingest", FIXTURE, "--export-date", "2026-10-01")
    assert result.exit_code != 0
    assert "the warehouse was written by a newer okrfunnel (schema 99)" in result.stderr
    assert db.read_bytes() == before


def test_a_phone_cell_without_digits_has_no_hash(cli, db, tmp_path):
    """Two leads whose phone says "unknown" must not match each other through their phone."""
    header = FIXTURE.read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "contacts.csv"
    path.write_text(header + "\n301,Kim,kim@corp.com,unknown,2026-07-01 09:00,,,,,Paid Search,\n"
                    "302,Lee,lee@corp.com,n.a.,2026-07-02 09:00,,,,,Paid Search,\n"
                    "303,Max,max@corp.com,(010) 5555,2026-07-03 09:00,,,,,Paid Search,\n", encoding="utf-8")
    cli("ingest", path, "--export-date", "2026-10-01")
    hashes = dict(query(db, "SELECT lead_id, phone_hash FROM lead_state ORDER BY lead_id"))
    assert hashes["301"] is None and hashes["302"] is None and hashes["303"] is not None


def test_hashes_made_before_migration_0011_still_match_new_ones(cli, db):
    """A warehouse of schema 0010 keeps hashes as 64 hex characters; 0011 turns them into the
    number a load makes now, so the same address still matches across the two."""
    with duckdb.connect(str(db)) as con:
        migrate_before(con, 11)
        (salt,) = con.execute("SELECT value FROM warehouse_meta WHERE key = 'pii_salt'").fetchone()
        digest = hashlib.sha256((salt + "ann@example.com").encode()).hexdigest()
        con.execute("""INSERT INTO stage_entry (lead_namespace, lead_id, stage, entered_at, email_hash, source, run_id, source_row, export_date)
                       VALUES ('hubspot', '99', 'lead', '2026-06-01', ?, 'hubspot_contacts', 0, 2, '2026-06-02')""", [digest])
    cli("ingest", FIXTURE, "--export-date", "2026-10-01")
    (old,) = query(db, "SELECT email_hash FROM funnel_stage_entry WHERE lead_id = '99'")[0]
    (new,) = query(db, "SELECT email_hash FROM lead_state WHERE lead_id = '101'")[0]
    assert old == new == int(digest[:32], 16)


def test_personal_data_stays_masked_in_lines_that_do_not_fit_and_in_repeated_headings(cli, tmp_path):
    header = FIXTURE.read_text(encoding="utf-8").splitlines()[0]
    text = (header + ',"Email"\n'
            "201,Kim,kim@corp.com,+1 555 0101,2026-07-01 09:00,,,,,Paid Search,,second@corp.com\n"
            "202,Lee,lee@corp.com,+1 555 0102,2026-07-01 09:00,,,,,Paid Search,,x@corp.com,EXTRA\n"
            "203,Max,,,not a date,,,,,Paid Search,,third@corp.com\n"
            # An unquoted comma in the first name moves the address into the Last Name's place.
            "204,Smith, Jo,jo@corp.com,,2026-07-01 09:00,,,,,Paid Search,,fourth@corp.com\n")
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    assert cli("ingest", path, "--export-date", "2026-10-01").exit_code == 0
    rows = cli("quarantine", "--format", "json").json()
    dump = str(rows)
    assert "@corp.com" not in dump and "555" not in dump and "Lee" not in dump and "Max" not in dump
    assert [r["row"] for r in rows] == [3, 4, 5]
