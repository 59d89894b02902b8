-- lead_snapshot rows of a full snapshot (view incoming: every stage mapped without a condition,
-- each lead on one row; $namespace, $run_id): a row is at once the lead's whole state and its
-- stage entries (views lead_state and funnel_stage_entry), written once. A lead without any
-- stage date gets no row: it has no entries and no state. Its dimensions are in lead_dims
-- already (pipelines/merge.register_dims); its source and export date are its run's.
INSERT INTO lead_snapshot
SELECT
    $namespace, lead_id, created_at, mql_at, sql_at, opportunity_at, won_at, campaign, amount, email_hash, phone_hash,
    lead_dims_key(channel, platform, region, product, currency),
    $run_id, _row
FROM incoming
WHERE coalesce(created_at, mql_at, sql_at, opportunity_at, won_at) IS NOT NULL;
