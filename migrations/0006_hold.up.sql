-- A call's holds: when the one in progress began (NULL when none) and the length of the ended ones.
ALTER TABLE calls ADD COLUMN held_since INTEGER;
ALTER TABLE calls ADD COLUMN hold_time_ms INTEGER NOT NULL DEFAULT 0;
