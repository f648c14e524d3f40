-- Payouts name the main member's benefit account: its IBAN sealed under the person's own key (for S-Bank,
-- shredded with the key at erasure) and a stable opaque reference. Sealed once when the account is
-- recorded, so the household's published state does not change with every publication (a fresh nonce).
-- Accounts recorded before this have neither until they are changed: their households' payouts are held.
ALTER TABLE benefit_accounts ADD COLUMN iban_sealed bytea, ADD COLUMN account_ref text;
