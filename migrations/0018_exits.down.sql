ALTER TABLE tallies DROP COLUMN exits_queue;
ALTER TABLE tallies DROP COLUMN exits_number;
ALTER TABLE tallies DROP COLUMN exits_message;
ALTER TABLE tallies DROP COLUMN exits_longest_wait;
ALTER TABLE tallies DROP COLUMN exits_max_waiting;
ALTER TABLE tallies DROP COLUMN exits_closed;
ALTER TABLE calls DROP COLUMN call_exit;
ALTER TABLE calls DROP COLUMN exit_kind;
