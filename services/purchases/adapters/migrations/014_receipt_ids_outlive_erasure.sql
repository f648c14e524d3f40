-- A person's erasure keeps their receipts' ids (and purchase times, for retention), without the content
-- hash: a copy of one of their receipts arriving after the erasure (a till sending its backlog late, a
-- producer's retry) is then recognised as seen and dropped, instead of being stored again, unresolvable,
-- with the erased person's card token. The id of a receipt says nothing of who made it once the receipt
-- is gone; retention deletes it with the month like any other.
ALTER TABLE receipt_ids ALTER COLUMN content_hash DROP NOT NULL;
