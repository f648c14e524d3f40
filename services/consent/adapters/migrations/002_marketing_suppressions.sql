-- What survives a person's erasure in the consent service: the prohibitions (blocks) that were in force, so an
-- erased person is never marketed to again. No person id, no S-Bank reference in clear: each entry is keyed
-- by a keyed token (HMAC under the register's index key) of the identifier it will be recognised by —
-- `person` (the register's person id) and `sbank_customer` (S-Bank's reference, which S-Bank keeps using).
-- `stated_at`: when the latest of the kept blocks was stated, so a later statement of the customer still wins.
CREATE TABLE marketing_suppressions (
    token       text        PRIMARY KEY,
    kind        text        NOT NULL CHECK (kind IN ('person', 'sbank_customer')),
    blocks      text[]      NOT NULL CHECK (cardinality(blocks) > 0),
    stated_at   timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
