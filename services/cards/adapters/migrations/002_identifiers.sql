-- A person's identifiers besides the cards: the member (customer) number, the S-code (login user name)
-- and the customer code. None of them in clear: the member number and the S-code as keyed tokens (the
-- member number's allocation history is kept with the cards, type 'member_number'), the customer code as
-- a salted scrypt hash.
CREATE TABLE person_identifiers (
    person_id             text        PRIMARY KEY,
    member_number_token   text        UNIQUE REFERENCES cards,
    s_code_token          text        UNIQUE,
    customer_code_hash    text,
    member_number_set_at  timestamptz,
    s_code_set_at         timestamptz,
    customer_code_set_at  timestamptz,
    updated_at            timestamptz NOT NULL DEFAULT now()
);
