-- The cards of persons erased here, by keyed token, for as long as receipts wait for their card
-- (`PurchasesConfig.parking_horizon_days`): a receipt made with such a card that comes after the erasure (a
-- till sending its backlog late) would otherwise be stored as waiting for card data that will never come,
-- under the erased person's card token. It is dropped instead; its id stays claimed, without a content hash,
-- as an erased person's receipts' ids do (migration 014). Marked by the erasure and by the card's tombstone,
-- unmarked by a later state of the card; nothing links the token to the person any more.
CREATE TABLE erased_cards (
    card_token  text        PRIMARY KEY,
    erased_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX erased_cards_since ON erased_cards (erased_at);
