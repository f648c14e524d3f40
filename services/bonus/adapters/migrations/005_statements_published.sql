-- Statements published at the close (bonus.statements.v1), and a close priced set-based in SQL.

-- The cooperative that runs the outlet of each booked purchase (absent from events of before 2026-11).
ALTER TABLE purchases ADD COLUMN outlet_cooperative_id text;

-- What a statement needs besides the totals, kept up to date as purchases are booked so the close never
-- reads the month's receipts: each member's share, the Bonus purchases by the outlet's cooperative (the
-- own cooperative's part is picked at the close, when the household's cooperative of the month is known;
-- '' when the outlet's cooperative is unknown) and the excluded purchases by reason.
CREATE TABLE accrual_members (
    month                date    NOT NULL,
    household_id         text    NOT NULL,
    person_id            text    NOT NULL,
    receipts             integer NOT NULL,
    bonus_eligible_cents bigint  NOT NULL,
    PRIMARY KEY (month, household_id, person_id)
);
CREATE INDEX accrual_members_person ON accrual_members (person_id);  -- erasure of one person

CREATE TABLE accrual_outlet_cooperatives (
    month                 date   NOT NULL,
    household_id          text   NOT NULL,
    outlet_cooperative_id text   NOT NULL,
    bonus_eligible_cents  bigint NOT NULL,
    PRIMARY KEY (month, household_id, outlet_cooperative_id)
);

CREATE TABLE accrual_exclusions (
    month        date   NOT NULL,
    household_id text   NOT NULL,
    reason       text   NOT NULL,
    cents        bigint NOT NULL,
    PRIMARY KEY (month, household_id, reason)
);

-- The statement records the table version and the Bonus purchases at the own cooperative's outlets.
ALTER TABLE statements ADD COLUMN table_version text;
ALTER TABLE statements ADD COLUMN own_cooperative_eligible_cents bigint NOT NULL DEFAULT 0;

-- The domain's rounding (services/bonus/domain/calculation.py round_half_up): n / d rounded once to an
-- integer, halves away from zero; d > 0. Not STRICT, so that the planner inlines it.
CREATE FUNCTION round_half_up(n bigint, d bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN n < 0 THEN -((2 * -n + d) / (2 * d)) ELSE (2 * n + d) / (2 * d) END $$;
