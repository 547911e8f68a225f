UPDATE offers SET state = 'withdrawn' WHERE state = 'cancelled';
ALTER TABLE queues DROP COLUMN ring_at_once;
