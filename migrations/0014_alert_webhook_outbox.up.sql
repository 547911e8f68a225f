-- The alert webhook's outbox: when each alert's raise and clearing were POSTed (0: not yet).
-- The webhook sends what is not marked, oldest first, so a restart or a receiver that was down
-- loses nothing; alerts from before this migration count as sent.
ALTER TABLE alerts ADD COLUMN raise_sent_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN clear_sent_at INTEGER NOT NULL DEFAULT 0;
UPDATE alerts SET raise_sent_at = raised_at, clear_sent_at = cleared_at;
