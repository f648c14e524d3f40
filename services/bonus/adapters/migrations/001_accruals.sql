-- The bonus service's own tables (schema "bonus").

-- A calendar month (Europe/Helsinki) and where its close stands.
CREATE TABLE months (
    month      date PRIMARY KEY,                      -- first day of the month
    status     text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closing', 'closed')),
    closing_at timestamptz,
    closed_at  timestamptz
);

-- Lineage: every accepted purchase the service booked, once per receipt id.
CREATE TABLE purchases (
    receipt_id      text PRIMARY KEY,
    household_id    text        NOT NULL,
    person_id       text        NOT NULL,
    cooperative_id  text        NOT NULL,
    outlet_id       text        NOT NULL,
    purchased_at    timestamptz NOT NULL,
    month           date        NOT NULL,
    bonus_cents     bigint      NOT NULL,
    double_cents    bigint      NOT NULL,
    fuel_cents      bigint      NOT NULL,
    fuel_millilitres bigint     NOT NULL,
    payment_method_cents bigint NOT NULL,
    excluded        jsonb       NOT NULL,
    return_of       text,
    booked_as       text        NOT NULL CHECK (booked_as IN ('accrual', 'adjustment'))
);
CREATE INDEX purchases_household_month ON purchases (household_id, month);

-- One running total per household and month, pooling every member's purchases.
CREATE TABLE accruals (
    household_id    text   NOT NULL,
    month           date   NOT NULL,
    cooperative_id  text   NOT NULL,
    bonus_cents     bigint NOT NULL DEFAULT 0,
    double_cents    bigint NOT NULL DEFAULT 0,
    fuel_cents      bigint NOT NULL DEFAULT 0,
    fuel_millilitres bigint NOT NULL DEFAULT 0,
    payment_method_cents bigint NOT NULL DEFAULT 0,
    receipts        integer NOT NULL DEFAULT 0,
    last_purchase_at timestamptz NOT NULL,
    closed          boolean NOT NULL DEFAULT false,
    PRIMARY KEY (household_id, month)
);
CREATE INDEX accruals_open ON accruals (month) WHERE NOT closed;

-- The closed month of a household: what was paid, at which rate, from which table.
CREATE TABLE statements (
    household_id     text   NOT NULL,
    month            date   NOT NULL,
    cooperative_id   text   NOT NULL,
    tier_table       text   NOT NULL,
    rate_bp          integer NOT NULL,
    tier_total_cents bigint NOT NULL,
    bonus_cents      bigint NOT NULL,
    fuel_bonus_cents bigint NOT NULL,
    payment_method_benefit_cents bigint NOT NULL,
    contribution_cents bigint NOT NULL DEFAULT 0,
    payouts          smallint NOT NULL,   -- payout messages published: 1, or 0 when nothing is due
    closed_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (household_id, month)
);

-- Purchases booked to a month already closing or closed (late purchases, returns). They never
-- rewrite a paid month: the next close prices them at the month's recorded rate and pays them.
CREATE TABLE adjustments (
    receipt_id      text PRIMARY KEY,
    household_id    text   NOT NULL,
    month           date   NOT NULL,
    cooperative_id  text   NOT NULL,
    bonus_cents     bigint NOT NULL,
    double_cents    bigint NOT NULL,
    fuel_cents      bigint NOT NULL,
    fuel_millilitres bigint NOT NULL,
    payment_method_cents bigint NOT NULL,
    paid_in_month   date
);
CREATE INDEX adjustments_unpaid ON adjustments (household_id) WHERE paid_in_month IS NULL;

-- Double Bonus campaigns: outlets x period (data, managed by operators).
CREATE TABLE double_bonus_campaigns (
    campaign_id text        NOT NULL,
    outlet_id   text        NOT NULL,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    PRIMARY KEY (campaign_id, outlet_id)
);

-- What an adjustment paid: one row per household, original month and the close that paid it.
CREATE TABLE adjustment_payouts (
    household_id  text    NOT NULL,
    paid_in_month date    NOT NULL,
    month         date    NOT NULL,
    rate_bp       integer NOT NULL,
    bonus_cents   bigint  NOT NULL,
    fuel_bonus_cents bigint NOT NULL,
    payment_method_benefit_cents bigint NOT NULL,
    PRIMARY KEY (household_id, paid_in_month, month)
);
