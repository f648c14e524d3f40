-- A person's receipts, for the register extract (right of access) and erasure.
CREATE INDEX IF NOT EXISTS receipts_person ON receipts (person_id, purchased_at) WHERE person_id IS NOT NULL;
-- Receipts past their retention (two years), erased by the scheduled retention run.
CREATE INDEX IF NOT EXISTS receipts_purchased_at ON receipts (purchased_at);
