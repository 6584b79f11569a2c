-- 0002: several server instances on one database (docs/HA.md).

-- The leader lease, one row. An instance leads while it is the holder and
-- expires_at is ahead of the database's clock; taking the lease over
-- increments epoch. The epoch of a fresh database is 0: nobody led yet.
CREATE TABLE leader (
    id         integer PRIMARY KEY CHECK (id = 1),
    holder     text NOT NULL,
    addr       text NOT NULL,
    epoch      bigint NOT NULL,
    expires_at timestamptz NOT NULL
);
INSERT INTO leader (id, holder, addr, epoch, expires_at) VALUES (1, '', '', 0, '-infinity');

-- lease_fence is the first statement of every commit of a leader: it locks
-- the lease row FOR SHARE until the commit ends, so that a takeover (an
-- UPDATE of the row) waits for a commit in flight, and a commit after a
-- takeover finds the row changed and fails with SQLSTATE SBL01 — before it
-- wrote anything, and so the whole transaction rolls back.
CREATE FUNCTION lease_fence(p_holder text, p_epoch bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM FROM leader WHERE id = 1 AND holder = p_holder AND epoch = p_epoch
        AND expires_at > clock_timestamp() FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the leader lease of % (epoch %) is lost', p_holder, p_epoch USING ERRCODE = 'SBL01';
    END IF;
END $$;

-- The command log: every command a leader applied, in order (seq 1, 2, 3,
-- … without gaps, up to what was pruned), with the leader's epoch, the
-- engine's clock after it (as meta.now) and its event counter after it.
-- Followers apply the commands again to keep their replicas.
CREATE TABLE commands (
    seq       bigint PRIMARY KEY,
    epoch     bigint NOT NULL,
    name      text NOT NULL,
    now       text NOT NULL,
    events    bigint NOT NULL,
    body      json NOT NULL,
    logged_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The seq of the last command logged, committed with the state it made.
ALTER TABLE meta ADD COLUMN command_seq bigint NOT NULL DEFAULT 0;

-- Instances announce themselves and their open panel sessions; the leader
-- derives presence from the sessions of the instances seen lately.
CREATE TABLE instances (
    id      text PRIMARY KEY,
    seen_at timestamptz NOT NULL
);
CREATE TABLE panel_sessions (
    instance    text NOT NULL REFERENCES instances ON DELETE CASCADE,
    operator_id text NOT NULL,
    sessions    integer NOT NULL CHECK (sessions > 0),
    PRIMARY KEY (instance, operator_id)
);

-- A deleted token must stop working on every instance at once: each one
-- caches tokens and forgets them on this notification.
CREATE FUNCTION notify_token_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('switchboard_tokens', OLD.id);
    RETURN NULL;
END $$;
CREATE TRIGGER tokens_deleted AFTER DELETE ON tokens FOR EACH ROW EXECUTE FUNCTION notify_token_deleted();
