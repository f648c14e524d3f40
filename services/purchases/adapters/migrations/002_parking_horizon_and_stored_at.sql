-- A receipt whose identifier stays unknown past the parking horizon is reported, not lost and not guessed.
ALTER TABLE receipts DROP CONSTRAINT receipts_status_check;
ALTER TABLE receipts ADD CONSTRAINT receipts_status_check
    CHECK (status IN ('accepted', 'unresolved', 'unresolved_expired'));
DROP INDEX receipts_unresolved;
CREATE INDEX receipts_unresolved ON receipts (identifier_token) WHERE status <> 'accepted';
-- When the row was written, not when its transaction began: latency is measured from it.
ALTER TABLE receipts ALTER COLUMN stored_at SET DEFAULT clock_timestamp();
