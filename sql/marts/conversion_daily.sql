-- conversion_daily: leads (with ids) per day they entered a stage and the day they reached the
-- next one (NULL: not yet), per dimension: the cohort rates read this (a mart, rebuilt after
-- every funnel load). mql_to_sql: MQL day -> SQL day; sql_to_won: SQL day -> won day.
CREATE OR REPLACE TABLE conversion_daily AS
SELECT 'mql_to_sql' AS step, mql_at::DATE AS from_day, sql_at::DATE AS to_day,
       channel, platform, campaign, region, product, count(*)::BIGINT AS leads
FROM lead_state WHERE mql_at IS NOT NULL
GROUP BY ALL
UNION ALL
SELECT 'sql_to_won', sql_at::DATE, won_at::DATE, channel, platform, campaign, region, product, count(*)::BIGINT
FROM lead_state WHERE sql_at IS NOT NULL
GROUP BY ALL
ORDER BY from_day;
