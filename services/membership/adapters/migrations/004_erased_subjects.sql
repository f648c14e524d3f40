-- Erased stays erased. An erasure removes the person's identity-code index (a kept member-register row
-- keeps only the encrypted code the tax reports need), so no later update finds them through it. What
-- recognises them instead is the erasure marker: a keyed token of the identity code under a purpose of its
-- own (shared.pseudonym, namespace "erased-subject"), made at registration so that the erasure itself needs
-- no key, and moved at erasure from the person's row to `erased_subjects`, which holds nothing else.
-- A population-register, S-Bank or HR update whose identity code gives a kept marker is counted as
-- "erased_subject" and stores nothing; only the person's own new registration removes the marker.
ALTER TABLE persons ALTER COLUMN identity_code_token DROP NOT NULL;
ALTER TABLE persons ADD COLUMN erasure_marker text;

CREATE TABLE erased_subjects (
    marker    text        PRIMARY KEY,
    erased_at timestamptz NOT NULL DEFAULT now()
);
