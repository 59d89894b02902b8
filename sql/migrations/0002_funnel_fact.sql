-- funnel_fact: one row per stage entered, whatever shape the export had. Leads with ids come from
-- lead_state (one row per lead, so counting rows counts distinct leads); report rows without ids
-- come from funnel_stage_entry with their `entries` count.
CREATE VIEW funnel_fact AS
WITH tracked AS (
    UNPIVOT lead_state
    ON created_at AS 'lead', mql_at AS 'mql', sql_at AS 'sql', opportunity_at AS 'opportunity', won_at AS 'won'
    INTO NAME stage VALUE entered_at
)
SELECT
    lead_namespace, lead_id, stage, entered_at, 1::BIGINT AS entries,
    channel, platform, campaign, region, product, NULL::VARCHAR AS account,
    amount, currency
FROM tracked
UNION ALL
SELECT
    lead_namespace, NULL, stage, entered_at, entries,
    channel, platform, campaign, region, product, NULL::VARCHAR AS account,
    amount, currency
FROM funnel_stage_entry
WHERE lead_id IS NULL;
