-- followers: per platform and account, the cumulative count on the last day up to the period's
-- end that has data, summed over the team's own accounts. net_new_followers: that minus the same
-- sum at the previous period's end (an account without data by then counts 0 there), so the two
-- always agree. top_competitor_followers: the largest benchmark account on the same terms.
, per_account AS (
    SELECT
        p.period,
        f.platform,
        f.account,
        f.competitor,
        NULL::VARCHAR AS channel, NULL::VARCHAR AS campaign, NULL::VARCHAR AS region, NULL::VARCHAR AS product,
        arg_max(f.followers, f.date) FILTER (WHERE f.date <= p.end_date) AS at_end,
        arg_max(f.followers, f.date) FILTER (WHERE f.date <= p.prev_end) AS at_previous_end
    FROM periods AS p
    JOIN follower_daily AS f ON f.date <= p.end_date
    GROUP BY ALL
)
SELECT
    period,
    {dim} AS dim,
    sum(at_end) FILTER (WHERE competitor IS NULL) AS followers,
    sum(at_end) FILTER (WHERE competitor IS NULL)
        - coalesce(sum(at_previous_end) FILTER (WHERE competitor IS NULL), 0) AS net_new_followers,
    max(at_end) FILTER (WHERE competitor IS NOT NULL) AS top_competitor_followers
FROM per_account AS f
WHERE {filters}
GROUP BY ALL
