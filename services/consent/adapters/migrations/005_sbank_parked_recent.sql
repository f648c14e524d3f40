-- The sweep of parked S-Bank statements (application/sbank_inbound.py) looks only at recently parked ones:
-- the race it closes lasts as long as a transaction, and references S-Bank shares with nobody the register
-- knows may stay parked for long.
CREATE INDEX sbank_parked_recent ON sbank_parked (parked_at);
