-- A person's share of their households' months, found by person for erasure. Migration 005 gained this
-- index after it was first committed; a database that applied that first version gets it here.
CREATE INDEX IF NOT EXISTS accrual_members_person ON accrual_members (person_id);
