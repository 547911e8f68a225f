-- Callbacks and voicemail: a virtual call (a call back to a customer) keeps its whole
-- callcenter.Callback as JSON, and callback_of names the call it stands for, to list a call's
-- callbacks; a call whose caller left a message keeps its URL and length, to list voicemails.
ALTER TABLE calls ADD COLUMN callback_of TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN callback TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN voicemail_url TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN voicemail_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX calls_callback_of ON calls (callback_of) WHERE callback_of <> '';
CREATE INDEX calls_voicemail ON calls (arrived_at) WHERE voicemail_url <> '';
