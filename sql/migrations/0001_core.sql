-- Core schema: ingest bookkeeping, the three canonical facts, and each lead's current state.

CREATE TABLE warehouse_meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE SEQUENCE ingest_run_id_seq START 1;

CREATE TABLE ingest_run (
    run_id INTEGER PRIMARY KEY DEFAULT nextval('ingest_run_id_seq'),
    file_path VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    file_bytes BIGINT NOT NULL,
    source VARCHAR NOT NULL,
    fact VARCHAR NOT NULL,
    encoding VARCHAR,
    export_date DATE NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,            -- loaded | loaded_with_rows_set_aside
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_set_aside BIGINT NOT NULL,
    rows_skipped BIGINT NOT NULL,
    skipped_detail VARCHAR,             -- JSON: reason -> count (duplicates, summary rows, footers)
    warnings VARCHAR,                   -- JSON list of sentences
    date_from DATE,
    date_to DATE
);

-- Every set-aside row with the check it failed; a row failing two checks appears twice.
CREATE TABLE quarantine (
    run_id INTEGER NOT NULL REFERENCES ingest_run (run_id),
    file_name VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,         -- as a spreadsheet shows it: header rows counted, 1-based
    column_name VARCHAR,                -- the export's own heading
    raw_value VARCHAR,
    reason VARCHAR NOT NULL,
    check_name VARCHAR NOT NULL,        -- the Great Expectations expectation (or csv_parse)
    raw_row VARCHAR                     -- JSON object of the whole row, PII columns masked
);

CREATE TABLE validation_result (
    run_id INTEGER NOT NULL REFERENCES ingest_run (run_id),
    check_index INTEGER NOT NULL,
    expectation VARCHAR NOT NULL,
    column_name VARCHAR,
    reason VARCHAR NOT NULL,
    success BOOLEAN NOT NULL,
    element_count BIGINT,
    unexpected_count BIGINT,
    result_json VARCHAR NOT NULL        -- Great Expectations' own result, as it returned it
);

-- One row per lead and stage entered (lead_id NULL: a report row without ids, counted `entries` times).
CREATE TABLE funnel_stage_entry (
    lead_namespace VARCHAR NOT NULL,
    lead_id VARCHAR,
    stage VARCHAR NOT NULL,             -- lead | mql | sql | opportunity | won
    entered_at TIMESTAMP NOT NULL,
    entries BIGINT NOT NULL DEFAULT 1,
    channel VARCHAR,
    platform VARCHAR,
    campaign VARCHAR,
    region VARCHAR,
    product VARCHAR,
    amount DECIMAL(18, 4),
    currency VARCHAR,
    email_hash VARCHAR,
    phone_hash VARCHAR,
    source VARCHAR NOT NULL,
    run_id INTEGER NOT NULL,
    source_row BIGINT NOT NULL,
    export_date DATE NOT NULL
);

-- Which days of which stage and campaign each funnel report without lead ids restated; as for
-- daily facts, the newest export covering a day wins whatever the load order.
CREATE TABLE report_coverage (
    source VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,
    campaign VARCHAR NOT NULL,          -- '' when the report has none
    date_from DATE NOT NULL,
    date_to DATE NOT NULL,
    export_date DATE NOT NULL,
    run_id INTEGER NOT NULL
);

-- Derived from funnel_stage_entry for leads with ids, refreshed by every load that touches them.
CREATE TABLE lead_state (
    lead_namespace VARCHAR NOT NULL,
    lead_id VARCHAR NOT NULL,
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
    amount DECIMAL(18, 4),
    currency VARCHAR,
    email_hash VARCHAR,
    phone_hash VARCHAR
);

CREATE TABLE channel_daily (
    date DATE NOT NULL,
    platform VARCHAR NOT NULL,
    account VARCHAR NOT NULL,
    channel VARCHAR,
    campaign VARCHAR NOT NULL,
    region VARCHAR,
    product VARCHAR,
    spend DECIMAL(18, 4),
    impressions BIGINT,
    clicks BIGINT,
    conversions DECIMAL(18, 4),
    currency VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    run_id INTEGER NOT NULL,
    export_date DATE NOT NULL
);

CREATE TABLE follower_daily (
    date DATE NOT NULL,
    platform VARCHAR NOT NULL,
    account VARCHAR NOT NULL,
    followers BIGINT NOT NULL,
    new_followers BIGINT,
    lost_followers BIGINT,
    source VARCHAR NOT NULL,
    run_id INTEGER NOT NULL,
    export_date DATE NOT NULL
);

-- Which days of which key each daily export restated. For any key and day, the rows that count
-- are those of the newest export covering it, whatever order the exports were loaded in.
CREATE TABLE daily_coverage (
    fact VARCHAR NOT NULL,              -- channel_daily | followers
    platform VARCHAR NOT NULL,
    account VARCHAR NOT NULL,
    campaign VARCHAR NOT NULL,          -- '' for follower counts
    date_from DATE NOT NULL,
    date_to DATE NOT NULL,
    export_date DATE NOT NULL,
    run_id INTEGER NOT NULL
);
