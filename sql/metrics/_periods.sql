-- Shared head of every metric query: the periods asked for ($periods, a JSON list; known_by, when
-- set, is the day up to which a cohort's conversions count) and the
-- exchange rates into the reporting currency ($fx, a JSON list; NULL currency = reporting).
-- Each metric file continues this WITH: it starts with SELECT, or with more CTEs (", name AS").
-- {dim} and {filters} are filled in by pipelines/metrics.py and refer to the fact rows as alias f.
WITH periods AS (
    SELECT unnest(from_json($periods::JSON,
        '[{"period": "VARCHAR", "start_date": "DATE", "end_date": "DATE", "prev_start": "DATE", "prev_end": "DATE", "known_by": "DATE"}]'),
        recursive := true)
),
fx AS (
    SELECT unnest(from_json($fx::JSON, '[{"currency": "VARCHAR", "rate": "DOUBLE"}]'), recursive := true)
)
