-- Rectification (seed §11): every corrected value keeps who it came from and when.
-- The register keeper's staff correct data for the customer: a source of their own beside the customer,
-- S-Bank and the population register.
ALTER TABLE base_data DROP CONSTRAINT base_data_source_check;
ALTER TABLE base_data ADD CONSTRAINT base_data_source_check
    CHECK (source IN ('customer', 'staff', 'sbank', 'dvv'));

-- Who named each benefit payment account (accounts named before this: the customer, at joining).
ALTER TABLE benefit_accounts ADD COLUMN source text NOT NULL DEFAULT 'customer'
    CHECK (source IN ('customer', 'staff', 'sbank'));

-- Where the employment's current state came from: Hertta, or staff correcting it on the employer's word.
ALTER TABLE staff_employments ADD COLUMN source text NOT NULL DEFAULT 'hr' CHECK (source IN ('hr', 'staff'));

-- The history of a field of a record of its own (a membership's joining outlet, an employment): each change
-- with the value it replaced, its source and time. Base and contact data keep theirs in base_data.
CREATE TABLE corrections (
    id          bigserial   PRIMARY KEY,
    person_id   text        NOT NULL REFERENCES persons,
    field       text        NOT NULL CHECK (field IN ('joining_outlet', 'staff_employment')),
    target      text        NOT NULL,   -- the membership id; the employment's employer and start
    previous    jsonb,
    value       jsonb,
    source      text        NOT NULL CHECK (source IN ('customer', 'staff', 'hr')),
    source_time timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX corrections_of ON corrections (person_id, id);
CREATE INDEX corrections_recorded ON corrections (recorded_at);
