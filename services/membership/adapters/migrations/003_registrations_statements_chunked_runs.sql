-- Partner registrations, supporter groups and household groups as validity periods [valid_from, valid_to).
ALTER TABLE partner_registrations ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE partner_registrations ADD CONSTRAINT partner_registration_validity
    CHECK (valid_to IS NULL OR valid_to > valid_from);
CREATE INDEX partner_registrations_ended ON partner_registrations (valid_to) WHERE valid_to IS NOT NULL;

-- Supporter groups of associations a person belongs to, kept over time.
CREATE TABLE supporter_groups (
    person_id   text        NOT NULL REFERENCES persons,
    group_id    text        NOT NULL,
    valid_from  timestamptz NOT NULL,
    valid_to    timestamptz,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, group_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX supporter_groups_ended ON supporter_groups (valid_to) WHERE valid_to IS NOT NULL;

-- The household's customer group: one at a time.
ALTER TABLE customer_groups ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE customer_groups ADD CONSTRAINT customer_group_validity CHECK (valid_to IS NULL OR valid_to > valid_from);
CREATE UNIQUE INDEX household_group_current ON customer_groups (household_id) WHERE valid_to IS NULL;

-- Published Bonus statements (bonus.statements.v1), one row per household and month: the Bonus purchases
-- at the outlets of the household's own cooperative that month, for the yearly return of surplus.
CREATE TABLE bonus_statements (
    household_id                   text        NOT NULL REFERENCES households,
    month                          date        NOT NULL CHECK (extract(day FROM month) = 1),
    statement_id                   text        NOT NULL,
    cooperative_id                 text        NOT NULL,
    own_cooperative_eligible_cents bigint      NOT NULL,
    received_at                    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (household_id, month)
);
CREATE INDEX bonus_statements_month ON bonus_statements (month);

-- The yearly runs walk members in chunks of person ids, each chunk its own transaction; the cursor of a
-- run (financial year x cooperative) moves in the transaction of the chunk it passed.
CREATE TABLE yearly_run_progress (
    financial_year  integer     NOT NULL,
    cooperative_id  text        NOT NULL,
    after_person_id text        NOT NULL DEFAULT '',
    chunks          integer     NOT NULL DEFAULT 0,
    started_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    PRIMARY KEY (financial_year, cooperative_id)
);
CREATE INDEX memberships_by_cooperative ON memberships (cooperative_id, person_id);
CREATE INDEX households_by_main_member ON households (main_person_id, founded_at);
CREATE INDEX contributions_unpaid ON contributions (contribution_id) WHERE fully_paid_on IS NULL;
