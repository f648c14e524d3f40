-- The people's registrations with Bonus-granting partners, as membership publishes them on
-- membership.persons.v1: a partner purchase earns Bonus only under one in force at purchase time
-- (domain.md §1.5). Each person's state replaces their rows whole; the lookup is by person and partner.
CREATE TABLE IF NOT EXISTS partner_registrations (
    person_id   text        NOT NULL,
    partner_id  text        NOT NULL,
    valid_from  timestamptz NOT NULL,
    valid_to    timestamptz,
    PRIMARY KEY (person_id, partner_id, valid_from)
);

-- Partner purchases kept without Bonus (their customer was not registered with the partner), counted per
-- partner for operators (the gauge coopreg_partner_purchases_not_credited). POS receipts never match the
-- predicate, so the index costs their ingest nothing but its test.
CREATE INDEX IF NOT EXISTS receipts_partner_not_credited ON receipts (outlet_id)
    WHERE chain = 'partner' AND bonus_eligible_cents = 0;
