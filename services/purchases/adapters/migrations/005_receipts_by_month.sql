-- Receipts are stored partitioned by the calendar month of purchase (Europe/Helsinki): a month's
-- receipts sit together, and retention drops a month whole instead of deleting row by row.
--
-- A unique key on a partitioned table must contain the partition key, so receipt ids are made unique
-- by their own small table, `receipt_ids`: storing a receipt claims its id there first (id, purchase
-- time, content hash). Ids go with their receipts: at retention, and when a person is erased.

ALTER TABLE receipts RENAME TO receipts_before_months;

CREATE TABLE receipt_ids (
    receipt_id    text        PRIMARY KEY,
    purchased_at  timestamptz NOT NULL,
    content_hash  bytea       NOT NULL
);
CREATE INDEX receipt_ids_purchased_at ON receipt_ids (purchased_at);

CREATE TABLE receipts (
    receipt_id        text        NOT NULL,
    content_hash      bytea       NOT NULL,
    status            text        NOT NULL CHECK (status IN ('accepted', 'unresolved', 'unresolved_expired')),
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
    stored_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    product_data_targeting_blocked boolean NOT NULL DEFAULT false,
    product_data_services_blocked  boolean NOT NULL DEFAULT false
) PARTITION BY RANGE (purchased_at);

-- The month's partition, made when the first receipt of that month arrives (idempotent; concurrent
-- callers serialise on an advisory lock). Bounds are Helsinki midnights of the month's first days.
CREATE FUNCTION receipts_month_partition(month_start date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    name text := 'receipts_' || to_char(month_start, 'YYYY_MM');
BEGIN
    IF to_regclass(quote_ident(current_schema()) || '.' || name) IS NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext(current_schema() || ':receipts-partition'));
        IF to_regclass(quote_ident(current_schema()) || '.' || name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF receipts FOR VALUES FROM (%L) TO (%L)', name,
                           date_trunc('month', month_start)::timestamp AT TIME ZONE 'Europe/Helsinki',
                           (date_trunc('month', month_start) + interval '1 month')::timestamp
                               AT TIME ZONE 'Europe/Helsinki');
        END IF;
    END IF;
    RETURN name;
END $$;

SELECT receipts_month_partition(month)
FROM (SELECT DISTINCT (date_trunc('month', purchased_at AT TIME ZONE 'Europe/Helsinki'))::date AS month
      FROM receipts_before_months) months;

INSERT INTO receipts SELECT receipt_id, content_hash, status, purchased_at, outlet_id, chain, outlet_cooperative,
    identifier_token, identifier_last4, person_id, household_id, cooperative_id, total_cents,
    bonus_eligible_cents, fuel_cents, fuel_millilitres, payment_method_eligible_cents, excluded, lines,
    return_of, stored_at, product_data_targeting_blocked, product_data_services_blocked
FROM receipts_before_months;
INSERT INTO receipt_ids SELECT receipt_id, purchased_at, content_hash FROM receipts_before_months;
DROP TABLE receipts_before_months;

CREATE INDEX receipts_id ON receipts (receipt_id);
CREATE INDEX receipts_unresolved ON receipts (identifier_token) WHERE status <> 'accepted';
CREATE INDEX receipts_household ON receipts (household_id, purchased_at);
CREATE INDEX receipts_person ON receipts (person_id, purchased_at) WHERE person_id IS NOT NULL;
CREATE INDEX receipts_purchased_at ON receipts (purchased_at);
