-- Call recording: a queue may record its calls (after a spoken notice), and a call keeps the URL
-- of its recording on the cloud's storage until retention deletes the call.

ALTER TABLE queues ADD COLUMN record_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE queues ADD COLUMN recording_notice TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN recording_url TEXT NOT NULL DEFAULT '';
