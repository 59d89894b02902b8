-- spend (in the reporting currency), impressions and clicks summed over the period's days.
SELECT
    p.period,
    {dim} AS dim,
    sum((f.spend * coalesce(fx.rate, 1))::DECIMAL(18, 4)) AS spend,  -- exact: the same total whatever order threads add in
    sum(f.impressions) AS impressions,
    sum(f.clicks) AS clicks
FROM periods AS p
JOIN channel_daily AS f ON f.date BETWEEN p.start_date AND p.end_date
LEFT JOIN fx ON fx.currency = f.currency
WHERE {filters}
GROUP BY ALL
