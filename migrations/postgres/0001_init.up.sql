-- Tandem's store. Times are BIGINT  unix milliseconds (UTC), NULL for "not set";
-- durations are BIGINT  milliseconds; JSON is TEXT.

-- Configuration -----------------------------------------------------------------------------

CREATE TABLE operators (
    id             TEXT    NOT NULL PRIMARY KEY,
    name           TEXT    NOT NULL UNIQUE,
    display_name   TEXT    NOT NULL DEFAULT '',
    password_hash  TEXT    NOT NULL DEFAULT '',
    contact_kind   TEXT    NOT NULL DEFAULT '',
    contact_target TEXT    NOT NULL DEFAULT '',
    disabled       BIGINT  NOT NULL DEFAULT 0,
    created_at     BIGINT,
    hours          TEXT    NOT NULL DEFAULT 'null' -- JSON: time zone and working hours
);

-- The queues an operator serves. queue_id is not a foreign key: a skill may name a queue
-- before it is configured, and the engine decides what an unknown queue means.
CREATE TABLE operator_queues (
    operator_id TEXT    NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    queue_id    TEXT    NOT NULL,
    level       BIGINT  NOT NULL,
    position    BIGINT  NOT NULL, -- keeps the configured order
    PRIMARY KEY (operator_id, queue_id)
);
CREATE INDEX operator_queues_queue ON operator_queues (queue_id);

CREATE TABLE queues (
    id               TEXT    NOT NULL PRIMARY KEY,
    name             TEXT    NOT NULL DEFAULT '',
    strategy         TEXT    NOT NULL DEFAULT '',
    offer_timeout_ms BIGINT  NOT NULL DEFAULT 0,
    wrap_up_ms       BIGINT  NOT NULL DEFAULT 0,
    priority         BIGINT  NOT NULL DEFAULT 0,
    hold_music_url   TEXT    NOT NULL DEFAULT '',
    greeting         TEXT    NOT NULL DEFAULT '',
    is_default       BIGINT  NOT NULL DEFAULT 0,
    rules            TEXT    NOT NULL DEFAULT 'null' -- JSON: misses, bans, announcements
);
-- At most one default queue.
CREATE UNIQUE INDEX queues_one_default ON queues (is_default) WHERE is_default <> 0;

-- A dialed number belongs to at most one queue.
CREATE TABLE queue_numbers (
    number   TEXT    NOT NULL PRIMARY KEY,
    queue_id TEXT    NOT NULL REFERENCES queues (id) ON DELETE CASCADE,
    position BIGINT  NOT NULL -- keeps the configured order
);
CREATE INDEX queue_numbers_queue ON queue_numbers (queue_id, position);

CREATE TABLE sessions (
    token_hash  TEXT NOT NULL PRIMARY KEY,
    operator_id TEXT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    created_at  BIGINT,
    expires_at  BIGINT
);
CREATE INDEX sessions_operator ON sessions (operator_id);

-- Runtime -----------------------------------------------------------------------------------

CREATE TABLE operator_status (
    operator_id     TEXT NOT NULL PRIMARY KEY REFERENCES operators (id) ON DELETE CASCADE,
    state           TEXT NOT NULL,
    since           BIGINT,
    reason          TEXT NOT NULL DEFAULT '',
    offer_id        TEXT NOT NULL DEFAULT '',
    call_id         TEXT NOT NULL DEFAULT '',
    wrap_up_ends_at BIGINT,
    idle_since      BIGINT,
    banned_until    BIGINT,
    marks           TEXT NOT NULL DEFAULT 'null' -- JSON
);

-- Where round-robin queues stopped: the operator who got the last offer.
CREATE TABLE queue_cursors (
    queue_id    TEXT NOT NULL PRIMARY KEY,
    operator_id TEXT NOT NULL
);

-- queue_id, operator_id and offer_id are not foreign keys: a call may be in no queue yet,
-- and its offer is written after it.
CREATE TABLE calls (
    id            TEXT    NOT NULL PRIMARY KEY,
    queue_id      TEXT    NOT NULL DEFAULT '',
    state         TEXT    NOT NULL,
    session_id    TEXT    NOT NULL DEFAULT '',
    access_url    TEXT    NOT NULL DEFAULT '',
    caller_number TEXT    NOT NULL DEFAULT '',
    caller_name   TEXT    NOT NULL DEFAULT '',
    dialed_number TEXT    NOT NULL DEFAULT '',
    sip_headers   TEXT    NOT NULL DEFAULT 'null', -- JSON object
    custom_data   TEXT    NOT NULL DEFAULT '',
    arrived_at    BIGINT,
    priority      BIGINT  NOT NULL DEFAULT 0,
    client        TEXT    NOT NULL DEFAULT '', -- the caller number normalised
    manager_id    TEXT    NOT NULL DEFAULT '',
    manager_until BIGINT,
    spare_id      TEXT    NOT NULL DEFAULT '',
    operator_id   TEXT    NOT NULL DEFAULT '',
    offer_id      TEXT    NOT NULL DEFAULT '',
    answered_at   BIGINT,
    ended_at      BIGINT,
    hung_up_by    TEXT    NOT NULL DEFAULT '',
    talk_time_ms  BIGINT  NOT NULL DEFAULT 0,
    note          TEXT    NOT NULL DEFAULT '' -- the operator's, from his wrap-up
);
CREATE INDEX calls_state ON calls (state, arrived_at);
CREATE INDEX calls_queue_arrived ON calls (queue_id, arrived_at);
CREATE INDEX calls_caller ON calls (caller_number, arrived_at);

CREATE TABLE offers (
    id           TEXT    NOT NULL PRIMARY KEY,
    call_id      TEXT    NOT NULL REFERENCES calls (id),
    operator_id  TEXT    NOT NULL DEFAULT '', -- '' for an offer to a spare number
    spare_id     TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL,
    offered_at   BIGINT,
    expires_at   BIGINT,
    settled_at   BIGINT,
    ring_time_ms BIGINT  NOT NULL DEFAULT 0,
    failure_code BIGINT  NOT NULL DEFAULT 0,
    reason       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX offers_call ON offers (call_id, offered_at);
CREATE INDEX offers_operator_offered ON offers (operator_id, offered_at);
CREATE INDEX offers_pending ON offers (offered_at) WHERE state = 'pending';

CREATE INDEX offers_spare_offered ON offers (spare_id, offered_at) WHERE spare_id <> '';

-- Why each call went where it went. A decision is identified by its call, offer and time, so
-- writing the same Changes twice stores it once.
CREATE TABLE decisions (
    call_id     TEXT    NOT NULL REFERENCES calls (id),
    offer_id    TEXT    NOT NULL DEFAULT '',
    decided_at  BIGINT  NOT NULL,
    strategy    TEXT    NOT NULL DEFAULT '',
    operator_id TEXT    NOT NULL DEFAULT '',
    rule        TEXT    NOT NULL DEFAULT '',
    candidates  TEXT    NOT NULL DEFAULT 'null', -- JSON array
    seq         BIGINT  GENERATED ALWAYS AS IDENTITY, -- insertion order (SQLite's rowid)
    UNIQUE (call_id, decided_at, offer_id)
);

-- Cloud requests already carried out, with their replies, so a retry gets the same answer.
CREATE TABLE cloud_requests (
    id      TEXT NOT NULL PRIMARY KEY,
    call_id TEXT NOT NULL DEFAULT '',
    at      BIGINT,
    reply   TEXT NOT NULL -- JSON of callcenter.Reply
);

-- Personal managers and absences ------------------------------------------------------------

-- Caller numbers Tandem knows: their personal manager, or that they declined one.
CREATE TABLE clients (
    number      TEXT NOT NULL PRIMARY KEY, -- E.164
    manager_id  TEXT NOT NULL DEFAULT '',  -- kept when the manager is dismissed: listed for reassignment
    how         TEXT NOT NULL DEFAULT '',  -- voice, admin, import
    assigned_at BIGINT,
    declined_at BIGINT
);
CREATE INDEX clients_manager ON clients (manager_id);

CREATE TABLE absences (
    id          TEXT NOT NULL PRIMARY KEY,
    operator_id TEXT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    from_date   TEXT NOT NULL, -- 2006-01-02, in the operator's time zone
    to_date     TEXT NOT NULL  -- included
);
CREATE INDEX absences_operator ON absences (operator_id, from_date);

-- Spare numbers -----------------------------------------------------------------------------

CREATE TABLE spares (
    id     TEXT NOT NULL PRIMARY KEY,
    config TEXT NOT NULL -- JSON: name, contact, hours, holidays, limits
);

CREATE TABLE spare_status (
    spare_id TEXT NOT NULL PRIMARY KEY,
    status   TEXT NOT NULL -- JSON: use today, cool-down
);
