-- Withheld Bonus the membership service could not apply to the capital contribution
-- (membership.bonus-returns.v1), paid to the household in cash once: a return repeated finds its row.
CREATE TABLE returned_credits (
    return_id        text PRIMARY KEY,
    payout_id        text        NOT NULL,  -- the payout it was withheld from
    household_id     text        NOT NULL,
    month            date        NOT NULL,
    returned_cents   bigint      NOT NULL CHECK (returned_cents > 0),
    reason           text        NOT NULL,
    paid_payout_id   text        NOT NULL,  -- the cash payout on bonus.payouts.v1
    received_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX returned_credits_household ON returned_credits (household_id, month);
