-- A close publishes its payouts first, and its statements once every payout of the month is out: the
-- money is due by the 10th and goes to S-Bank, while a statement explains it (and can be queried from
-- the moment it is written). Each has its own mark: the last household, in key order, whose payout
-- (statement) was published. Until now the two were published together, behind one mark.
ALTER TABLE months RENAME COLUMN published_through TO payouts_published_through;
ALTER TABLE months ADD COLUMN statements_published_through text NOT NULL DEFAULT '';
UPDATE months SET statements_published_through = payouts_published_through;
