-- Local projection of consent.states.v1: the household-level prohibitions on product-level data.
CREATE TABLE product_data_consents (
    person_id           text PRIMARY KEY,
    version             integer NOT NULL,
    household_id        text,
    collection_blocked  boolean NOT NULL,
    targeting_blocked   boolean NOT NULL,
    services_blocked    boolean NOT NULL
);
CREATE INDEX product_data_consents_household ON product_data_consents (household_id);

-- Product-level data kept but not for marketing, or not for customer-specific services.
ALTER TABLE receipts ADD COLUMN product_data_targeting_blocked boolean NOT NULL DEFAULT false;
ALTER TABLE receipts ADD COLUMN product_data_services_blocked boolean NOT NULL DEFAULT false;
