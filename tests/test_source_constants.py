"""A source that gives fields as constants, and funnel exports without a stage date.

An event team's attendee list (source written here, in the style of docs/sources.md): every
attendee became a lead on the event day, 2026-07-15 (constant ``created_at``), through channel
events (constant); some qualified later (column Qualified):

  row  Attendee ID  Name  E-mail            Qualified
   2   A1           Ann   ann@conf.example  2026-07-16
   3   A2           Bob   bob@conf.example  (blank)

So 2 leads in July 2026, both on 07-15 and in channel events; 1 MQL (A1, 07-16).
"""

import hashlib

import pytest

from conftest import metrics, query

EVENT_SOURCE = """name: event_attendees
title: Event attendee list
fact: funnel
lead_namespace: events
required: [lead_id, email]
pii: [Name]
columns:
  lead_id: [Attendee ID]
  email: [E-mail]
  mql_at: [Qualified]
constants:
  created_at: "{created_at}"
  channel: events
"""
ATTENDEES = "Attendee ID,Name,E-mail,Qualified\nA1,Ann,ann@conf.example,2026-07-16\nA2,Bob,bob@conf.example,\n"


def write_event_source(tmp_path, created_at: str):
    sources = tmp_path / "sources"
    sources.mkdir(exist_ok=True)
    (sources / "event_attendees.yaml").write_text(EVENT_SOURCE.format(created_at=created_at), encoding="utf-8")
    export = tmp_path / "attendees.csv"
    export.write_text(ATTENDEES, encoding="utf-8")
    return sources, export


def test_a_constant_stage_date_dates_every_row(cli, tmp_path):
    sources, export = write_event_source(tmp_path, "2026-07-15")
    result = cli("ingest", export, "--sources", sources, "--export-date", "2026-07-31")
    assert "event_attendees: 2 rows loaded" in result.stdout, result.stderr
    (july,) = metrics(cli, "2026-07", "leads", "mqls", by="channel")
    assert july == {"period": "2026-07", "channel": "events", "leads": 2, "mqls": 1}
    (event_day,) = metrics(cli, "2026-07-15..2026-07-15", "leads", "mqls")
    assert event_day == {"period": "2026-07-15..2026-07-15", "leads": 2, "mqls": 0}


def test_a_constant_that_does_not_parse_names_the_source_file_and_key(cli, tmp_path):
    sources, export = write_event_source(tmp_path, "mid July")
    result = cli("ingest", export, "--sources", sources, "--export-date", "2026-07-31")
    assert result.exit_code == 1
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "event_attendees.yaml" in error and "constants.created_at" in error and "'mid July'" in error


@pytest.mark.parametrize("key, value, expected", [
    ("channel", "paid_serach", "is not a channel"),
    ("currency", "RMB", "is not an ISO 4217 currency code"),
    ("currency", "--", "is not an ISO 4217 currency code"),
    ("amount", "-100", "is not a number that is not negative"),
])
def test_a_constant_the_checks_would_refuse_in_a_cell_refuses_the_source(cli, tmp_path, key, value, expected):
    """The checks every source gets look at cells, not at constants: a constant they would
    refuse (a misspelt channel, a currency no one knows) would give every row a wrong value."""
    sources, export = write_event_source(tmp_path, "2026-07-15")
    source = sources / "event_attendees.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("  channel: events\n", f"  {key}: {value!r}\n"), encoding="utf-8")
    result = cli("ingest", export, "--sources", sources, "--export-date", "2026-07-31")
    assert result.exit_code == 1
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "event_attendees.yaml" in error and f"constants.{key}" in error and f"{value!r} {expected}" in error
    assert cli("runs", "--format", "json").json() == []


def test_a_constant_is_trimmed_as_a_cell_would_be(cli, tmp_path):
    sources, export = write_event_source(tmp_path, " 2026-07-15 ")
    source = sources / "event_attendees.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("  channel: events\n", "  channel: ' events '\n"), encoding="utf-8")
    assert "event_attendees: 2 rows loaded" in cli("ingest", export, "--sources", sources, "--export-date", "2026-07-31").stdout
    (july,) = metrics(cli, "2026-07", "leads", by="channel")
    assert july == {"period": "2026-07", "channel": "events", "leads": 2}


def test_a_constant_phone_is_stored_as_its_salted_hash(cli, tmp_path, db):
    """Every attendee gets the event desk's phone: each row's hash is that of the number's digits
    (a salted MD5 as DuckDB's md5_number reads it, little-endian), and the number is not stored."""
    sources, export = write_event_source(tmp_path, "2026-07-15")
    source = sources / "event_attendees.yaml"
    source.write_text(source.read_text(encoding="utf-8") + '  phone: "+86 10 1234 5678"\n', encoding="utf-8")
    assert "event_attendees: 2 rows loaded" in cli("ingest", export, "--sources", sources, "--export-date", "2026-07-31").stdout
    ((salt,),) = query(db, "SELECT value FROM warehouse_meta WHERE key = 'pii_salt'")
    expected = int.from_bytes(hashlib.md5((salt + "+861012345678").encode()).digest(), "little")
    assert query(db, "SELECT lead_id, phone_hash FROM lead_state ORDER BY lead_id") == [("A1", expected), ("A2", expected)]


def test_a_funnel_export_without_any_stage_date_is_refused_in_one_line(cli, tmp_path):
    export = tmp_path / "ids_only.csv"
    export.write_text("lead_id,email\nL1,a@example.com\n", encoding="utf-8")
    result = cli("ingest", export, "--export-date", "2026-07-31")
    assert result.exit_code == 1
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "ids_only.csv" in error and "no stage date column" in error and "created_at" in error
