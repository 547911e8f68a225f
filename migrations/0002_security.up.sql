-- Security: API keys for tools, the audit log of changes, settings (retention), and a mark on
-- calls whose personal data was purged.

-- API keys. Only the SHA-256 of the secret is kept. A name is unique among keys not revoked.
CREATE TABLE api_keys (
    id           TEXT    NOT NULL PRIMARY KEY,
    name         TEXT    NOT NULL,
    role         TEXT    NOT NULL, -- admin, supervisor, readonly
    key_hash     TEXT    NOT NULL UNIQUE,
    created_at   INTEGER,
    created_by   TEXT    NOT NULL DEFAULT '',
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL;

-- Changes made by admins and supervisors: who, what, and the state before and after (JSON).
CREATE TABLE audit_log (
    id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    actor_role TEXT    NOT NULL,
    procedure  TEXT    NOT NULL,
    request    TEXT    NOT NULL DEFAULT '',
    before     TEXT    NOT NULL DEFAULT '',
    after      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

-- Settings changed at run time, by name (e.g. retention_days).
CREATE TABLE settings (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);

-- When a finished call's personal data was erased (retention or a caller's request).
ALTER TABLE calls ADD COLUMN purged_at INTEGER;
CREATE INDEX calls_client ON calls (client);
