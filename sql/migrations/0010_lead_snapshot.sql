-- A full CRM snapshot's leads are written once, as one wide row each (lead_snapshot), instead of
-- once per stage entered and again as the lead's state. The canonical facts stay what they were,
-- as views: funnel_stage_entry (one row per lead and stage entered, report rows without ids) and
-- lead_state (one row per lead with an id).
--
-- Invariant (pipelines/merge.py keeps it): a lead (namespace, id) is either in lead_snapshot or
-- has rows with its id in stage_entry, never both; so the views' UNION ALLs count it once.

-- Every entry not held in a snapshot row: a keyed report's stages (one row per stage, a
-- conditional stage such as a closed-won date), a repeated lead, report rows without ids.
ALTER TABLE funnel_stage_entry RENAME TO stage_entry;

-- The state of each lead that has rows in stage_entry, derived from them.
ALTER TABLE lead_state RENAME TO entry_lead_state;

-- One row per lead of a full snapshot (every stage mapped without a condition, each lead on one
-- row): a lead_state row as exported (its currency kept even without an amount: its stage
-- entries carry it) and where its stage entries come from: source, run, row, export date. A lead
-- without any stage date has no row.
CREATE TABLE lead_snapshot AS
SELECT *, NULL::VARCHAR AS source, NULL::INTEGER AS run_id, NULL::BIGINT AS source_row, NULL::DATE AS export_date
FROM entry_lead_state
LIMIT 0;
ALTER TABLE lead_snapshot ALTER lead_namespace SET NOT NULL;
ALTER TABLE lead_snapshot ALTER lead_id SET NOT NULL;
ALTER TABLE lead_snapshot ALTER source SET NOT NULL;
ALTER TABLE lead_snapshot ALTER run_id SET NOT NULL;
ALTER TABLE lead_snapshot ALTER source_row SET NOT NULL;
ALTER TABLE lead_snapshot ALTER export_date SET NOT NULL;

-- A snapshot row's stage entries: one per stage date it holds.
CREATE VIEW snapshot_stage_entry AS
SELECT
    lead_namespace, lead_id, stage, entered_at, 1::BIGINT AS entries,
    channel, platform, campaign, region, product, amount, currency, email_hash, phone_hash,
    source, run_id, source_row, export_date
FROM (
    UNPIVOT lead_snapshot
    ON created_at AS 'lead', mql_at AS 'mql', sql_at AS 'sql', opportunity_at AS 'opportunity', won_at AS 'won'
    INTO NAME stage VALUE entered_at
);

-- funnel_fact (0002) reads this view's rows without ids: lead_snapshot.lead_id is NOT NULL, so
-- DuckDB leaves the snapshot side out of that query.
CREATE VIEW funnel_stage_entry AS
SELECT * FROM snapshot_stage_entry
UNION ALL
SELECT * FROM stage_entry;

CREATE VIEW lead_state AS
SELECT
    lead_namespace, lead_id, created_at, mql_at, sql_at, opportunity_at, won_at,
    channel, platform, campaign, region, product, amount,
    CASE WHEN amount IS NOT NULL THEN currency END AS currency,
    email_hash, phone_hash
FROM lead_snapshot
UNION ALL
SELECT * FROM entry_lead_state;
