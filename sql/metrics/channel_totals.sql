-- spend (in the reporting currency), impressions and clicks summed over the period's days.
SELECT
    p.period,
    {dim} AS dim,
    sum(c.spend * coalesce(fx.rate, 1)) AS spend,
    sum(c.impressions) AS impressions,
    sum(c.clicks) AS clicks
FROM periods AS p
JOIN channel_daily AS c ON c.date BETWEEN p.start_date AND p.end_date
LEFT JOIN fx ON fx.currency = c.currency
WHERE {filters}
GROUP BY ALL
