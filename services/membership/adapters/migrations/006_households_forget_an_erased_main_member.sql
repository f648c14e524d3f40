-- A dissolved household keeps its membership link (the member register) but not the person id of a main member
-- who was erased: nothing else of them is kept outside the member register (services/membership/application/
-- retention.py erase_person).
ALTER TABLE households ALTER COLUMN main_person_id DROP NOT NULL;
