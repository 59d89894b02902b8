-- The states of the leads in temp table touched_leads, from all their stage entries (table
-- stage_entry: none of these leads is in lead_snapshot when this runs), as temp table
-- touched_state: pipelines/merge.py files their dimensions in lead_dims and writes them to
-- entry_lead_state.
-- A lead's dimensions come from its earliest stage (its first touch), its amount from its latest
-- stage that has one (a won deal's amount over an opportunity's estimate).
CREATE OR REPLACE TEMP TABLE touched_state AS
WITH entries AS (
    SELECT
        e.*,
        list_position(['lead', 'mql', 'sql', 'opportunity', 'won'], e.stage) AS stage_rank
    FROM stage_entry AS e
    SEMI JOIN touched_leads AS t
        ON e.lead_namespace = t.lead_namespace AND e.lead_id = t.lead_id
)
SELECT
    lead_namespace,
    lead_id,
    max(entered_at) FILTER (WHERE stage = 'lead') AS created_at,
    max(entered_at) FILTER (WHERE stage = 'mql') AS mql_at,
    max(entered_at) FILTER (WHERE stage = 'sql') AS sql_at,
    max(entered_at) FILTER (WHERE stage = 'opportunity') AS opportunity_at,
    max(entered_at) FILTER (WHERE stage = 'won') AS won_at,
    arg_min(channel, stage_rank) FILTER (WHERE channel IS NOT NULL) AS channel,
    arg_min(platform, stage_rank) FILTER (WHERE platform IS NOT NULL) AS platform,
    arg_min(campaign, stage_rank) FILTER (WHERE campaign IS NOT NULL) AS campaign,
    arg_min(region, stage_rank) FILTER (WHERE region IS NOT NULL) AS region,
    arg_min(product, stage_rank) FILTER (WHERE product IS NOT NULL) AS product,
    arg_max(amount, stage_rank) FILTER (WHERE amount IS NOT NULL) AS amount,
    arg_max(currency, stage_rank) FILTER (WHERE amount IS NOT NULL) AS currency,
    arg_min(email_hash, stage_rank) FILTER (WHERE email_hash IS NOT NULL) AS email_hash,
    arg_min(phone_hash, stage_rank) FILTER (WHERE phone_hash IS NOT NULL) AS phone_hash
FROM entries
GROUP BY lead_namespace, lead_id;
