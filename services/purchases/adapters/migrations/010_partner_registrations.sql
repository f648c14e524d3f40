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
