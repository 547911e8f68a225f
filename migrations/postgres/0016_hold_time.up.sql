-- Hold time in the history: the time answered calls spent on hold (part of their talk time),
-- added up per queue and per operator like the talk, so that reports show it.
ALTER TABLE tallies ADD COLUMN hold_ms BIGINT NOT NULL DEFAULT 0;
