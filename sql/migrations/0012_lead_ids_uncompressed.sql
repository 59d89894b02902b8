-- lead_snapshot.lead_id is stored uncompressed. Lead ids are unique strings, which DuckDB's
-- dictionary + FSST compression cannot shrink much (5M HubSpot ids: 34 MB compressed, 64 MB
-- not) but analyses at length: it was 0.8 of the 6 CPU seconds of writing a 5M-lead snapshot.
-- DuckDB sets compression per column only when a table is created, hence the copy.
CREATE TABLE lead_snapshot_v12 (
    lead_namespace VARCHAR NOT NULL,
    lead_id VARCHAR USING COMPRESSION uncompressed NOT NULL,
    created_at TIMESTAMP,
    mql_at TIMESTAMP,
    sql_at TIMESTAMP,
    opportunity_at TIMESTAMP,
    won_at TIMESTAMP,
    channel VARCHAR,
    platform VARCHAR,
    campaign VARCHAR,
    region VARCHAR,
    product VARCHAR,
    amount DECIMAL(18,4),
    currency VARCHAR,
    email_hash UHUGEINT,
    phone_hash UHUGEINT,
    source VARCHAR NOT NULL,
    run_id INTEGER NOT NULL,
    source_row BIGINT NOT NULL,
    export_date DATE NOT NULL
);

INSERT INTO lead_snapshot_v12 SELECT * FROM lead_snapshot;

-- The views over lead_snapshot (0010) name it, so they read the new table once it has the name.
DROP TABLE lead_snapshot;
ALTER TABLE lead_snapshot_v12 RENAME TO lead_snapshot;
