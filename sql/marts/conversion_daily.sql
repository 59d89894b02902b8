-- conversion_daily: leads (with ids) per day they entered a stage and the day they reached the
-- next one (NULL: not yet), per dimension: the cohort rates read this (a mart, rebuilt after
-- every funnel load). mql_to_sql: MQL day -> SQL day; sql_to_won: SQL day -> won day. Counted
-- by campaign and key of the leads' other dimensions, then looked up (see funnel_daily).
CREATE OR REPLACE TABLE conversion_daily AS
WITH leads AS (
    SELECT dims, campaign, mql_at, sql_at, won_at FROM lead_snapshot
    UNION ALL
    SELECT dims, campaign, mql_at, sql_at, won_at FROM entry_lead_state
), keyed AS (
    SELECT 'mql_to_sql' AS step, mql_at::DATE AS from_day, sql_at::DATE AS to_day, dims, campaign, count(*) AS leads
    FROM leads WHERE mql_at IS NOT NULL
    GROUP BY ALL
    UNION ALL
    SELECT 'sql_to_won', sql_at::DATE, won_at::DATE, dims, campaign, count(*)
    FROM leads WHERE sql_at IS NOT NULL
    GROUP BY ALL
)
SELECT step, from_day, to_day, channel, platform, campaign, region, product, sum(leads)::BIGINT AS leads
FROM keyed JOIN lead_dims USING (dims)
GROUP BY ALL
ORDER BY from_day;
