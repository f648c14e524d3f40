-- A customer's latest activity that another service saw and reported (issue 28): the digital service's web
-- stores and digital services (`digital.customer-activity.v1`). The `inactive_customer` retention rule counts
-- it beside this schema's own activity, so a customer who never joined but shops online is not erased as
-- inactive. Only the pseudonymous id, the reporting service and a time; erased with the person.
CREATE TABLE activity_elsewhere (
    person_id       text        NOT NULL REFERENCES persons ON DELETE CASCADE,
    service         text        NOT NULL,
    last_active_at  timestamptz NOT NULL,
    PRIMARY KEY (person_id, service)
);
