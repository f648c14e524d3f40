-- The card's current block, its links, and what the scheduled sweep looks for. Before this migration
-- cards could only be issued (active, no links, never blocked), so existing rows need no backfill.
ALTER TABLE cards
    ADD COLUMN block_reason      text,
    ADD COLUMN block_lapses_at   timestamptz,
    ADD COLUMN parent_card_token text,
    ADD COLUMN replaces          text,
    ADD COLUMN replaced_by       text;

CREATE INDEX cards_lapsing ON cards (block_lapses_at) WHERE status = 'temporarily_blocked';
CREATE INDEX cards_expiring ON cards (valid_until) WHERE status NOT IN ('expired', 'replaced');
