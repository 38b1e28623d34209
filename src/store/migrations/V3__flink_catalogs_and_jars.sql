-- Flink catalogs (CREATE CATALOG) and jars (ADD JAR) that scaleph keeps
-- and replays into every new Flink session.
CREATE TABLE flink_catalogs (
    name         VARCHAR(255) NOT NULL PRIMARY KEY,
    catalog_type VARCHAR(63),
    -- the CREATE CATALOG statement, sealed: its options may hold secrets
    definition   TEXT         NOT NULL,
    -- the same statement with secret values masked, for display
    shown        TEXT         NOT NULL,
    created_at   BIGINT       NOT NULL
);
CREATE TABLE jars (
    source     TEXT         NOT NULL PRIMARY KEY,
    name       VARCHAR(255) NOT NULL,
    created_at BIGINT       NOT NULL
);
