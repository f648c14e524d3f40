-- How the card was used and how the purchase was paid (seed §5: "how the card was used"; the payment
-- methods are what the payment-method benefit is decided by). Kept with the receipt, so they go with it
-- when it is erased or expires. Null in receipts stored before, and in partner purchases (the partner
-- reports neither).
ALTER TABLE receipts ADD COLUMN IF NOT EXISTS card_entry text, ADD COLUMN IF NOT EXISTS payments json;
