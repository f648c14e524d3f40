-- Double Bonus campaigns as data, created and ended by commands (bonus.campaigns.v1): one row per campaign
-- beside its outlets in double_bonus_campaigns, which pricing reads. Campaigns inserted before by hand get a
-- row each, their cooperative and name unknown.
CREATE TABLE campaigns (
    campaign_id    text        PRIMARY KEY,
    cooperative_id text,
    name           text,
    starts_at      timestamptz NOT NULL,
    ends_at        timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    ended_at       timestamptz              -- when an end command was applied (ends_at then moved earlier)
);
INSERT INTO campaigns (campaign_id, starts_at, ends_at)
SELECT campaign_id, min(starts_at), max(ends_at) FROM double_bonus_campaigns GROUP BY campaign_id;
