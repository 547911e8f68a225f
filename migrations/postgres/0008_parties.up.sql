-- A call's third legs: parties its operator added and supervisors monitoring it (mode, state,
-- whom the cloud dials, the lease of an operator's leg), so a restart knows who is on a call.
CREATE TABLE call_parties (
    id             TEXT    PRIMARY KEY,
    call_id        TEXT    NOT NULL,
    mode           TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    contact_kind   TEXT    NOT NULL DEFAULT '',
    contact_target TEXT    NOT NULL DEFAULT '',
    operator_id    TEXT    NOT NULL DEFAULT '',
    added_by       TEXT    NOT NULL DEFAULT '',
    monitor        BIGINT  NOT NULL DEFAULT 0,
    invited_at     BIGINT  NOT NULL,
    expires_at     BIGINT,
    joined_at      BIGINT,
    left_at        BIGINT,
    reason         TEXT    NOT NULL DEFAULT '',
    rang           BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX call_parties_call ON call_parties (call_id, invited_at);
-- The party a timeline event is about.
ALTER TABLE call_events ADD COLUMN party_id TEXT NOT NULL DEFAULT '';
