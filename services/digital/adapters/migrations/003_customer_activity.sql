-- The customer's latest activity in the web stores and the digital services, and the latest time reported to
-- the membership service on `digital.customer-activity.v1` (its `inactive_customer` retention rule counts it).
-- A report goes out when the activity is a day or more later than the one reported, so a customer's thousand
-- logins a day make one message. Erased with the person; a row past the `inactive_customer` cut-off goes in
-- the retention run (the membership service has the time by then).
CREATE TABLE customer_activity (
    person_id           text        PRIMARY KEY,
    last_active_at      timestamptz NOT NULL,
    reported_active_at  timestamptz
);
CREATE INDEX customer_activity_last ON customer_activity (last_active_at);
