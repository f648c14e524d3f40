-- Local projection of consent.states.v1: whose household forbade collecting product-level purchase data
-- (the flag is the household's: any current member's block covers it). Under the block the lineage keeps
-- no exclusion naming a line or its category (medicine, alcohol …), and a household that newly blocks loses
-- that detail from what is already booked (`adapters/product_data.py`). A person's row goes with their
-- erasure (the state's tombstone, or the erasure of the person).
CREATE TABLE product_data_blocks (
    person_id          text    PRIMARY KEY,
    version            integer NOT NULL,
    household_id       text,
    collection_blocked boolean NOT NULL
);
CREATE INDEX product_data_blocks_household ON product_data_blocks (household_id) WHERE collection_blocked;
