-- Jobs (CREATE JOB): what V5 created for DROP CLUSTER, completed.
-- The script is the whole program the SQL runner runs (catalogs, tables,
-- SET options and the statement), sealed like a secret: its CREATE
-- statements carry datasource passwords. Options are the job's WITH
-- options, a JSON object of key -> {"plain": ...} | {"sealed": ...}.
ALTER TABLE jobs ADD COLUMN body         TEXT    NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN script       TEXT    NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN options      TEXT    NOT NULL DEFAULT '{}';
-- the Flink job id of the current (or last) run: scaleph chooses it before
-- submitting, so a restart finds the job even if scaleph died mid-submit
ALTER TABLE jobs ADD COLUMN flink_job_id VARCHAR(32);
-- why the job is in its state (a failure's root cause, LOST's reason)
ALTER TABLE jobs ADD COLUMN reason       TEXT;
ALTER TABLE jobs ADD COLUMN comment      TEXT;
-- when the current Flink job started, and when the row last changed
ALTER TABLE jobs ADD COLUMN started_at   BIGINT;
ALTER TABLE jobs ADD COLUMN updated_at   BIGINT  NOT NULL DEFAULT 0;

-- Savepoints of jobs: SAVEPOINT JOB, SUSPEND JOB, STOP JOB WITH SAVEPOINT.
CREATE TABLE savepoints (
    id           INTEGER      PRIMARY KEY AUTOINCREMENT,
    job          VARCHAR(63)  NOT NULL,
    flink_job_id VARCHAR(32)  NOT NULL,
    path         TEXT         NOT NULL,
    -- SAVEPOINT, SUSPEND or STOP: the statement that took it
    kind         VARCHAR(15)  NOT NULL,
    created_at   BIGINT       NOT NULL
);
CREATE INDEX savepoints_by_job ON savepoints (job, id);

-- Every state change of every job, with its reason.
CREATE TABLE job_events (
    id           INTEGER      PRIMARY KEY AUTOINCREMENT,
    job          VARCHAR(63)  NOT NULL,
    at           BIGINT       NOT NULL,
    state        VARCHAR(31)  NOT NULL,
    flink_job_id VARCHAR(32),
    reason       TEXT
);
CREATE INDEX job_events_by_job ON job_events (job, id);
