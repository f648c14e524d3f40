-- The disclosure log (contracts/disclosures.py, shared/disclosure_log.py): each consent update this service
-- publishes to S-Bank (register.sbank-updates.v1) and each person it puts into a marketing segment for the
-- segment's named recipient, recorded in the transaction that stages the message. Which fields (never their
-- values), to whom, on what basis, the message's reference, when. Answered in the person's part (section
-- `disclosures`); erased with the person and after the `disclosures` retention period.
CREATE TABLE disclosures (
    disclosure_id text        PRIMARY KEY,
    person_id     text        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('sbank_update', 'segment_delivery')),
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
