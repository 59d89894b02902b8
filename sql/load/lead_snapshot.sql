-- lead_state rows straight from a snapshot that holds every stage of each of its leads once
-- (view incoming, $namespace): its row is the lead's whole state, which is what
-- lead_state_from_entries.sql would derive from the entries just written, without re-reading them.
INSERT INTO lead_state
SELECT
    $namespace, lead_id, created_at, mql_at, sql_at, opportunity_at, won_at,
    channel, platform, campaign, region, product, amount,
    CASE WHEN amount IS NOT NULL THEN currency END,
    email_hash, phone_hash
FROM incoming
WHERE coalesce(created_at, mql_at, sql_at, opportunity_at, won_at) IS NOT NULL;
