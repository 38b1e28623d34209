-- scaleph's shared default catalog: the databases, tables, views and
-- functions created without TEMPORARY in Flink's built-in catalog, kept as
-- the statements Flink accepted and replayed into every Flink session.

-- The catalog's version: one more on every change, never reused.
CREATE TABLE flink_catalog (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO flink_catalog (id, version) VALUES (1, 0);

-- One row per object, and per name claimed by a CREATE (or RENAME) that
-- Flink is running: the unique key is what makes two connections creating
-- the same name at once end with one winner.
CREATE TABLE flink_objects (
    id            INTEGER      PRIMARY KEY AUTOINCREMENT,
    -- 'database', 'relation' (tables and views share Flink's namespace) or 'function'
    namespace     VARCHAR(15)  NOT NULL,
    -- the database it is in; '' for a database
    database_name VARCHAR(255) NOT NULL,
    name          VARCHAR(255) NOT NULL,
    -- DATABASE, TABLE, VIEW or FUNCTION
    kind          VARCHAR(15)  NOT NULL,
    -- 1 while Flink runs the statement creating it (a claim), 0 once accepted
    pending       INTEGER      NOT NULL,
    creator       VARCHAR(255) NOT NULL,
    created_at    BIGINT       NOT NULL,
    -- the catalog version of its last change (0 while pending)
    version       BIGINT       NOT NULL,
    UNIQUE (namespace, database_name, name)
);

-- The statements that made the catalog what it is, by version: an
-- object's CREATE and ALTERs (deleted with the object), and the DROPs,
-- kept so that a session behind the catalog can apply what it missed.
CREATE TABLE flink_catalog_changes (
    version          INTEGER PRIMARY KEY,
    -- the object it created or changed; NULL for a DROP
    object_id        INTEGER REFERENCES flink_objects (id) ON DELETE CASCADE,
    -- the catalog it ran in (USE); NULL for the built-in catalog
    context_catalog  VARCHAR(255),
    -- the database it ran in (USE); NULL for the catalog's default one
    context_database VARCHAR(255),
    -- the statement, sealed: a table's options may hold secrets
    statement        TEXT    NOT NULL,
    -- the same statement with secret values masked, for display
    shown            TEXT    NOT NULL,
    creator          VARCHAR(255) NOT NULL,
    created_at       BIGINT  NOT NULL
);
