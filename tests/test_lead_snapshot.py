"""A full snapshot's leads are kept as one row each (lead_snapshot), every other stage entry in
stage_entry; views funnel_stage_entry and lead_state show both as one, as they were before.

The mixed orders of docs/loading.md (a snapshot, a closed-won report, a one-row-per-stage report,
another snapshot, with a report without ids beside them) must give the entries and states the
rules say, and no lead may ever be in lead_snapshot and have keyed rows in stage_entry.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import metrics, migrate_before, query
from test_loading_semantics import LONG_FORM_SOURCE

SOURCES = {
    "crm_snapshot.yaml": """name: crm_snapshot
fact: funnel
lead_namespace: crm
required: [lead_id]
columns:
  lead_id: [lead]
  created_at: [created]
  mql_at: [mql]
  sql_at: [sql]
  opportunity_at: [opportunity]
  won_at: [won]
  channel: [channel]
  amount: [amount]
  currency: [currency]
""",
    "crm_won.yaml": """name: crm_won
fact: funnel
lead_namespace: crm
required: [lead_id]
columns:
  lead_id: [lead]
  won_at: {column: [close], when: {column: [stage], in: [closed won]}}
  amount: [amount]
  currency: [currency]
""",
    "lifecycle.yaml": LONG_FORM_SOURCE,  # lifecycle_history, one row per lead and stage (namespace crm)
}

SNAPSHOT_HEADER = "lead,created,mql,sql,opportunity,won,channel,amount,currency\n"
# Run 2. Rows 2-4 (the header is row 1). L3 has no currency; L1's EUR shows in its entries only
# (lead_state keeps a currency beside an amount).
SNAPSHOT_1 = SNAPSHOT_HEADER + (
    "L1,2026-07-01,2026-07-05,,,,email,,EUR\n"
    "L2,2026-07-02,2026-07-06,2026-07-10,2026-07-15,,paid_search,500,EUR\n"
    "L3,2026-07-03,,,,,email,,\n"
)
# Run 3: L2 won on 08-01 for 800 (a row that is not Closed Won has no stage date: it is set aside).
WON = "lead,stage,close,amount,currency\nL2,Closed Won,2026-08-01,800,EUR\n"
# Run 4: L3 became an MQL on 07-20; L4 is new.
HISTORY = "lead,step,day\nL3,mql,2026-07-20\nL4,lead,2026-07-21\n"
# Run 5: L2 won on 08-02 for 900 USD; L3 has no MQL date, which clears the one of run 3.
SNAPSHOT_2 = SNAPSHOT_HEADER + (
    "L2,2026-07-02,2026-07-06,2026-07-10,2026-07-15,2026-08-02,paid_search,900,USD\n"
    "L3,2026-07-03,,,,,email,,\n"
)
# Run 1 (loaded first): MQLs without lead ids, which no load of leads may touch.
REPORT = "date,stage,campaign,count\n2026-07-01,mql,webinar,3\n"

STATE = """SELECT lead_id,
                  list_transform([created_at, mql_at, sql_at, opportunity_at, won_at], lambda d: strftime(d, '%m-%d')),
                  channel, amount::DOUBLE, currency
           FROM lead_state ORDER BY lead_id"""
ENTRIES = """SELECT lead_id, stage, strftime(entered_at, '%m-%d'), channel, amount::DOUBLE, currency, run_id, source_row
             FROM funnel_stage_entry WHERE lead_id IS NOT NULL ORDER BY lead_id, entered_at"""

L1 = ("L1", ["07-01", "07-05", None, None, None], "email", None, None)
L1_ENTRIES = [("L1", "lead", "07-01", "email", None, "EUR", 2, 2), ("L1", "mql", "07-05", "email", None, "EUR", 2, 2)]
L3 = ("L3", ["07-03", None, None, None, None], "email", None, None)
L2_RUN_2 = [("L2", s, d, "paid_search", 500.0, "EUR", 2, 3)
            for s, d in (("lead", "07-02"), ("mql", "07-06"), ("sql", "07-10"), ("opportunity", "07-15"))]
L4 = ("L4", ["07-21", None, None, None, None], None, None, None)


@pytest.fixture
def load(cli, tmp_path):
    folder = tmp_path / "my_sources"
    folder.mkdir()
    for name, text in SOURCES.items():
        (folder / name).write_text(text, encoding="utf-8")

    def run(name: str, text: str, source: str, export_date: str, into: Path | None = None) -> None:
        path = tmp_path / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        args = ("ingest", path, "--sources", folder, "--source", source, "--export-date", export_date)
        result = cli(*args, "--db", into, with_db=False) if into else cli(*args)
        assert result.exit_code == 0 and "set aside" not in result.stdout, result.stdout + result.stderr

    return run


def where_leads_are(db: Path) -> tuple[list[str], list[str]]:
    """The leads held in lead_snapshot and those with keyed rows in stage_entry (or a derived
    state), after checking that no lead is in both and every keyed entry has a derived state."""
    snapshot = [r[0] for r in query(db, "SELECT lead_id FROM lead_snapshot ORDER BY 1")]
    keyed = [r[0] for r in query(db, "SELECT DISTINCT lead_id FROM stage_entry WHERE lead_id IS NOT NULL ORDER BY 1")]
    derived = [r[0] for r in query(db, "SELECT lead_id FROM entry_lead_state ORDER BY 1")]
    assert not set(snapshot) & (set(keyed) | set(derived)), (snapshot, keyed, derived)
    assert derived == keyed
    return snapshot, keyed


def test_snapshot_closed_won_report_stage_report_and_snapshot_again(load, db, cli):
    load("report", REPORT, "generic_stage_report", "2026-07-02")
    report_rows = query(db, "SELECT * FROM funnel_stage_entry WHERE lead_id IS NULL")
    assert len(report_rows) == 1 and report_rows[0][4] == 3

    load("snapshot_1", SNAPSHOT_1, "crm_snapshot", "2026-08-01")
    assert where_leads_are(db) == (["L1", "L2", "L3"], [])
    l2 = ("L2", ["07-02", "07-06", "07-10", "07-15", None], "paid_search", 500.0, "EUR")
    assert query(db, STATE) == [L1, l2, L3]
    assert query(db, ENTRIES) == [*L1_ENTRIES, *L2_RUN_2, ("L3", "lead", "07-03", "email", None, None, 2, 4)]

    # The closed-won report moves L2 out of lead_snapshot, its four stages kept, a won stage added
    # (its amount now that of its latest stage with one).
    load("won", WON, "crm_won", "2026-08-10")
    assert where_leads_are(db) == (["L1", "L3"], ["L2"])
    l2 = ("L2", ["07-02", "07-06", "07-10", "07-15", "08-01"], "paid_search", 800.0, "EUR")
    assert query(db, STATE) == [L1, l2, L3]
    assert query(db, ENTRIES) == [
        *L1_ENTRIES, *L2_RUN_2, ("L2", "won", "08-01", None, 800.0, "EUR", 3, 2),
        ("L3", "lead", "07-03", "email", None, None, 2, 4),
    ]

    # The one-row-per-stage report moves L3 (its lead stage kept, an MQL added) and adds L4.
    load("history", HISTORY, "lifecycle_history", "2026-08-20")
    assert where_leads_are(db) == (["L1"], ["L2", "L3", "L4"])
    l3 = ("L3", ["07-03", "07-20", None, None, None], "email", None, None)
    assert query(db, STATE) == [L1, l2, l3, L4]
    assert query(db, ENTRIES)[-3:] == [
        ("L3", "lead", "07-03", "email", None, None, 2, 4), ("L3", "mql", "07-20", None, None, None, 4, 2),
        ("L4", "lead", "07-21", None, None, None, 4, 3),
    ]

    # The second snapshot is the truth for L2 and L3, whatever report wrote their entries; L1
    # and L4, absent from it, keep theirs (L1 its row of the first snapshot).
    load("snapshot_2", SNAPSHOT_2, "crm_snapshot", "2026-09-01")
    assert where_leads_are(db) == (["L1", "L2", "L3"], ["L4"])
    l2 = ("L2", ["07-02", "07-06", "07-10", "07-15", "08-02"], "paid_search", 900.0, "USD")
    assert query(db, STATE) == [L1, l2, L3, L4]
    assert query(db, ENTRIES) == [
        *L1_ENTRIES,
        *(("L2", s, d, "paid_search", 900.0, "USD", 5, 2)
          for s, d in (("lead", "07-02"), ("mql", "07-06"), ("sql", "07-10"), ("opportunity", "07-15"), ("won", "08-02"))),
        ("L3", "lead", "07-03", "email", None, None, 5, 3),
        ("L4", "lead", "07-21", None, None, None, 4, 3),
    ]

    assert query(db, "SELECT * FROM funnel_stage_entry WHERE lead_id IS NULL") == report_rows
    # Every entry names its run's source and export date.
    assert query(db, """SELECT count(*) FROM funnel_stage_entry e JOIN ingest_run r USING (run_id)
                        WHERE (e.source, e.export_date) <> (r.source, r.export_date)""") == [(0,)]
    # July: leads L1-L4; MQLs L1, L2 and the report's 3; SQLs L2. Q3: one win (L2, 08-02).
    assert metrics(cli, "2026-07", "leads", "mqls", "sqls") == [{"period": "2026-07", "leads": 4, "mqls": 5, "sqls": 1}]
    assert metrics(cli, "2026-Q3", "wins", "sql_to_won_rate") == [{"period": "2026-Q3", "wins": 1, "sql_to_won_rate": 1.0}]
    (run,) = cli("runs", "--format", "json").json()[-1:]
    assert (run["date_from"], run["date_to"]) == ("2026-07-02", "2026-08-02")


def test_a_stage_report_then_a_snapshot_then_the_report_again(load, db):
    """History first (L3 lead 07-20 and MQL, L4 lead): the snapshot takes L3 over whole (its MQL
    cleared); loading a report for L3 again moves it back into stage_entry with both."""
    history = "lead,step,day\nL3,lead,2026-07-03\nL3,mql,2026-07-20\nL4,lead,2026-07-21\n"
    load("history", history, "lifecycle_history", "2026-08-20")
    assert where_leads_are(db) == ([], ["L3", "L4"])
    load("snapshot", SNAPSHOT_HEADER + "L3,2026-07-03,,,,,email,,\n", "crm_snapshot", "2026-09-01")
    assert where_leads_are(db) == (["L3"], ["L4"])
    assert query(db, STATE) == [L3, L4]
    load("again", "lead,step,day\nL3,mql,2026-07-25\n", "lifecycle_history", "2026-09-02")
    assert where_leads_are(db) == ([], ["L3", "L4"])
    assert query(db, STATE) == [("L3", ["07-03", "07-25", None, None, None], "email", None, None), L4]
    assert query(db, ENTRIES) == [
        ("L3", "lead", "07-03", "email", None, None, 2, 2), ("L3", "mql", "07-25", None, None, None, 3, 2),
        ("L4", "lead", "07-21", None, None, None, 1, 4),
    ]


def test_the_same_snapshot_twice_keeps_one_row_per_lead(load, db):
    load("s1", SNAPSHOT_1, "crm_snapshot", "2026-08-01")
    load("s2", SNAPSHOT_1.replace("L3,2026-07-03", "L3,2026-07-04"), "crm_snapshot", "2026-08-02")
    assert where_leads_are(db) == (["L1", "L2", "L3"], [])
    assert query(db, "SELECT lead_id, run_id FROM lead_snapshot ORDER BY 1") == [("L1", 2), ("L2", 2), ("L3", 2)]
    assert query(db, STATE)[2] == ("L3", ["07-04", None, None, None, None], "email", None, None)


SHOWN = ("funnel_stage_entry", "lead_state", "funnel_fact", "funnel_daily", "conversion_daily", "report_coverage")


def shown(db: Path) -> dict[str, list[tuple]]:
    return {name: query(db, f"SELECT * FROM {name} ORDER BY ALL") for name in SHOWN}


def load_runs_1_to_4(load) -> None:
    """The report without ids, the first snapshot, the closed-won report and the history."""
    for name, text, source, day in (("report", REPORT, "generic_stage_report", "2026-07-02"),
                                    ("snapshot_1", SNAPSHOT_1, "crm_snapshot", "2026-08-01"),
                                    ("won", WON, "crm_won", "2026-08-10"), ("history", HISTORY, "lifecycle_history", "2026-08-20")):
        load(name, text, source, day)


def test_migration_0010_keeps_every_row_of_a_warehouse_built_before_it(load, db, tmp_path):
    """A warehouse of schema 0009 holds the entries and states of runs 1-4 as tables, as the
    loader kept them then (copied from one loaded today, whose views show the same rows). After
    0010 it shows every row as before; a snapshot loaded next then gives both warehouses the
    same facts, though the old one holds its leads in stage_entry."""
    from pipelines import warehouse

    load_runs_1_to_4(load)
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as con:
        migrate_before(con, 10)  # its marts: copies of today's, the marts of the same facts
        con.execute(f"ATTACH '{db}' AS today (READ_ONLY)")
        for table in ("ingest_run", "report_coverage", "funnel_stage_entry", "lead_state"):
            con.execute(f"INSERT INTO {table} SELECT * FROM today.{table}")
        for mart in ("funnel_daily", "conversion_daily"):
            con.execute(f"CREATE TABLE {mart} AS SELECT * FROM today.{mart}")
        con.execute("SELECT nextval('ingest_run_id_seq') FROM range(4)")
        con.execute("DETACH today")
    before = shown(old)
    assert len(before["funnel_stage_entry"]) == 11 and len(before["lead_state"]) == 4
    assert before == shown(db)

    with duckdb.connect(str(old)) as con:
        assert warehouse.migrate(con)[0] == "0010_lead_snapshot"  # and any later one
    assert shown(old) == before
    assert where_leads_are(old) == ([], ["L1", "L2", "L3", "L4"])

    for into in (db, old):
        load("snapshot_2", SNAPSHOT_2, "crm_snapshot", "2026-09-01", into=into)
    assert where_leads_are(old) == (["L2", "L3"], ["L1", "L4"])
    assert where_leads_are(db) == (["L1", "L2", "L3"], ["L4"])
    assert shown(old) == shown(db)


def test_migration_0014_keeps_every_lead_and_files_each_combination_of_dimensions_once(load, db, tmp_path):
    """0014 moves five dimension texts of lead_snapshot and entry_lead_state (all but the
    campaign) into lead_dims.
    A warehouse of schema 0013 holding a snapshot's leads and leads with entries (copied from one
    loaded today, whose views show the same rows) shows every row as before after it; its
    combinations are in lead_dims once each, lead ids are still stored uncompressed (0012), and
    the next snapshot gives both warehouses the same facts."""
    from pipelines import warehouse

    load_runs_1_to_4(load)
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as con:
        migrate_before(con, 14)  # its marts copied below, as in the 0010 test
        con.execute(f"ATTACH '{db}' AS today (READ_ONLY)")
        for table in ("warehouse_meta", "ingest_run", "report_coverage", "stage_entry"):
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} SELECT * FROM today.{table}")
        dims = "channel, platform, campaign, region, product"
        con.execute(f"""INSERT INTO lead_snapshot
                        SELECT lead_namespace, lead_id, created_at, mql_at, sql_at, opportunity_at, won_at, {dims},
                               amount, currency, email_hash, phone_hash, source, run_id, source_row, export_date
                        FROM today.lead_snapshot JOIN today.lead_dims USING (dims) JOIN today.ingest_run USING (run_id)""")
        con.execute(f"""INSERT INTO entry_lead_state
                        SELECT lead_namespace, lead_id, created_at, mql_at, sql_at, opportunity_at, won_at, {dims},
                               amount, currency, email_hash, phone_hash
                        FROM today.entry_lead_state JOIN today.lead_dims USING (dims)""")
        for mart in ("funnel_daily", "conversion_daily"):
            con.execute(f"CREATE TABLE {mart} AS SELECT * FROM today.{mart}")
        con.execute("SELECT nextval('ingest_run_id_seq') FROM range(4)")
        con.execute("DETACH today")
    before = shown(old)
    assert where_leads_are(old) == (["L1"], ["L2", "L3", "L4"])
    assert before == shown(db)

    with duckdb.connect(str(old)) as con:
        assert warehouse.migrate(con) == ["0014_lead_dims"]
        con.execute("CHECKPOINT")
    assert shown(old) == before
    # L1 and L3: (email, EUR) and (email, no currency); L2 (paid_search, EUR); L4 nothing at all.
    assert query(old, "SELECT channel, platform, region, product, currency FROM lead_dims ORDER BY ALL") == [
        ("email", None, None, None, "EUR"), ("email", None, None, None, None),
        ("paid_search", None, None, None, "EUR"), (None, None, None, None, None)]

    for into in (db, old):
        load("snapshot_2", SNAPSHOT_2, "crm_snapshot", "2026-09-01", into=into)
    assert shown(old) == shown(db)
    assert query(old, "SELECT count(*) FROM lead_dims WHERE channel = 'paid_search' AND currency = 'USD'") == [(1,)]
    compression = query(old, """SELECT DISTINCT compression FROM pragma_storage_info('lead_snapshot')
                                WHERE column_name = 'lead_id' AND segment_type = 'VARCHAR'""")
    assert compression == [("Uncompressed",)]


def test_a_load_whose_dimensions_share_a_key_with_others_fails_and_changes_nothing(load, db, cli, tmp_path):
    """Two combinations of dimensions with one key (lead_dims_key, a 64-bit hash) would be counted
    as one. No real pair is known, so lead_dims is given a row that claims the key of (email,
    EUR) for other dimensions: a snapshot bringing (email, EUR) then fails with one line naming
    the file, and the warehouse is as it was."""
    load("snapshot_1", SNAPSHOT_1.replace(",email,,EUR", ",referral,,EUR"), "crm_snapshot", "2026-08-01")
    with duckdb.connect(str(db)) as con:
        con.execute("""INSERT INTO lead_dims
                       SELECT lead_dims_key('email', NULL, NULL, NULL, 'EUR'), 'events', NULL, NULL, NULL, 'EUR'""")
    before = db.read_bytes()
    path = tmp_path / "snapshot_2.csv"
    path.write_text(SNAPSHOT_1, encoding="utf-8")
    result = cli("ingest", path, "--sources", tmp_path / "my_sources", "--source", "crm_snapshot", "--export-date", "2026-08-02")
    assert result.exit_code != 0
    assert f"{path}: two different combinations of channel, platform, region, product and currency have the same key" in result.stdout + result.stderr
    assert db.read_bytes() == before


@pytest.mark.parametrize("declared, set_aside, snapshot, keyed, l2_created", [
    # Plain: both rows of L2 are set aside; the rest is a snapshot with each lead once.
    ("{column: lead_id}", 2, ["L1", "L3"], [], None),
    # With mostly (1 repeat in 4 rows passes 0.5): both rows load and L2's latest row wins.
    ("{column: lead_id, mostly: 0.5}", 0, [], ["L1", "L2", "L3"], "07-09"),
])
def test_a_repeated_lead_id_with_a_declared_uniqueness_check(cli, db, tmp_path, declared, set_aside, snapshot, keyed, l2_created):
    folder = tmp_path / "unique_sources"
    folder.mkdir()
    (folder / "crm_snapshot.yaml").write_text(
        SOURCES["crm_snapshot.yaml"] + f"expectations:\n  - expect_column_values_to_be_unique: {declared}\n", encoding="utf-8",
    )
    path = tmp_path / "repeated.csv"
    path.write_text(SNAPSHOT_1 + "L2,2026-07-09,,,,,email,,\n", encoding="utf-8")
    result = cli("ingest", path, "--sources", folder, "--source", "crm_snapshot", "--export-date", "2026-08-01")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert query(db, "SELECT count(*) FROM quarantine") == [(set_aside,)]
    assert where_leads_are(db) == (snapshot, keyed)
    assert query(db, "SELECT strftime(created_at, '%m-%d') FROM lead_state WHERE lead_id = 'L2'") == ([(l2_created,)] if l2_created else [])
