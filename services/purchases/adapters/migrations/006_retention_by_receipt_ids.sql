-- Retention finds the receipts of a month's first days through `receipt_ids` (indexed by purchase
-- time), so the receipts need no index of their own on it: one index less to write per receipt.
DROP INDEX IF EXISTS receipts_purchased_at;
