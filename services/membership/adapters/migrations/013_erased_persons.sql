-- The customers erased here whose row went with them (a member's row stays, marked `erased_at`): a report of
-- their activity still in a topic when they were erased is dropped, not left waiting for a registration
-- (`activity_waiting`) under their id. Only the pseudonymous id and when; a registration under the id again
-- removes it. The digital service keeps the same mark (its migration 001).
CREATE TABLE erased_persons (
    person_id  text        PRIMARY KEY,
    erased_at  timestamptz NOT NULL DEFAULT now()
);
