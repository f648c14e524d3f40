-- Saved carts, identified usage of digital services and the data customers enter in them (issue 28, seed
-- §5-6). Keyed by the register's pseudonymous person id like the rest of the schema.

-- The customer's saved cart in one web store, its current state only: every item as the store sent it last.
-- An emptied cart keeps its row (no items) so that an older update arriving late cannot bring the items back;
-- the row goes 12 months after saved_at either way.
CREATE TABLE saved_carts (
    person_id  text        NOT NULL,
    store      text        NOT NULL,
    items      jsonb       NOT NULL,
    saved_at   timestamptz NOT NULL,
    PRIMARY KEY (person_id, store)
);
CREATE INDEX saved_carts_saved ON saved_carts (saved_at);

-- One identified login or use of a digital service: who, which service of which company, the channel and how
-- the customer was identified, never the identifier itself nor free text.
CREATE TABLE digital_usage (
    event_id         text        PRIMARY KEY,
    person_id        text        NOT NULL,
    service          text        NOT NULL,
    company          text        NOT NULL,
    company_kind     text        NOT NULL CHECK (company_kind IN ('s_group', 'partner')),
    channel          text        NOT NULL,
    identified_with  text        NOT NULL,
    kind             text        NOT NULL CHECK (kind IN ('login', 'use')),
    used_at          timestamptz NOT NULL
);
CREATE INDEX digital_usage_person ON digital_usage (person_id, used_at);
CREATE INDEX digital_usage_used ON digital_usage (used_at);

-- What the customer entered in a digital service, the latest value of each field: the value only sealed under
-- the person's own data key (shared/subject_keys.py), so destroying the key at erasure leaves nothing readable
-- even in a backup. A removed value keeps its row (value null) against older entries arriving late.
CREATE TABLE entered_data (
    person_id     text        NOT NULL,
    service       text        NOT NULL,
    field         text        NOT NULL,
    company       text        NOT NULL,
    value_sealed  bytea,
    entered_at    timestamptz NOT NULL,
    PRIMARY KEY (person_id, service, field)
);
CREATE INDEX entered_data_entered ON entered_data (entered_at);
