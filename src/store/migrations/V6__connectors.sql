-- Connector jars registered with CREATE CONNECTOR: what jobs that name
-- their connectors, formats or catalog types take with them.
CREATE TABLE connectors (
    name       VARCHAR(255) NOT NULL PRIMARY KEY,
    -- where the jar is: an absolute path, file://, http(s)://, s3://, hdfs://
    location   TEXT         NOT NULL,
    -- its SHA-256 and size when scaleph could read it (a local jar)
    sha256     VARCHAR(64),
    size       BIGINT,
    -- JSON arrays: the factory classes its service file lists, and what
    -- it provides as "connector:kafka", "format:avro", "catalog:paimon"
    factories  TEXT         NOT NULL,
    provides   TEXT         NOT NULL,
    comment    TEXT,
    created_at BIGINT       NOT NULL
);
