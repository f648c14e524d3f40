-- A person's booked purchases, for the register extract (right of access) and erasure.
CREATE INDEX IF NOT EXISTS purchases_person ON purchases (person_id, purchased_at);
