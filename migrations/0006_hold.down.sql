ALTER TABLE calls DROP COLUMN hold_time_ms;
ALTER TABLE calls DROP COLUMN held_since;
