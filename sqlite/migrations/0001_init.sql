-- 0001: the first schema.
--
-- Vocabulary objects are stored whole as JSON text, as the vocabulary
-- marshals them (timestamps RFC 3339 with nanoseconds), next to the columns
-- the queries need. Timestamp columns are Unix nanoseconds (INTEGER), NULL
-- for the zero time. Chat ids are decimal numbers, so chats.id is an INTEGER
-- and orders numerically.

-- The configuration (switchboard.Config), one row.
CREATE TABLE config (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    json TEXT NOT NULL
) STRICT;

-- The engine's counters (switchboard.Counters as JSON) and its clock (RFC
-- 3339 with nanoseconds, UTC), one row; its presence means "committed to".
CREATE TABLE meta (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    counters TEXT NOT NULL,
    now      TEXT NOT NULL
) STRICT;

CREATE TABLE operators (
    id   TEXT PRIMARY KEY,
    json TEXT NOT NULL
) STRICT;

-- close_seq is the seq of the chat's chat_closed event: the engine's close
-- order, which closed_at alone does not give when several chats close at
-- the same instant.
CREATE TABLE chats (
    id          INTEGER PRIMARY KEY,
    status      TEXT NOT NULL,
    operator_id TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    channel     TEXT NOT NULL,
    created_at  INTEGER,
    closed_at   INTEGER,
    close_seq   INTEGER,
    json        TEXT NOT NULL
) STRICT;
CREATE INDEX chats_open ON chats (id) WHERE status <> 'closed';
CREATE INDEX chats_closed ON chats (closed_at, close_seq, id) WHERE status = 'closed';
CREATE INDEX chats_closed_operator ON chats (operator_id, id) WHERE status = 'closed';
CREATE INDEX chats_created ON chats (created_at);

CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    occurred_at INTEGER,
    json        TEXT NOT NULL
) STRICT;
CREATE INDEX events_name ON events (name, occurred_at);

CREATE TABLE messages (
    id      INTEGER PRIMARY KEY,
    chat_id TEXT NOT NULL,
    json    TEXT NOT NULL
) STRICT;
CREATE INDEX messages_chat ON messages (chat_id, id);

CREATE TABLE decisions (
    seq  INTEGER PRIMARY KEY,
    at   INTEGER,
    json TEXT NOT NULL
) STRICT;
CREATE INDEX decisions_at ON decisions (at);

-- Only the SHA-256 hash of a token's secret is stored.
CREATE TABLE tokens (
    id          TEXT PRIMARY KEY,
    hash        TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL,
    operator_id TEXT NOT NULL,
    created_at  INTEGER
) STRICT;

CREATE TABLE passwords (
    operator_id TEXT PRIMARY KEY,
    hash        TEXT NOT NULL
) STRICT;

-- events is the JSON array of event names.
CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    events     TEXT NOT NULL,
    secret     TEXT NOT NULL,
    created_at INTEGER
) STRICT;

-- The webhook outbox. AUTOINCREMENT: a delivery id is never reused.
CREATE TABLE deliveries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id TEXT NOT NULL,
    url        TEXT NOT NULL,
    event_seq  INTEGER NOT NULL,
    chat_id    TEXT NOT NULL,
    attempts   INTEGER NOT NULL,
    next_at    INTEGER,
    done       INTEGER NOT NULL,
    created_at INTEGER
) STRICT;
CREATE INDEX deliveries_pending ON deliveries (id) WHERE done = 0;
CREATE INDEX deliveries_webhook ON deliveries (webhook_id) WHERE done = 0;

CREATE TABLE attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL,
    webhook_id  TEXT NOT NULL,
    event_seq   INTEGER NOT NULL,
    at          INTEGER,
    status_code INTEGER NOT NULL,
    error       TEXT NOT NULL,
    duration_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX attempts_webhook ON attempts (webhook_id, id);
