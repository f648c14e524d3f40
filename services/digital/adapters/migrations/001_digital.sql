-- The digital service's own tables (schema "digital"): the customer's web-store profiles with their delivery
-- addresses, web-store orders with their status history, the digital services ordered and cancelled, and the
-- contact log. The contact log's free-text notes only encrypted (AES-GCM, shared.crypto); everything keyed by
-- the register's pseudonymous person id.

-- The customer's profile in one web store, as of the latest update applied (an older one is ignored).
CREATE TABLE web_store_profiles (
    person_id    text        NOT NULL,
    store        text        NOT NULL,
    segment      text,
    source_time  timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, store)
);

-- Every delivery address a customer kept in a web store: the current ones (replaced_at null) and their
-- history, erased 24 months after it was replaced or removed.
CREATE TABLE delivery_addresses (
    id           bigserial   PRIMARY KEY,
    person_id    text        NOT NULL,
    store        text        NOT NULL,
    address_id   text        NOT NULL,
    value        jsonb       NOT NULL,
    valid_from   timestamptz NOT NULL,
    replaced_at  timestamptz
);
CREATE UNIQUE INDEX delivery_addresses_current ON delivery_addresses (person_id, store, address_id)
    WHERE replaced_at IS NULL;
CREATE INDEX delivery_addresses_person ON delivery_addresses (person_id);
CREATE INDEX delivery_addresses_replaced ON delivery_addresses (replaced_at) WHERE replaced_at IS NOT NULL;

-- Web-store orders in their latest status; ended_at (delivered, collected, cancelled, returned) starts the
-- retention clock.
CREATE TABLE web_orders (
    store            text        NOT NULL,
    order_id         text        NOT NULL,
    person_id        text        NOT NULL,
    status           text        NOT NULL,
    status_at        timestamptz NOT NULL,
    placed_at        timestamptz NOT NULL,
    delivery_method  text        NOT NULL,
    total_cents      integer     NOT NULL CHECK (total_cents >= 0),
    ended_at         timestamptz,
    PRIMARY KEY (store, order_id)
);
CREATE INDEX web_orders_person ON web_orders (person_id);
CREATE INDEX web_orders_ended ON web_orders (ended_at) WHERE ended_at IS NOT NULL;

CREATE TABLE web_order_statuses (
    store     text        NOT NULL,
    order_id  text        NOT NULL,
    status    text        NOT NULL,
    at        timestamptz NOT NULL,
    PRIMARY KEY (store, order_id, status, at),
    FOREIGN KEY (store, order_id) REFERENCES web_orders ON DELETE CASCADE
);

-- Newsletters, customer panels and S-mobiili: one row per period a service was ordered.
CREATE TABLE digital_services (
    id            bigserial   PRIMARY KEY,
    person_id     text        NOT NULL,
    service       text        NOT NULL,
    item          text        NOT NULL,
    ordered_at    timestamptz NOT NULL,
    cancelled_at  timestamptz CHECK (cancelled_at >= ordered_at)
);
CREATE UNIQUE INDEX digital_services_current ON digital_services (person_id, service, item)
    WHERE cancelled_at IS NULL;
CREATE INDEX digital_services_person ON digital_services (person_id);
CREATE INDEX digital_services_cancelled ON digital_services (cancelled_at) WHERE cancelled_at IS NOT NULL;

-- The register keeper's contacts with the customer.
CREATE TABLE contact_log (
    contact_id       text        PRIMARY KEY,
    person_id        text        NOT NULL,
    channel          text        NOT NULL,
    reason           text        NOT NULL,
    handler          text        NOT NULL,
    contacted_at     timestamptz NOT NULL,
    notes_encrypted  bytea,
    recorded_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contact_log_person ON contact_log (person_id);
CREATE INDEX contact_log_contacted ON contact_log (contacted_at);

-- The persons erased here: what the web stores or customer service still send about them is dropped, never
-- stored again. Only the pseudonymous id, which the membership service keeps for the member register anyway.
CREATE TABLE erased_persons (
    person_id  text        PRIMARY KEY,
    erased_at  timestamptz NOT NULL DEFAULT now()
);

-- Messages dropped on purpose, counted: stale profile updates, messages about erased persons, cancellations
-- of services never ordered.
CREATE TABLE ignored_updates (
    source  text   NOT NULL,
    reason  text   NOT NULL,
    count   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (source, reason)
);
