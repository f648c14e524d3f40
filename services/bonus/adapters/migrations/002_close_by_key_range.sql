-- The close walks a month's households in key order, chunk by chunk, and resumes after the last
-- household it wrote a statement for. Once a month is closing no booking touches its accruals (they
-- become adjustments), so the accruals need no per-row closed flag.
CREATE INDEX accruals_month_household ON accruals (month, household_id);
CREATE INDEX statements_month_household ON statements (month, household_id);
DROP INDEX accruals_open;
ALTER TABLE accruals DROP COLUMN closed;
