-- When a person's data were erased (the relationship ended and its retention passed, or on request):
-- the statutory member-register records stay, everything else about the person is gone.
ALTER TABLE persons ADD COLUMN erased_at timestamptz;
CREATE INDEX base_data_ended ON base_data (ended_at) WHERE ended_at IS NOT NULL;
