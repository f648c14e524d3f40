-- The consent service's own tables (schema "consent").

-- What the register's other services tell about a person (membership.persons.v1), one row per person,
-- also for a person only named by a consent command so far (known = false until the state arrives).
-- An erased person keeps the row with erased_at and nothing else, so nothing of them is kept again.
CREATE TABLE persons (
    person_id             text PRIMARY KEY,
    known                 boolean     NOT NULL DEFAULT false,
    state_version         integer     NOT NULL DEFAULT 0,
    household_id          text,
    cooperative_id        text,
    customer_kind         text,
    language              text        NOT NULL DEFAULT 'fi',
    deceased              boolean     NOT NULL DEFAULT false,
    marketing_prohibition boolean     NOT NULL DEFAULT false,
    marketing_prohibition_source text,
    address_protection    boolean,
    home_municipality     text,
    birth_year            smallint,
    sbank_customer_ref    text UNIQUE,
    erased_at             timestamptz,
    published_version     integer     NOT NULL DEFAULT 0,
    published_state       jsonb
);
CREATE INDEX persons_household ON persons (household_id) WHERE household_id IS NOT NULL;

-- membership.households.v1: the household's main member and cooperative (highest version kept).
CREATE TABLE households (
    household_id          text PRIMARY KEY,
    version               integer NOT NULL,
    status                text    NOT NULL,
    main_member_person_id text    NOT NULL,
    cooperative_id        text    NOT NULL
);

-- bonus.month-to-date.v1: the household's latest month and its Bonus % (basis points).
CREATE TABLE household_tiers (
    household_id text    PRIMARY KEY,
    month        text    NOT NULL,
    rate_bp      integer NOT NULL
);

-- Consent receipts: every block and permission statement as it arrived — who, what, from which source and
-- collection point, as of when. Never updated; deleted only when the person is erased. The statement
-- with the latest source_time per item is in force (consent_items); the history is consent_history.
CREATE TABLE consent_receipts (
    receipt_id       bigserial   PRIMARY KEY,
    person_id        text        NOT NULL,
    item             text        NOT NULL,
    value            boolean     NOT NULL,
    source           text        NOT NULL CHECK (source IN ('self_service', 'customer_service', 'sbank',
                                                            'population_register', 'register')),
    collection_point text        NOT NULL,
    actor            text        NOT NULL,
    source_time      timestamptz NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    cause_id         text        NOT NULL
);
CREATE INDEX consent_receipts_person ON consent_receipts (person_id, item, source_time);

CREATE FUNCTION consent_receipts_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'consent receipts are never changed';
END $$;
CREATE TRIGGER consent_receipts_append_only BEFORE UPDATE ON consent_receipts
    FOR EACH ROW EXECUTE FUNCTION consent_receipts_are_append_only();

-- The statement in force per person and item.
CREATE TABLE consent_items (
    person_id   text        NOT NULL,
    item        text        NOT NULL,
    value       boolean     NOT NULL,
    source_time timestamptz NOT NULL,
    receipt_id  bigint      NOT NULL REFERENCES consent_receipts,
    PRIMARY KEY (person_id, item)
);

-- Each receipt with when it ended: the first later statement of the opposite value (for a permission
-- granted or a block set: its withdrawal time).
CREATE VIEW consent_history AS
SELECT r.*,
       (SELECT min(later.source_time) FROM consent_receipts later
         WHERE later.person_id = r.person_id AND later.item = r.item
           AND later.source_time > r.source_time AND later.value <> r.value) AS ended_at
FROM consent_receipts r;

-- Segment definitions as data (the DefineSegment command); topic_ready once its compacted topic exists,
-- populated_version: the definition version every person was last evaluated against.
CREATE TABLE segment_definitions (
    name              text        PRIMARY KEY,
    version           integer     NOT NULL,
    definition        jsonb       NOT NULL,
    defined_at        timestamptz NOT NULL,
    retired_at        timestamptz,
    topic_ready       boolean     NOT NULL DEFAULT false,
    populated_version integer     NOT NULL DEFAULT 0,
    refreshed_at      timestamptz
);

-- Who is published in which segment now, with the attributes sent: the source of tombstones.
CREATE TABLE segment_members (
    segment      text        NOT NULL REFERENCES segment_definitions,
    person_id    text        NOT NULL,
    pseudonym    text        NOT NULL,
    entry        jsonb       NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (segment, person_id)
);
CREATE INDEX segment_members_person ON segment_members (person_id);

-- S-Bank's consent changes for a reference the register has not linked to a person yet (the membership
-- service links it; its person state brings the link): applied when it arrives. No identity code.
CREATE TABLE sbank_parked (
    id                 bigserial   PRIMARY KEY,
    sbank_customer_ref text        NOT NULL,
    statements         jsonb       NOT NULL,
    cause_id           text        NOT NULL,
    parked_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sbank_parked_ref ON sbank_parked (sbank_customer_ref);

-- Updates ignored on purpose, counted: S-Bank echoes of the register's own changes, stale states.
CREATE TABLE ignored_updates (
    source text   NOT NULL,
    reason text   NOT NULL,
    count  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (source, reason)
);
