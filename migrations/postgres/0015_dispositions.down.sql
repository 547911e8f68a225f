DROP INDEX calls_disposed;
ALTER TABLE calls DROP COLUMN disposition;
