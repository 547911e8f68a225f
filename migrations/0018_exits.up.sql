-- Exits: how a call left its queue's line other than to an operator (a closed queue, a cap):
-- exit_kind for the call search ("message", "number", "queue"; '' when it took none) and the
-- whole callcenter.CallExit as JSON. The history counts the exits per queue, by why and by kind.
ALTER TABLE calls ADD COLUMN exit_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN call_exit TEXT NOT NULL DEFAULT '';
ALTER TABLE tallies ADD COLUMN exits_closed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN exits_max_waiting INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN exits_longest_wait INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN exits_message INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN exits_number INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN exits_queue INTEGER NOT NULL DEFAULT 0;
