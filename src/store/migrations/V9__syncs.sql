-- Syncs (CREATE SYNC). The plan is what planning read from the source's
-- live metadata (tables, columns, keys) and decided (target names), as
-- JSON; the artifacts each engine takes are generated from it. Options
-- are the sync's WITH options ({"plain": ...} | {"sealed": ...} by key,
-- as jobs keep theirs). source and sinks name datasources: DROP
-- DATASOURCE reads them to refuse dropping what a sync uses.
CREATE TABLE syncs (
    name         VARCHAR(63)  PRIMARY KEY,
    cluster      VARCHAR(63),
    source       VARCHAR(63)  NOT NULL,
    -- a JSON array of the sink datasources' names, in the order written
    sinks        TEXT         NOT NULL,
    mode         VARCHAR(15)  NOT NULL,
    engine       VARCHAR(15)  NOT NULL,
    statement    TEXT         NOT NULL,
    options      TEXT         NOT NULL DEFAULT '{}',
    plan         TEXT         NOT NULL,
    -- CREATED, STARTING, RUNNING, STOPPING, STOPPED, FINISHED, FAILED
    state        VARCHAR(31)  NOT NULL,
    reason       TEXT,
    -- the engine's id of the current (or last) run: a SeaTunnel job id
    run_id       TEXT,
    -- where the last STOP ... WITH SAVEPOINT left it (a path, or the
    -- SeaTunnel job id to restore), cleared when a start uses it
    savepoint    TEXT,
    comment      TEXT,
    created_at   BIGINT       NOT NULL,
    started_at   BIGINT,
    updated_at   BIGINT       NOT NULL
);
