-- Staff discounts (seed §5: purchase data include staff discounts). The POS reports the discount it gave;
-- the register checks it against the person's right to the staff discount, which HR (Hertta) gives and the
-- membership service publishes on membership.persons.v1: this is the purchases service's own view of it,
-- one row per person, the highest state version kept. A discount given without the right is flagged.
CREATE TABLE IF NOT EXISTS staff_discount_rights (
    person_id text    PRIMARY KEY,
    version   integer NOT NULL,
    has_right boolean NOT NULL
);

ALTER TABLE receipts ADD COLUMN IF NOT EXISTS staff_discount_cents bigint,
                     ADD COLUMN IF NOT EXISTS staff_discount_flagged boolean;

-- Staff list staff discounts, the flagged ones above all; receipts without one are not in the index, so
-- it costs the ingest nothing but its predicate.
CREATE INDEX IF NOT EXISTS receipts_staff_discounts ON receipts (purchased_at)
    WHERE staff_discount_cents IS NOT NULL;
