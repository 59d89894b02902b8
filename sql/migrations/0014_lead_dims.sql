-- A lead's bounded dimensions (channel, platform, region, product, currency) are kept once per
-- distinct combination, in lead_dims, and each lead row holds the combination's key. A 5M-lead
-- HubSpot export has a few hundred combinations: writing the texts per lead cost about 1 of the
-- 4 CPU s of writing lead_snapshot, and the funnel marts, grouping leads by day, key and
-- campaign instead of by six texts, cost 2.2 against 2.7 CPU s. The campaign stays on the lead
-- row: it is open-ended (HubSpot's drill-down can be a landing page's URL, one per lead), and
-- a combination per lead would make lead_dims as long as the leads (measured with a campaign
-- per lead: the 5M ingest 38 s against 25 s, over 1.5 GB).
--
-- The key is DuckDB's 64-bit hash of the five values (macro lead_dims_key). Two combinations with
-- one key would be counted as one, so the loader refuses a load that brings one
-- (pipelines/merge.register_dims) rather than letting it in. A DuckDB whose hash differs gives a
-- combination a second key: both rows name it, and the views and marts show it as one.
--
-- A snapshot row's source and export date are those of its run (ingest_run), so they are no longer
-- written on each of its rows (0.27 CPU s per 5M leads).
CREATE MACRO lead_dims_key(channel, platform, region, product, currency) AS
    hash(channel, platform, region, product, currency);

CREATE TABLE lead_dims (
    dims UBIGINT PRIMARY KEY,
    channel VARCHAR,
    platform VARCHAR,
    region VARCHAR,
    product VARCHAR,
    currency VARCHAR
);

INSERT INTO lead_dims
SELECT lead_dims_key(channel, platform, region, product, currency), channel, platform, region, product, currency
FROM (
    SELECT channel, platform, region, product, currency FROM lead_snapshot
    UNION
    SELECT channel, platform, region, product, currency FROM entry_lead_state
);

CREATE TABLE lead_snapshot_v14 (
    lead_namespace VARCHAR NOT NULL,
    lead_id VARCHAR USING COMPRESSION uncompressed NOT NULL,
    created_at TIMESTAMP,
    mql_at TIMESTAMP,
    sql_at TIMESTAMP,
    opportunity_at TIMESTAMP,
    won_at TIMESTAMP,
    campaign VARCHAR,
    amount DECIMAL(18,4),
    email_hash UHUGEINT,
    phone_hash UHUGEINT,
    dims UBIGINT NOT NULL,
    run_id INTEGER NOT NULL,
    source_row BIGINT NOT NULL
);

INSERT INTO lead_snapshot_v14
SELECT lead_namespace, lead_id, created_at, mql_at, sql_at, opportunity_at, won_at, campaign, amount, email_hash, phone_hash,
       lead_dims_key(channel, platform, region, product, currency), run_id, source_row
FROM lead_snapshot;

-- entry_lead_state's currency stays what it was: a lead's, only where it has an amount.
CREATE TABLE entry_lead_state_v14 AS
SELECT lead_namespace, lead_id, created_at, mql_at, sql_at, opportunity_at, won_at, campaign, amount, email_hash, phone_hash,
       lead_dims_key(channel, platform, region, product, currency) AS dims
FROM entry_lead_state;
ALTER TABLE entry_lead_state_v14 ALTER lead_namespace SET NOT NULL;
ALTER TABLE entry_lead_state_v14 ALTER lead_id SET NOT NULL;
ALTER TABLE entry_lead_state_v14 ALTER dims SET NOT NULL;

DROP TABLE lead_snapshot;
ALTER TABLE lead_snapshot_v14 RENAME TO lead_snapshot;
DROP TABLE entry_lead_state;
ALTER TABLE entry_lead_state_v14 RENAME TO entry_lead_state;

-- The views of 0010, with the dimensions and the run's source and export date looked up. Their
-- columns are as they were.
CREATE OR REPLACE VIEW snapshot_stage_entry AS
SELECT
    lead_namespace, lead_id, stage, entered_at, 1::BIGINT AS entries,
    channel, platform, campaign, region, product, amount, currency, email_hash, phone_hash,
    source, run_id, source_row, export_date
FROM (
    UNPIVOT (
        SELECT * FROM lead_snapshot JOIN lead_dims USING (dims)
        JOIN (SELECT run_id, source, export_date FROM ingest_run) USING (run_id)
    )
    ON created_at AS 'lead', mql_at AS 'mql', sql_at AS 'sql', opportunity_at AS 'opportunity', won_at AS 'won'
    INTO NAME stage VALUE entered_at
);

CREATE OR REPLACE VIEW lead_state AS
SELECT
    lead_namespace, lead_id, created_at, mql_at, sql_at, opportunity_at, won_at,
    channel, platform, campaign, region, product, amount,
    CASE WHEN amount IS NOT NULL THEN currency END AS currency,
    email_hash, phone_hash
FROM (
    SELECT * EXCLUDE (run_id, source_row) FROM lead_snapshot
    UNION ALL BY NAME
    SELECT * FROM entry_lead_state
)
JOIN lead_dims USING (dims);
