-- Ring-all: a ring_all queue rings up to ring_at_once free operators at once for one call; the
-- legs another operator beat are kept as offers in state 'cancelled' (the state column is text).

ALTER TABLE queues ADD COLUMN ring_at_once INTEGER NOT NULL DEFAULT 0;
