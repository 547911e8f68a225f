-- Callbacks and voicemail: a virtual call (a call back to a customer) keeps its whole
-- callcenter.Callback as JSON, and callback_of names the call it stands for, to list a call's
-- callbacks; a call whose caller left a message keeps its URL and length, to list voicemails.
ALTER TABLE calls ADD COLUMN callback_of TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN callback TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN voicemail_url TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN voicemail_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX calls_callback_of ON calls (callback_of) WHERE callback_of <> '';
CREATE INDEX calls_voicemail ON calls (arrived_at) WHERE voicemail_url <> '';
-- The history counts voicemail and callback exits, callbacks and voicemails.
ALTER TABLE tallies ADD COLUMN exits_voicemail INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN exits_callback INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN callbacks_requested INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN callbacks_connected INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN callback_attempts_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN callbacks_given_up INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tallies ADD COLUMN voicemails INTEGER NOT NULL DEFAULT 0;
