-- 0003: the webhook outbox per target (issue 21); the same as SQLite's 0004.
--
-- Each target (a subscription, or a chat's event_webhook_url) is scheduled
-- on its own: its pending deliveries are read through deliveries_target,
-- which holds only the rows not done, by target and id, so that a dead
-- target's rows are never scanned to find another target's. The API pages
-- a subscription's deliveries and a chat's through the other two.
DROP INDEX deliveries_pending;
DROP INDEX deliveries_webhook;
CREATE INDEX deliveries_target ON deliveries (webhook_id, url, id) WHERE NOT done;
CREATE INDEX deliveries_by_webhook ON deliveries (webhook_id, id);
CREATE INDEX deliveries_by_chat ON deliveries (chat_id, id) WHERE webhook_id = '';
CREATE INDEX attempts_delivery ON attempts (delivery_id, id);

-- The installation's id: webhook-id is evt_<installation>_<event seq>, so
-- that a reset of the data (a new database) never repeats one.
CREATE TABLE installation (
    id   integer PRIMARY KEY CHECK (id = 1),
    name text NOT NULL
);
INSERT INTO installation (id, name) VALUES (1, substr(md5(random()::text || clock_timestamp()::text), 1, 16));

-- Server-wide keys that sign deliveries to chats' event_webhook_url.
CREATE TABLE webhook_keys (
    id         text PRIMARY KEY,
    secret     text NOT NULL,
    created_at bigint,
    expires_at bigint
);

-- A connect's config.webhook_secret, for its chat's event_webhook_url.
CREATE TABLE chat_secrets (
    chat_id text PRIMARY KEY,
    secret  text NOT NULL
);
