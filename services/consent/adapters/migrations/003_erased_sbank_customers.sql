-- Erased stays erased in the consent service too: S-Bank's reference of an erased person, as a keyed token
-- (HMAC under the register's index key, namespace "erased-subject:sbank_customer"; never the reference in
-- clear). An S-Bank consent update whose reference gives a kept token is counted as "erased_subject" and
-- neither applied nor parked (parking would keep the reference and the statements in clear, for nobody).
-- The token goes when a person's state brings the reference again: the person registered themselves anew.
CREATE TABLE erased_sbank_customers (
    token     text        PRIMARY KEY,
    erased_at timestamptz NOT NULL DEFAULT now()
);
