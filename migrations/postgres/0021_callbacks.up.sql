-- Callbacks and voicemail: a virtual call (a call back to a customer) keeps its whole
-- callcenter.Callback as JSON, and callback_of names the call it stands for, to list a call's
-- callbacks; a call whose caller left a message keeps its URL and length, to list voicemails.
ALTER TABLE calls ADD COLUMN callback_of TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN callback TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN voicemail_url TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN voicemail_ms BIGINT NOT NULL DEFAULT 0;
CREATE INDEX calls_callback_of ON calls (callback_of) WHERE callback_of <> '';
CREATE INDEX calls_voicemail ON calls (arrived_at) WHERE voicemail_url <> '';
-- The history counts voicemail and callback exits, callbacks and voicemails.
ALTER TABLE tallies ADD COLUMN exits_voicemail BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN exits_callback BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN callbacks_requested BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN callbacks_connected BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN callback_attempts_failed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN callbacks_given_up BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN voicemails BIGINT NOT NULL DEFAULT 0;
