ALTER TABLE alerts DROP COLUMN clear_sent_at;
ALTER TABLE alerts DROP COLUMN raise_sent_at;
