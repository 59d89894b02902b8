"""Merge validated rows (view ``incoming``) into the facts, replacing what they restate.

- Funnel rows with a lead id: the export is the truth for the stages it covers, for the leads it
  holds. Their earlier entries of those stages are replaced; an empty stage date clears it.
- Funnel rows without a lead id: the export restates its stages over the days it covers, for the
  campaigns it holds; where two such exports cover a day, the later export date wins.
- Daily cost and follower rows: the export restates the days it covers (its first to its last
  date) for each platform, account (and campaign) it holds; several rows for one key and day are
  added up (cost) or the last one kept (a cumulative follower count). Where two exports cover
  the same key and day, the one with the later export date wins whatever the order they are
  loaded in (the same date: the later load), so days are never counted twice and a stale export
  loaded late cannot undo a restatement.
Every day and lead is counted once.
"""

from __future__ import annotations

from datetime import date

import duckdb

from pipelines.errors import WarehouseError
from pipelines.facts import DAILY_KEYS, STAGE_FIELDS
from pipelines.sourcespec import SourceSpec
from pipelines.warehouse import read_sql, refresh_marts

_DIMS = ("channel", "platform", "campaign", "region", "product")
# A lead's bounded dimensions, kept in lead_dims (migration 0014); the campaign stays on its row.
_LEAD_DIMS = "channel, platform, region, product, currency"


def merge(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, headings: dict[str, str], run_id: int, export_date: date,
    ids_once: bool = False,
) -> tuple[int, date | None, date | None]:
    """Merge ``incoming`` for ``spec``; return rows merged and the first and last day they cover.

    ``ids_once``: validation has already set aside every row whose lead id another row shares,
    so counting the distinct ids (0.6 s for 5M leads) would say nothing new.
    """
    loaded = con.execute("SELECT count(*) FROM incoming").fetchone()[0]
    if spec.fact == "funnel":
        span = _funnel(con, spec, headings, loaded, run_id, export_date, ids_once)
    else:
        span = _daily(con, spec, run_id, export_date)
    return loaded, *span


def _funnel(con, spec: SourceSpec, headings: dict[str, str], rows: int, run_id: int, export_date: date, ids_once: bool):
    """Stage entries from ``incoming`` (one per row and stage with a date), merged by the rules above.

    A stage mapped without a condition is covered by every row (an empty date clears it); a stage
    whose date counts only when another column says so (``when``) is covered only by the rows
    that say so, so a closed-won report or a one-row-per-stage report leaves the other stages of
    its leads alone.

    Where the entries are kept: a full snapshot (every stage covered by every row, each lead on
    one row, one entry per stage) writes each lead once, as a row of ``lead_snapshot``; every
    other entry goes to ``stage_entry``, and the lead's state derived from its entries to
    ``entry_lead_state``. Views ``funnel_stage_entry`` and ``lead_state`` show both as one. A lead
    is in one place or the other, never both (migration 0010), so the views count it once.
    """
    # A stage a source gives as a constant (every attendee of an event "created" that day) is a
    # stage of every row, never conditional.
    stages = [f for f in STAGE_FIELDS if f in headings or f in spec.constants]
    keyed = "lead_id" in headings
    unconditional = [STAGE_FIELDS[f] for f in stages if f in spec.constants or not spec.columns[f].when_column]
    counted = "entries" in headings or "entries" in spec.constants
    full = len(unconditional) == len(STAGE_FIELDS) and not counted
    # The leads of this load (``touched_leads``), wherever their earlier entries are. A full
    # export into a namespace with no leads yet (a first load) replaces nothing, and listing 5M
    # ids took 0.6 s: unless its ids repeat, it needs no list.
    touched = keyed and (not full or _holds_leads(con, spec.namespace))
    if touched:
        _list_touched_leads(con, spec.namespace)
    # Every row of a keyed export has a lead id (a row without one is set aside).
    repeated = keyed and not ids_once and rows > con.execute(
        "SELECT count(*) FROM touched_leads" if touched else "SELECT count(DISTINCT lead_id) FROM incoming"
    ).fetchone()[0]
    snapshot = keyed and full and not repeated
    if keyed and not snapshot and not touched:
        _list_touched_leads(con, spec.namespace)
        touched = True
    if snapshot:
        span = _snapshot(con, spec, run_id, replaces=touched)
    else:
        span = _entries(con, spec, stages, unconditional, keyed, repeated, run_id, export_date)
    if touched:
        con.execute("DROP TABLE touched_leads")
    refresh_marts(con)
    return span


def _list_touched_leads(con, namespace: str) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE touched_leads AS SELECT DISTINCT ?::VARCHAR AS lead_namespace, lead_id FROM incoming",
        [namespace],
    )


def _holds_leads(con, namespace: str) -> bool:
    return con.execute(
        """SELECT EXISTS (FROM lead_snapshot WHERE lead_namespace = $ns)
               OR EXISTS (FROM stage_entry WHERE lead_namespace = $ns AND lead_id IS NOT NULL)""",
        {"ns": namespace},
    ).fetchone()[0]


def _snapshot(con, spec: SourceSpec, run_id: int, replaces: bool):
    """A full snapshot: its leads' entries and derived states, wherever they were (when
    ``replaces``: the namespace holds leads, listed in ``touched_leads``), give way to their rows
    in ``lead_snapshot``. The span comes from ``incoming``, not the warehouse."""
    for table in ("stage_entry", "entry_lead_state", "lead_snapshot") if replaces else ():
        con.execute(
            f"DELETE FROM {table} WHERE lead_namespace = ? AND lead_id IN (SELECT lead_id FROM touched_leads)",
            [spec.namespace],
        )
    register_dims(con, "incoming")
    con.execute(read_sql("load/lead_snapshot.sql"), {"namespace": spec.namespace, "run_id": run_id})
    dates = ", ".join(STAGE_FIELDS)
    return con.execute(f"SELECT min(least({dates}))::DATE, max(greatest({dates}))::DATE FROM incoming").fetchone()


def register_dims(con, relation: str) -> None:
    """Add to ``lead_dims`` the combinations of dimensions in ``relation`` it lacks.

    A combination whose key (``lead_dims_key``, a 64-bit hash) another one has, in ``relation``
    or in ``lead_dims``, is refused: its leads would be counted as the other's. With a few thousand
    combinations the chance is about one in 10^12; the check costs a join of a few hundred rows.
    """
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE new_dims AS
            SELECT lead_dims_key({_LEAD_DIMS}) AS dims, * FROM (SELECT DISTINCT {_LEAD_DIMS} FROM {relation})"""
    )
    clash = con.execute(
        """SELECT dims FROM (SELECT * FROM new_dims UNION SELECT * FROM lead_dims SEMI JOIN new_dims USING (dims))
            GROUP BY dims HAVING count(*) > 1 LIMIT 1"""
    ).fetchone()
    if clash:
        raise WarehouseError(
            f"two different combinations of channel, platform, region, product and currency have the same key "
            f"{clash[0]} (lead_dims_key); nothing of this file was loaded"
        )
    con.execute("INSERT INTO lead_dims SELECT * FROM new_dims ON CONFLICT DO NOTHING")
    con.execute("DROP TABLE new_dims")


def derive_touched_states(con) -> None:
    """The ``entry_lead_state`` rows of the leads in ``touched_leads``, from their stage entries."""
    con.execute(read_sql("load/lead_state_from_entries.sql"))
    register_dims(con, "touched_state")
    con.execute(
        f"""INSERT INTO entry_lead_state
            SELECT * EXCLUDE ({_LEAD_DIMS}), lead_dims_key({_LEAD_DIMS}) FROM touched_state"""
    )
    con.execute("DROP TABLE touched_state")


def unsnapshot_touched_leads(con, namespace: str) -> None:
    """Move the snapshot rows of the leads in ``touched_leads`` into ``stage_entry``, one row per
    stage date, each keeping its source, run, row and export date: what a load that is not a
    full snapshot needs before it replaces some of their entries. Their state, derived again
    from these entries, is what their snapshot row said."""
    touched = "lead_namespace = ? AND lead_id IN (SELECT lead_id FROM touched_leads)"
    con.execute(f"INSERT INTO stage_entry SELECT * FROM snapshot_stage_entry WHERE {touched}", [namespace])
    con.execute(f"DELETE FROM lead_snapshot WHERE {touched}", [namespace])


def _entries(con, spec: SourceSpec, stages: list[str], unconditional: list[str], keyed: bool, repeated: bool,
             run_id: int, export_date: date):
    """Any load but a full snapshot: rows of ``stage_entry`` replaced and inserted, the touched
    leads' states derived again from their entries."""
    carried = "lead_id, entries, " + ", ".join(_DIMS) + ", amount, currency, email_hash, phone_hash"
    if repeated:
        # A lead on several rows: its unconditional stages are those of its latest row.
        con.execute(
            """CREATE OR REPLACE TEMP TABLE latest_row AS SELECT _row FROM incoming
               QUALIFY row_number() OVER (PARTITION BY lead_id ORDER BY _row DESC) = 1"""
        )
    values = ", ".join(
        f'CASE WHEN _row IN (SELECT _row FROM latest_row) THEN {f} END AS "{STAGE_FIELDS[f]}"'
        if repeated and STAGE_FIELDS[f] in unconditional else f'{f} AS "{STAGE_FIELDS[f]}"'
        for f in stages
    )
    # A view, not a table: the entries are read once, by the INSERT.
    unpivoted = f"""UNPIVOT (SELECT _row, {carried}, {values} FROM incoming)
        ON {', '.join(f'"{STAGE_FIELDS[f]}"' for f in stages)} INTO NAME stage VALUE entered_at"""
    if repeated:
        unpivoted = f"""SELECT * FROM ({unpivoted})
            QUALIFY row_number() OVER (PARTITION BY lead_id, stage ORDER BY _row DESC) = 1"""
    con.execute(f"CREATE OR REPLACE TEMP VIEW incoming_stage AS {unpivoted}")
    if keyed:
        unsnapshot_touched_leads(con, spec.namespace)
        conditional_pairs = (
            "OR (e.lead_id, e.stage) IN (SELECT (lead_id, stage) FROM incoming_stage)"
            if len(unconditional) < len(stages) else ""
        )
        con.execute(
            f"""DELETE FROM stage_entry e
                WHERE e.lead_namespace = ? AND e.lead_id IN (SELECT lead_id FROM touched_leads)
                  AND (list_contains(?, e.stage) {conditional_pairs})""",
            [spec.namespace, unconditional],
        )
    else:
        _restate_report_days(con, spec, export_date)
    newer_report = "" if keyed else """WHERE NOT EXISTS (
        SELECT 1 FROM report_coverage r
        WHERE r.source = $source AND r.stage = s.stage AND r.campaign = coalesce(s.campaign, '')
          AND s.entered_at::DATE BETWEEN r.date_from AND r.date_to AND r.export_date > $export_date)"""
    con.execute(
        f"""INSERT INTO stage_entry
            SELECT $namespace, lead_id, stage, entered_at, coalesce(entries, 0), {', '.join(_DIMS)},
                   amount, currency, email_hash, phone_hash, $source, $run_id, _row, $export_date
            FROM incoming_stage AS s {newer_report}""",
        {"namespace": spec.namespace, "source": spec.name, "run_id": run_id, "export_date": export_date},
    )
    if keyed:
        con.execute(
            "DELETE FROM entry_lead_state WHERE lead_namespace = ? AND lead_id IN (SELECT lead_id FROM touched_leads)",
            [spec.namespace],
        )
        derive_touched_states(con)
    else:
        con.execute(
            "INSERT INTO report_coverage SELECT ?, stage, campaign, d0, d1, ?, ? FROM incoming_cover",
            [spec.name, export_date, run_id],
        )
        con.execute("DROP TABLE incoming_cover")
    span = con.execute(
        "SELECT min(entered_at)::DATE, max(entered_at)::DATE FROM stage_entry WHERE run_id = ?", [run_id]
    ).fetchone()
    con.execute("DROP VIEW incoming_stage")
    if repeated:
        con.execute("DROP TABLE latest_row")
    return span


def _restate_report_days(con, spec: SourceSpec, export_date: date) -> None:
    """A report without ids restates, for each stage and campaign it holds, the days from its
    first to its last date of that stage; rows of exports no newer than it give way."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE incoming_cover AS
           SELECT k.stage, k.campaign, w.d0, w.d1
           FROM (SELECT DISTINCT stage, coalesce(campaign, '') AS campaign FROM incoming_stage) AS k
           JOIN (SELECT stage, min(entered_at)::DATE AS d0, max(entered_at)::DATE AS d1
                 FROM incoming_stage GROUP BY stage) AS w USING (stage)"""
    )
    con.execute(
        """DELETE FROM stage_entry e USING incoming_cover c
           WHERE e.lead_id IS NULL AND e.source = ? AND e.stage = c.stage
             AND coalesce(e.campaign, '') = c.campaign AND e.entered_at::DATE BETWEEN c.d0 AND c.d1
             AND e.export_date <= ?""",
        [spec.name, export_date],
    )


def _daily(con, spec: SourceSpec, run_id: int, export_date: date):
    keys = DAILY_KEYS[spec.fact]
    key_cols = ", ".join(f"coalesce({k}, '') AS {k}" for k in keys)
    if spec.fact == "channel_daily":
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE incoming_day AS
                SELECT date, {key_cols}, channel, region, product, currency,
                       sum(spend) AS spend, sum(impressions) AS impressions, sum(clicks) AS clicks,
                       sum(conversions) AS conversions
                FROM incoming GROUP BY ALL"""
        )
        target, insert = "channel_daily", """INSERT INTO channel_daily
            SELECT date, platform, account, channel, campaign, region, product, spend, impressions,
                   clicks, conversions, currency, ?, ?, ? FROM incoming_day"""
    else:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE incoming_day AS
                SELECT date, {key_cols}, arg_max(followers, _row) AS followers,
                       arg_max(new_followers, _row) AS new_followers, arg_max(lost_followers, _row) AS lost_followers,
                       arg_max(competitor, _row) AS competitor
                FROM incoming GROUP BY ALL"""
        )
        target, insert = "follower_daily", """INSERT INTO follower_daily BY NAME
            SELECT date, platform, account, followers, new_followers, lost_followers, competitor,
                   ? AS source, ? AS run_id, ? AS export_date FROM incoming_day"""
    campaign = "campaign" if "campaign" in keys else "''"
    span = con.execute("SELECT min(date), max(date) FROM incoming_day").fetchone()
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE incoming_cover AS
            SELECT DISTINCT platform, account, {campaign} AS campaign, ?::DATE AS date_from, ?::DATE AS date_to
            FROM incoming_day""",
        list(span),
    )
    match = " AND ".join(f"{{a}}.{k} = {{b}}.{k}" for k in keys)
    # Days a newer export already restated keep that export's rows.
    con.execute(
        f"""DELETE FROM incoming_day i USING daily_coverage c
            WHERE c.fact = ? AND {match.format(a="c", b="i")}
              AND i.date BETWEEN c.date_from AND c.date_to AND c.export_date > ?""",
        [spec.fact, export_date],
    )
    con.execute(
        f"""DELETE FROM {target} t USING incoming_cover k
            WHERE {match.format(a="t", b="k")} AND t.date BETWEEN k.date_from AND k.date_to
              AND t.export_date <= ?""",
        [export_date],
    )
    con.execute(insert, [spec.name, run_id, export_date])
    con.execute(
        "INSERT INTO daily_coverage SELECT ?, platform, account, campaign, date_from, date_to, ?, ? FROM incoming_cover",
        [spec.fact, export_date, run_id],
    )
    con.execute("DROP TABLE incoming_day")
    con.execute("DROP TABLE incoming_cover")
    return span
