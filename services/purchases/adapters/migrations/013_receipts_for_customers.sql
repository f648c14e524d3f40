-- E-receipts and electronic warranty receipts (seed §5 "electronic warranty receipts and receipts", §12 the
-- warranty-receipts block): a copy of a stored receipt issued to the person whose card was used, kept on its
-- own clock, not the purchase's. An e-receipt for those who chose e-receipts (consent.states.v1 `choices`),
-- kept for the e_receipts retention period from the purchase; a warranty receipt for a purchase of goods
-- under warranty (`domain/warranty_periods.json`), unless the person blocked warranty receipts, kept until
-- the warranty ends. One row serves both; it goes when neither is left. Under the household's block on
-- collecting product-level data or on its use in customer-specific services no line is kept here, and no
-- warranty receipt is issued (one without its product says nothing).
CREATE TABLE IF NOT EXISTS customer_receipts (
    receipt_id     text        PRIMARY KEY,
    person_id      text        NOT NULL,
    household_id   text,
    purchased_at   timestamptz NOT NULL,
    outlet_id      text        NOT NULL,
    chain          text        NOT NULL,
    total_cents    bigint      NOT NULL,
    card_entry     text,
    payments       json,
    staff_discount_cents bigint,
    lines          json        NOT NULL,
    return_of      text,
    e_receipt      boolean     NOT NULL,
    warranty_until timestamptz,
    issued_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (e_receipt OR warranty_until IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS customer_receipts_person ON customer_receipts (person_id, purchased_at);
CREATE INDEX IF NOT EXISTS customer_receipts_household ON customer_receipts (household_id);
CREATE INDEX IF NOT EXISTS customer_receipts_e_receipts ON customer_receipts (purchased_at) WHERE e_receipt;
CREATE INDEX IF NOT EXISTS customer_receipts_warranty ON customer_receipts (warranty_until)
    WHERE warranty_until IS NOT NULL;

-- The person's own choice of e-receipts and block on warranty receipts, beside the household's product-data
-- blocks already kept from the same consent state.
ALTER TABLE product_data_consents ADD COLUMN IF NOT EXISTS e_receipts boolean NOT NULL DEFAULT false,
                                  ADD COLUMN IF NOT EXISTS warranty_receipts_blocked boolean NOT NULL DEFAULT false;

-- How many months from the purchase its goods are under warranty (null: none), decided from the lines as
-- the POS sent them when the receipt was staged.
ALTER TABLE receipts ADD COLUMN IF NOT EXISTS warranty_months integer;
