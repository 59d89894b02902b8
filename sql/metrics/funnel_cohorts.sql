-- Cohort conversion: of the leads (with ids) that became MQL in the period, the share that has
-- an SQL date as of the data (or by known_by, for an as-of evaluation); likewise SQL -> won.
SELECT
    p.period,
    {dim} AS dim,
    count(*) FILTER (WHERE f.mql_at::DATE BETWEEN p.start_date AND p.end_date
                                  AND f.sql_at::DATE <= coalesce(p.known_by, f.sql_at::DATE))
        / nullif(count(*) FILTER (WHERE f.mql_at::DATE BETWEEN p.start_date AND p.end_date), 0) AS mql_to_sql_rate,
    count(*) FILTER (WHERE f.sql_at::DATE BETWEEN p.start_date AND p.end_date
                                  AND f.won_at::DATE <= coalesce(p.known_by, f.won_at::DATE))
        / nullif(count(*) FILTER (WHERE f.sql_at::DATE BETWEEN p.start_date AND p.end_date), 0) AS sql_to_won_rate
FROM periods AS p
JOIN (SELECT *, NULL::VARCHAR AS account FROM lead_state) AS f
    ON f.mql_at::DATE BETWEEN p.start_date AND p.end_date
    OR f.sql_at::DATE BETWEEN p.start_date AND p.end_date
WHERE {filters}
GROUP BY ALL
