-- 0001: the first schema, the SQLite one in PostgreSQL's types.
--
-- Vocabulary objects are stored whole as JSON, as the vocabulary marshals
-- them (timestamps RFC 3339 with nanoseconds), next to the columns the
-- queries need. The JSON columns are json, not jsonb: json keeps the text as
-- written, and jsonb refuses the escape \u0000, which a client's message may
-- hold. Timestamp columns are Unix nanoseconds (bigint), NULL for the zero
-- time. Chat ids are decimal numbers, so chats.id is a bigint and orders
-- numerically.

-- The configuration (switchboard.Config), one row.
CREATE TABLE config (
    id   integer PRIMARY KEY CHECK (id = 1),
    json json NOT NULL
);

-- The engine's counters (switchboard.Counters as JSON) and its clock (RFC
-- 3339 with nanoseconds, UTC, so any year), one row; its presence means
-- "committed to".
CREATE TABLE meta (
    id       integer PRIMARY KEY CHECK (id = 1),
    counters json NOT NULL,
    now      text NOT NULL
);

CREATE TABLE operators (
    id   text PRIMARY KEY,
    json json NOT NULL
);

-- close_seq is the seq of the chat's chat_closed event: the engine's close
-- order, which closed_at alone does not give when several chats close at
-- the same instant. chats_closed matches Load's ORDER BY (NULLs as SQLite
-- sorts them: last when descending).
CREATE TABLE chats (
    id          bigint PRIMARY KEY,
    status      text NOT NULL,
    operator_id text NOT NULL,
    client_id   text NOT NULL,
    channel     text NOT NULL,
    created_at  bigint,
    closed_at   bigint,
    close_seq   bigint,
    json        json NOT NULL
);
CREATE INDEX chats_open ON chats (id) WHERE status <> 'closed';
CREATE INDEX chats_closed ON chats (closed_at DESC NULLS LAST, close_seq DESC NULLS LAST, id DESC)
    WHERE status = 'closed';
CREATE INDEX chats_closed_operator ON chats (operator_id, id) WHERE status = 'closed';
CREATE INDEX chats_created ON chats (created_at, id);

CREATE TABLE events (
    seq         bigint PRIMARY KEY,
    name        text NOT NULL,
    chat_id     text NOT NULL,
    occurred_at bigint,
    json        json NOT NULL
);
CREATE INDEX events_name ON events (name, occurred_at);

CREATE TABLE messages (
    id      bigint PRIMARY KEY,
    chat_id text NOT NULL,
    json    json NOT NULL
);
CREATE INDEX messages_chat ON messages (chat_id, id);

CREATE TABLE decisions (
    seq  bigint PRIMARY KEY,
    at   bigint,
    json json NOT NULL
);
CREATE INDEX decisions_at ON decisions (at, seq);

-- Only the SHA-256 hash of a token's secret is stored. seq is the order of
-- creation (SQLite's rowid), which breaks ties between equal created_at.
CREATE TABLE tokens (
    id          text PRIMARY KEY,
    hash        text NOT NULL UNIQUE,
    role        text NOT NULL,
    operator_id text NOT NULL,
    created_at  bigint,
    seq         bigint GENERATED ALWAYS AS IDENTITY
);

CREATE TABLE passwords (
    operator_id text PRIMARY KEY,
    hash        text NOT NULL
);

-- events is the JSON array of event names; seq as in tokens.
CREATE TABLE webhooks (
    id         text PRIMARY KEY,
    url        text NOT NULL,
    events     json NOT NULL,
    secret     text NOT NULL,
    created_at bigint,
    seq        bigint GENERATED ALWAYS AS IDENTITY
);

-- The webhook outbox. A sequence never hands out an id twice, so a delivery
-- id is never reused (SQLite's AUTOINCREMENT).
CREATE TABLE deliveries (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id text NOT NULL,
    url        text NOT NULL,
    event_seq  bigint NOT NULL,
    chat_id    text NOT NULL,
    attempts   integer NOT NULL,
    next_at    bigint,
    done       boolean NOT NULL,
    created_at bigint
);
CREATE INDEX deliveries_pending ON deliveries (id) WHERE NOT done;
CREATE INDEX deliveries_webhook ON deliveries (webhook_id) WHERE NOT done;

CREATE TABLE attempts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id bigint NOT NULL,
    webhook_id  text NOT NULL,
    event_seq   bigint NOT NULL,
    at          bigint,
    status_code integer NOT NULL,
    error       text NOT NULL,
    duration_ms bigint NOT NULL
);
CREATE INDEX attempts_webhook ON attempts (webhook_id, id);
