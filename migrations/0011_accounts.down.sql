ALTER TABLE audit_log DROP COLUMN actor_sign_in;
DROP TABLE account_sessions;
DROP TABLE accounts;
