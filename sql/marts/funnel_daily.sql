-- funnel_daily: stage entries per day and dimension (a mart: derived, rebuilt after every funnel
-- load). The funnel metrics read this instead of every lead, so a page asking for many periods
-- (a KR's weekly path) joins a few thousand daily rows, not millions of leads.
CREATE OR REPLACE TABLE funnel_daily AS
SELECT
    entered_at::DATE AS day, stage, channel, platform, campaign, region, product, currency,
    sum(entries)::BIGINT AS entries,
    sum(amount) FILTER (WHERE stage = 'won') AS amount
FROM funnel_fact
GROUP BY ALL
ORDER BY day;
