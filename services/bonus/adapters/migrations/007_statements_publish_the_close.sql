-- The close publishes its payouts and statements from the statements themselves, instead of staging
-- two outbox rows per household (millions at a month close, each written, read and deleted again):
-- a statement keeps what its events carry, and the month keeps how far they were published.

ALTER TABLE statements
    ADD COLUMN bonus_eligible_cents          bigint  NOT NULL DEFAULT 0,  -- Bonus purchases, double ones included
    ADD COLUMN fuel_cents                    bigint  NOT NULL DEFAULT 0,
    ADD COLUMN fuel_millilitres              bigint  NOT NULL DEFAULT 0,
    ADD COLUMN payment_method_eligible_cents bigint  NOT NULL DEFAULT 0,
    ADD COLUMN receipts                      integer NOT NULL DEFAULT 0,
    -- the payout's cash transactions (what is left after the contribution_cents went to the open fee;
    -- Fuel Bonus is always cash)
    ADD COLUMN bonus_cash_cents              bigint  NOT NULL DEFAULT 0,
    ADD COLUMN payment_method_benefit_cash_cents bigint NOT NULL DEFAULT 0;

-- The last household (in key order) whose statement and payout were published, and when the month was
-- announced closed (bonus.months.v1): once it is closed and every statement published. Statements and
-- closed months from before this migration had their events staged in the outbox already.
ALTER TABLE months ADD COLUMN published_through text NOT NULL DEFAULT '';
ALTER TABLE months ADD COLUMN announced_at timestamptz;
UPDATE months m SET published_through = coalesce(
    (SELECT max(household_id) FROM statements s WHERE s.month = m.month), ''),
                    announced_at = CASE WHEN status = 'closed' THEN closed_at END;
