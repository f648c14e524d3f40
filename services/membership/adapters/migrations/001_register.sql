-- The membership service's own tables (schema "membership").
-- Identity codes and account numbers only encrypted (AES-GCM, shared.crypto) and as keyed tokens
-- (blind indexes, shared.pseudonym); never in clear.

CREATE SEQUENCE customer_numbers START 100000001;
CREATE SEQUENCE member_number_serials START 1;

-- Persons: owner-customers, household members and other customers.
CREATE TABLE persons (
    person_id               text PRIMARY KEY,
    customer_number         bigint      NOT NULL UNIQUE DEFAULT nextval('customer_numbers'),
    identity_code_token     text        NOT NULL UNIQUE,
    identity_code_encrypted bytea       NOT NULL,
    birth_date              date        NOT NULL,
    gender                  text        NOT NULL CHECK (gender IN ('male', 'female')),
    language                text        NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
    non_disclosure          boolean     NOT NULL DEFAULT false,
    marketing_prohibition   boolean     NOT NULL DEFAULT false,
    children_birth_years    smallint[]  NOT NULL DEFAULT '{}',
    sbank_customer_ref      text UNIQUE,
    relationship_start      date        NOT NULL,
    relationship_valid_until date,
    deceased_on             date,
    registered_at           timestamptz NOT NULL,
    published_version       integer     NOT NULL DEFAULT 0,
    published_state         jsonb
);

-- Base and contact data with their history: one current row per person and field group.
CREATE TABLE base_data (
    id           bigserial   PRIMARY KEY,
    person_id    text        NOT NULL REFERENCES persons,
    field_group  text        NOT NULL,
    value        jsonb       NOT NULL,
    source       text        NOT NULL CHECK (source IN ('customer', 'sbank', 'dvv')),
    source_time  timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz
);
CREATE UNIQUE INDEX base_data_current ON base_data (person_id, field_group) WHERE ended_at IS NULL;

-- The S-Bank / DVV sync state: the version (source, source time) of each field group's current value,
-- also for a removed value, so an older update arriving late never overwrites a newer one.
CREATE TABLE field_versions (
    person_id    text        NOT NULL REFERENCES persons,
    field_group  text        NOT NULL,
    source       text        NOT NULL,
    source_time  timestamptz NOT NULL,
    PRIMARY KEY (person_id, field_group)
);

-- Updates ignored on purpose, counted: stale (older than the value), echoes, unknown persons.
CREATE TABLE ignored_updates (
    source   text   NOT NULL,
    reason   text   NOT NULL,
    count    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (source, reason)
);

-- The capital contribution; it moves with the membership on a transfer.
CREATE TABLE contributions (
    contribution_id            text PRIMARY KEY,
    person_id                  text    NOT NULL REFERENCES persons,
    full_cents                 integer NOT NULL,
    minimum_first_payment_cents integer NOT NULL,
    deadline_months            integer NOT NULL,
    started_on                 date    NOT NULL,
    fully_paid_on              date
);

CREATE TABLE contribution_payments (
    payment_id      text PRIMARY KEY,
    contribution_id text        NOT NULL REFERENCES contributions,
    amount_cents    integer     NOT NULL CHECK (amount_cents > 0),
    source          text        NOT NULL CHECK (source IN ('payment', 'bonus', 'refund')),
    paid_on         date        NOT NULL,
    paid_at         timestamptz NOT NULL,
    excess_cents    integer     NOT NULL DEFAULT 0,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contribution_payments_of ON contribution_payments (contribution_id);
CREATE INDEX contribution_refunds_on ON contribution_payments (paid_on) WHERE source = 'refund';

CREATE TABLE memberships (
    membership_id   text PRIMARY KEY,
    person_id       text        NOT NULL REFERENCES persons,
    cooperative_id  text        NOT NULL,
    member_number   text        NOT NULL UNIQUE,
    status          text        NOT NULL CHECK (status IN ('active', 'resigned', 'terminated_unpaid',
                                                           'transferred', 'deceased')),
    started_at      timestamptz NOT NULL,
    ended_at        timestamptz,
    joining_outlet  text,
    contribution_id text        NOT NULL REFERENCES contributions,
    transferred_from text       REFERENCES memberships
);
CREATE UNIQUE INDEX one_active_membership ON memberships (person_id) WHERE status = 'active';

-- The main member's benefit payment account at S-Bank.
CREATE TABLE benefit_accounts (
    person_id      text        NOT NULL REFERENCES persons,
    iban_encrypted bytea       NOT NULL,
    iban_token     text        NOT NULL,
    last_four      text        NOT NULL,
    account_type   text        NOT NULL,
    valid_from     timestamptz NOT NULL,
    valid_to       timestamptz
);
CREATE UNIQUE INDEX benefit_account_current ON benefit_accounts (person_id) WHERE valid_to IS NULL;

CREATE TABLE households (
    household_id      text PRIMARY KEY,
    main_person_id    text        NOT NULL REFERENCES persons,
    membership_id     text        NOT NULL REFERENCES memberships,
    cooperative_from  timestamptz NOT NULL,
    status            text        NOT NULL CHECK (status IN ('active', 'dissolved')),
    founded_at        timestamptz NOT NULL,
    dissolved_at      timestamptz,
    published_version integer     NOT NULL DEFAULT 0,
    published_state   jsonb
);
CREATE UNIQUE INDEX households_membership ON households (membership_id);

-- Who belonged to which household when: [valid_from, valid_to). One household per person at a time.
CREATE TABLE household_members (
    household_id text        NOT NULL REFERENCES households,
    person_id    text        NOT NULL REFERENCES persons,
    role         text        NOT NULL CHECK (role IN ('main_member', 'member')),
    joined_by    text        NOT NULL CHECK (joined_by IN ('founded', 'accepted_invitation', 'added_by_main_member')),
    valid_from   timestamptz NOT NULL,
    valid_to     timestamptz,
    left_because text CHECK (left_because IN ('left', 'removed', 'dissolved', 'deceased')),
    PRIMARY KEY (household_id, person_id, valid_from)
);
CREATE UNIQUE INDEX one_household_at_a_time ON household_members (person_id) WHERE valid_to IS NULL;

CREATE TABLE invitations (
    invitation_id     text PRIMARY KEY,
    household_id      text        NOT NULL REFERENCES households,
    invitee_person_id text        NOT NULL REFERENCES persons,
    invited_at        timestamptz NOT NULL,
    status            text        NOT NULL CHECK (status IN ('pending', 'accepted', 'cancelled')),
    decided_at        timestamptz
);

-- Staff data from the HR register Hertta: one row per employment.
CREATE TABLE staff_employments (
    person_id        text        NOT NULL REFERENCES persons,
    employer         text        NOT NULL,
    employment_start date        NOT NULL,
    employment_end   date,
    staff_discount   boolean     NOT NULL,
    source_time      timestamptz NOT NULL,
    PRIMARY KEY (person_id, employer, employment_start)
);

-- Registrations with Bonus-granting partners, and customer groups (kept over time).
CREATE TABLE partner_registrations (
    person_id  text        NOT NULL REFERENCES persons,
    partner_id text        NOT NULL,
    valid_from timestamptz NOT NULL,
    valid_to   timestamptz,
    PRIMARY KEY (person_id, partner_id, valid_from)
);
CREATE TABLE customer_groups (
    household_id text        NOT NULL REFERENCES households,
    group_code   text        NOT NULL,
    valid_from   timestamptz NOT NULL,
    valid_to     timestamptz,
    PRIMARY KEY (household_id, group_code, valid_from)
);

-- Interest and return of surplus: once per member, financial year and kind.
CREATE TABLE yearly_benefits (
    person_id      text    NOT NULL REFERENCES persons,
    financial_year integer NOT NULL,
    kind           text    NOT NULL CHECK (kind IN ('interest', 'surplus_return')),
    membership_id  text    NOT NULL REFERENCES memberships,
    household_id   text,
    cooperative_id text    NOT NULL,
    amount_cents   integer NOT NULL CHECK (amount_cents > 0),
    paid_on        date    NOT NULL,
    computed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, financial_year, kind)
);
CREATE INDEX yearly_benefits_paid_on ON yearly_benefits (paid_on);
