-- The purchases service's own tables (schema "purchases").

-- Local projection of cards.card.v1: who an identifier belonged to over time.
CREATE TABLE card_allocations (
    card_token      text        NOT NULL,
    valid_from      timestamptz NOT NULL,
    valid_to        timestamptz,
    person_id       text        NOT NULL,
    household_id    text,
    cooperative_id  text,
    usable          boolean     NOT NULL,
    PRIMARY KEY (card_token, valid_from)
);

-- Every receipt once, by its natural key. Identifiers only as keyed tokens plus the last four digits.
CREATE TABLE receipts (
    receipt_id        text        PRIMARY KEY,
    content_hash      bytea       NOT NULL,
    status            text        NOT NULL CHECK (status IN ('accepted', 'unresolved')),
    purchased_at      timestamptz NOT NULL,
    outlet_id         text        NOT NULL,
    chain             text        NOT NULL,
    outlet_cooperative text       NOT NULL,
    identifier_token  text        NOT NULL,
    identifier_last4  text        NOT NULL,
    person_id         text,
    household_id      text,
    cooperative_id    text,
    total_cents       bigint      NOT NULL,
    bonus_eligible_cents bigint   NOT NULL,
    fuel_cents        bigint      NOT NULL,
    fuel_millilitres  bigint      NOT NULL,
    payment_method_eligible_cents bigint NOT NULL,
    excluded          jsonb       NOT NULL,
    lines             jsonb,
    return_of         text,
    stored_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX receipts_unresolved ON receipts (identifier_token) WHERE status = 'unresolved';
CREATE INDEX receipts_household ON receipts (household_id, purchased_at);

-- Same receipt id, different content: detected and kept for review, never merged.
CREATE TABLE receipt_conflicts (
    receipt_id    text        NOT NULL,
    content_hash  bytea       NOT NULL,
    seen_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (receipt_id, content_hash)
);
