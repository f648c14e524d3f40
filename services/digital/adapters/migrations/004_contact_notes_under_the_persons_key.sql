-- The contact log's free-text notes sealed under the person's own data key (shared/subject_keys.py), as the
-- data customers enter are: destroying the key at erasure leaves every copy (a backup, a replica) unreadable.
-- They were encrypted with the register-wide key (notes_encrypted), which an erasure cannot take back.
--
-- SQL cannot re-seal them (the keys are the application's), so the service does it once at start
-- (application/reseal_notes.py: chunked, idempotent; docs/operations.md): each row's notes move from
-- notes_encrypted to notes_sealed, leaving notes_encrypted null. Until a row is moved its notes are read the old
-- way. notes_encrypted is dropped by a later migration once every environment has run the step.
ALTER TABLE contact_log ADD COLUMN notes_sealed bytea;
ALTER TABLE contact_log ADD CONSTRAINT contact_log_notes_one_way CHECK (notes_sealed IS NULL OR notes_encrypted IS NULL);
CREATE INDEX contact_log_notes_to_reseal ON contact_log (contact_id) WHERE notes_encrypted IS NOT NULL;
