-- Analytics: the history in 15-minute rows per queue and per operator, added to as calls and
-- states end (hours and days are sums of them), and each call's timeline.

CREATE TABLE tallies (
    scope               TEXT    NOT NULL, -- 'queue' or 'operator'
    id                  TEXT    NOT NULL,
    start               INTEGER NOT NULL, -- unix ms, a multiple of 15 minutes
    calls_received      INTEGER NOT NULL DEFAULT 0,
    calls_answered      INTEGER NOT NULL DEFAULT 0,
    answered_within     INTEGER NOT NULL DEFAULT 0,
    calls_abandoned     INTEGER NOT NULL DEFAULT 0,
    short_abandons      INTEGER NOT NULL DEFAULT 0,
    abandoned_within    INTEGER NOT NULL DEFAULT 0,
    calls_lost          INTEGER NOT NULL DEFAULT 0,
    calls_overflowed    INTEGER NOT NULL DEFAULT 0,
    answered_by_spare   INTEGER NOT NULL DEFAULT 0,
    hung_up_by_caller   INTEGER NOT NULL DEFAULT 0,
    hung_up_by_operator INTEGER NOT NULL DEFAULT 0,
    hung_up_by_system   INTEGER NOT NULL DEFAULT 0,
    offers_made         INTEGER NOT NULL DEFAULT 0,
    offers_missed       INTEGER NOT NULL DEFAULT 0,
    manager_calls       INTEGER NOT NULL DEFAULT 0,
    manager_reached     INTEGER NOT NULL DEFAULT 0,
    answer_time_ms      INTEGER NOT NULL DEFAULT 0,
    answer_time_max_ms  INTEGER NOT NULL DEFAULT 0,
    talk_ms             INTEGER NOT NULL DEFAULT 0,
    wrap_up_time_ms     INTEGER NOT NULL DEFAULT 0,
    ring_ms             INTEGER NOT NULL DEFAULT 0,
    ready_ms            INTEGER NOT NULL DEFAULT 0,
    reserved_ms         INTEGER NOT NULL DEFAULT 0,
    on_call_ms          INTEGER NOT NULL DEFAULT 0,
    wrap_up_ms          INTEGER NOT NULL DEFAULT 0,
    away_ms             INTEGER NOT NULL DEFAULT 0,
    -- answered calls by answer time: under 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300 s, the rest
    h0                  INTEGER NOT NULL DEFAULT 0,
    h1                  INTEGER NOT NULL DEFAULT 0,
    h2                  INTEGER NOT NULL DEFAULT 0,
    h3                  INTEGER NOT NULL DEFAULT 0,
    h4                  INTEGER NOT NULL DEFAULT 0,
    h5                  INTEGER NOT NULL DEFAULT 0,
    h6                  INTEGER NOT NULL DEFAULT 0,
    h7                  INTEGER NOT NULL DEFAULT 0,
    h8                  INTEGER NOT NULL DEFAULT 0,
    h9                  INTEGER NOT NULL DEFAULT 0,
    h10                 INTEGER NOT NULL DEFAULT 0,
    h11                 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, id, start)
) WITHOUT ROWID;
CREATE INDEX tallies_start ON tallies (scope, start);

CREATE TABLE call_events (
    call_id     TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    operator_id TEXT    NOT NULL DEFAULT '',
    spare_id    TEXT    NOT NULL DEFAULT '',
    offer_id    TEXT    NOT NULL DEFAULT '',
    text        TEXT    NOT NULL DEFAULT '',
    code        INTEGER NOT NULL DEFAULT 0,
    ring_ms     INTEGER NOT NULL DEFAULT 0,
    talk_ms     INTEGER NOT NULL DEFAULT 0,
    hung_up_by  TEXT    NOT NULL DEFAULT '',
    queue_id    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX call_events_call ON call_events (call_id, at);
