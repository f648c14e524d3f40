-- The disclosure log (contracts/disclosures.py, shared/disclosure_log.py): each base-data update this service
-- publishes to S-Bank (register.sbank-updates.v1), recorded in the transaction that stages it. Which fields (never
-- their values), to whom, on what basis, the update's id, when. Answered in the person's part (section
-- `disclosures`); erased with the person and after the `disclosures` retention period.
CREATE TABLE disclosures (
    disclosure_id text        PRIMARY KEY,
    person_id     text        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('sbank_update')),
    recipient     text        NOT NULL,
    data          text[]      NOT NULL CHECK (cardinality(data) > 0),
    legal_basis   text        NOT NULL,
    reference     text        NOT NULL,
    disclosed_at  timestamptz NOT NULL,
    recorded_by   text        NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX disclosures_person ON disclosures (person_id, disclosed_at);
CREATE INDEX disclosures_disclosed_at ON disclosures (disclosed_at);
