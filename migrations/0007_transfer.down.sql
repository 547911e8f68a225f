ALTER TABLE calls DROP COLUMN transfer;
