-- Cohort conversion: of the leads (with ids) that became MQL in the period, the share that has
-- an SQL date as of the data (or by known_by, for an as-of evaluation); likewise SQL -> won.
-- Read from the conversion mart (leads per stage day and next-stage day).
SELECT
    p.period,
    {dim} AS dim,
    coalesce(sum(f.leads) FILTER (WHERE f.step = 'mql_to_sql' AND f.to_day <= coalesce(p.known_by, f.to_day)), 0)
        / nullif(sum(f.leads) FILTER (WHERE f.step = 'mql_to_sql'), 0) AS mql_to_sql_rate,
    coalesce(sum(f.leads) FILTER (WHERE f.step = 'sql_to_won' AND f.to_day <= coalesce(p.known_by, f.to_day)), 0)
        / nullif(sum(f.leads) FILTER (WHERE f.step = 'sql_to_won'), 0) AS sql_to_won_rate
FROM periods AS p
JOIN (SELECT *, NULL::VARCHAR AS account FROM conversion_daily) AS f ON f.from_day BETWEEN p.start_date AND p.end_date
WHERE {filters}
GROUP BY ALL
