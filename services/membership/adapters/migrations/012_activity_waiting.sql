-- A report of a customer's activity that arrives before their registration (the two come on different
-- topics, through different consumers, so either can be first) waits here until the person is registered,
-- instead of being dropped: the digital service reports a person at most once a day. No foreign key, as the
-- person is not here yet; only the pseudonymous id, the reporting service and times. The service's sweep
-- moves a waiting report to `activity_elsewhere` once the person is registered, and forgets one that waited
-- past `COOPREG_MEMBERSHIP_ACTIVITY_WAIT_HOURS`. A report about an erased person never waits (migration 013).
CREATE TABLE activity_waiting (
    person_id       text        NOT NULL,
    service         text        NOT NULL,
    last_active_at  timestamptz NOT NULL,
    waiting_since   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, service)
);
CREATE INDEX activity_waiting_since ON activity_waiting (waiting_since);
