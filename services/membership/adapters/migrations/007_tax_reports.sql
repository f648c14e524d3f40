-- The tax authority report of a year, kept here instead of as files in clear on an operator's disk: sealed
-- (encrypted, bound to the year) with the register's encryption key, read only through the register API by
-- the finance role (audited), and deleted by retention (`tax_reports`) so that no copy outlives its period.
-- A report written again for the same year replaces the earlier one.
CREATE TABLE tax_reports (
    year       integer     PRIMARY KEY,
    written_at timestamptz NOT NULL,
    file_name  text        NOT NULL,
    sha256     text        NOT NULL,   -- of the CSV, as the TaxReportWritten event says
    sealed     bytea       NOT NULL    -- {"csv", "json", "recipients"} sealed under context tax_reports:<year>
);
CREATE INDEX tax_reports_written_at ON tax_reports (written_at);
