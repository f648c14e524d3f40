-- A receipt's lines and exclusions are written once and only ever read whole (the register's reads,
-- the accepted event), never searched inside: kept as json (the text, checked to be JSON) rather than
-- jsonb, whose conversion to its binary form on the way in was the largest single cost of storing a
-- receipt. Measured on 20,000 receipts of about five lines, COPY cost 19.5 µs a row with jsonb and
-- 7.2 µs with json.
ALTER TABLE receipts
    ALTER COLUMN lines TYPE json USING lines::json,
    ALTER COLUMN excluded TYPE json USING excluded::json;
