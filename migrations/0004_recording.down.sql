ALTER TABLE calls DROP COLUMN recording_url;
ALTER TABLE queues DROP COLUMN recording_notice;
ALTER TABLE queues DROP COLUMN record_calls;
