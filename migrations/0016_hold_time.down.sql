ALTER TABLE tallies DROP COLUMN hold_ms;
