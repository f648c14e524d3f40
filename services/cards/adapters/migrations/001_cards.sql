-- The cards service's own tables (schema "cards"). Card numbers only as keyed tokens + last four.
CREATE TABLE cards (
    card_token     text PRIMARY KEY,
    last_four      text        NOT NULL,
    card_type      text        NOT NULL,
    status         text        NOT NULL,
    person_id      text        NOT NULL,
    household_id   text,
    cooperative_id text        NOT NULL,
    membership_id  text        NOT NULL,
    valid_from     timestamptz NOT NULL,
    valid_until    timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cards_person ON cards (person_id);

-- Everything that happened to a card, in order: the source of its allocation history.
CREATE TABLE card_events (
    card_token  text        NOT NULL REFERENCES cards,
    seq         integer     NOT NULL,
    kind        text        NOT NULL,
    at          timestamptz NOT NULL,
    data        jsonb       NOT NULL,
    PRIMARY KEY (card_token, seq)
);
