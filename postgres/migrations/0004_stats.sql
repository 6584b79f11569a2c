-- 0003: the statistics' hourly aggregates (package stats, docs/STATS.md),
-- folded from the event log: one row per sealed hour, in the stats
-- package's encoding, and the fold's state with the seq of the last event
-- folded into it, so that a restart folds only the events after it.
CREATE TABLE stats_hours (
    hour bigint PRIMARY KEY, -- the hour's start, Unix seconds
    data bytea NOT NULL
);

CREATE TABLE stats_state (
    id    integer PRIMARY KEY CHECK (id = 1),
    seq   bigint NOT NULL,
    state bytea NOT NULL
);
