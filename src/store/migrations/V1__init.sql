-- The first schema. Portable SQL (SQLite and PostgreSQL) so that a shared
-- PostgreSQL store can run the same migrations.
CREATE TABLE datasources (
    name            VARCHAR(63)  NOT NULL PRIMARY KEY,
    datasource_type VARCHAR(63)  NOT NULL,
    -- JSON object: option key -> {"plain": "value"} or {"sealed": "v1:..."}
    options         TEXT         NOT NULL,
    comment         TEXT,
    -- microseconds since the Unix epoch, UTC
    created_at      BIGINT       NOT NULL,
    updated_at      BIGINT       NOT NULL
);
