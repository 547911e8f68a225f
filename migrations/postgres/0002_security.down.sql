DROP INDEX calls_client;
ALTER TABLE calls DROP COLUMN purged_at;
DROP TABLE settings;
DROP TABLE audit_log;
DROP TABLE api_keys;
