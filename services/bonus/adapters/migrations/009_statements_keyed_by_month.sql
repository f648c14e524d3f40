-- A close writes millions of statements, and each index costs about a sixth of writing one. Every read
-- of them names the month: the close and its publishing walk a month in household order, a household's
-- statement is read by (household, month), and a person's statements month by month over the periods
-- they belonged to a household (person_reads.py). So one index serves them all: the primary key, month
-- first, whose entries a close appends in key order.
ALTER TABLE statements DROP CONSTRAINT statements_pkey;
DROP INDEX statements_month_household;
ALTER TABLE statements ADD PRIMARY KEY (month, household_id);
