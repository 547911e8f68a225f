DROP INDEX calls_voicemail;
DROP INDEX calls_callback_of;
ALTER TABLE calls DROP COLUMN voicemail_ms;
ALTER TABLE calls DROP COLUMN voicemail_url;
ALTER TABLE calls DROP COLUMN callback;
ALTER TABLE calls DROP COLUMN callback_of;
