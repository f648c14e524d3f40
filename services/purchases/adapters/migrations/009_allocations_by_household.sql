-- A household that forbids collecting product-level data loses the line detail of its stored receipts
-- (`receipts.REMOVE_LINE_DETAIL`), found through the people whose cards were allocated to it. Card changes
-- are few next to receipts, so this index costs the ingest nothing.
CREATE INDEX IF NOT EXISTS card_allocations_household ON card_allocations (household_id)
    WHERE household_id IS NOT NULL;
