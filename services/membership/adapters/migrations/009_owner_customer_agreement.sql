-- The owner-customer agreement accepted at joining (seed §6: the register's data come from it): the terms
-- version, when and on which channel. Null for memberships recorded before this (not known); a transfer
-- carries the member's agreement to the new membership.
ALTER TABLE memberships
    ADD COLUMN agreement_terms_version text,
    ADD COLUMN agreement_accepted_at   timestamptz,
    ADD COLUMN agreement_channel       text CHECK (agreement_channel IN ('online', 'service_point',
                                                                         'customer_service_phone', 'sbank', 'other'));
