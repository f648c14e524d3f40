-- The main member's benefit account as membership.households.v1 names it (its IBAN sealed for the person;
-- this service never opens it), so each payout carries the account in force when it is published. Apart
-- from `households`, whose cooperative prices the month: a household the close knows only by its purchases
-- has no account, and its payouts are held.
CREATE TABLE household_accounts (
    household_id    text PRIMARY KEY,
    version         integer NOT NULL,
    benefit_account jsonb
);

-- A payout of a household with no benefit account on record is held here, never dropped: its figures as
-- published (the payout without the account), until the household has an account; then it is published
-- with that account and the same payout id. Operators see what is held on /metrics.
CREATE TABLE held_payouts (
    payout_id    text        PRIMARY KEY,
    household_id text        NOT NULL,
    body         text        NOT NULL,   -- the BonusPayout's JSON without its closing brace
    cash_cents   bigint      NOT NULL,
    published_at timestamptz NOT NULL,   -- the time its event carries, as it would have been published
    held_at      timestamptz NOT NULL DEFAULT now(),
    released_at  timestamptz
);
CREATE INDEX held_payouts_waiting ON held_payouts (household_id) WHERE released_at IS NULL;
