-- leads, mqls, sqls, opportunities, wins: entries whose stage-entry date falls in the period;
-- won_revenue: amount of the wins, in the reporting currency. Read from the daily mart.
SELECT
    p.period,
    {dim} AS dim,
    sum(f.entries) FILTER (WHERE f.stage = 'lead') AS leads,
    sum(f.entries) FILTER (WHERE f.stage = 'mql') AS mqls,
    sum(f.entries) FILTER (WHERE f.stage = 'sql') AS sqls,
    sum(f.entries) FILTER (WHERE f.stage = 'opportunity') AS opportunities,
    sum(f.entries) FILTER (WHERE f.stage = 'won') AS wins,
    sum((f.amount * coalesce(fx.rate, 1))::DECIMAL(18, 4)) FILTER (WHERE f.stage = 'won') AS won_revenue
FROM periods AS p
JOIN (SELECT *, NULL::VARCHAR AS account FROM funnel_daily) AS f ON f.day BETWEEN p.start_date AND p.end_date
LEFT JOIN fx ON fx.currency = f.currency
WHERE {filters}
GROUP BY ALL
