-- Every receipt paid for five index entries. Two of them were not worth it:
-- * receipts_household: no query reads receipts by household (bonus keeps its own lineage; the
--   register's reads go by person);
-- * receipt_ids_purchased_at: only retention reads ids by purchase time, and ids arrive in about that
--   order, so a BRIN index (a summary per range of pages, nearly free to keep) finds them as well.
DROP INDEX IF EXISTS receipts_household;
DROP INDEX IF EXISTS receipt_ids_purchased_at;
CREATE INDEX receipt_ids_purchased_at ON receipt_ids USING brin (purchased_at);
