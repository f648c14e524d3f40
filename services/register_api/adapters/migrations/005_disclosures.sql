-- The disclosure log (contracts/disclosures.py, shared/disclosure_log.py): authority requests recorded by staff
-- and the tax authority report as the finance role takes it out. Who (the pseudonymous person id), to whom, which
-- fields or data groups (never values), on what legal basis, under which reference, when. Erased with the
-- person and after the `disclosures` retention period.
CREATE TABLE disclosures (
    disclosure_id text        PRIMARY KEY,
    person_id     text        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('authority_request', 'tax_report')),
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
