-- Flink clusters (CREATE CLUSTER): options kept like datasource options,
-- a JSON object of key -> {"plain": "value"} or {"sealed": "v1:..."}.
CREATE TABLE clusters (
    name         VARCHAR(63)  NOT NULL PRIMARY KEY,
    -- the TYPE keyword, lower case: 'remote'
    cluster_type VARCHAR(63)  NOT NULL,
    options      TEXT         NOT NULL,
    comment      TEXT,
    created_at   BIGINT       NOT NULL,
    updated_at   BIGINT       NOT NULL
);

-- The jobs scaleph runs on its clusters. This migration creates what
-- DROP CLUSTER asks (which jobs are on a cluster, and in which state);
-- the jobs issue adds the rest (script, Flink job id, savepoints) with
-- ALTER TABLE ... ADD COLUMN.
CREATE TABLE jobs (
    name       VARCHAR(63)  NOT NULL PRIMARY KEY,
    cluster    VARCHAR(63)  NOT NULL,
    -- scaleph's job state: SUBMITTING, RUNNING, SUSPENDED, ... FINISHED
    state      VARCHAR(31)  NOT NULL,
    created_at BIGINT       NOT NULL
);
CREATE INDEX jobs_by_cluster ON jobs (cluster);
