-- The datasource a Flink catalog was made from (CREATE CATALOG ... FROM
-- DATASOURCE), NULL for a catalog written as Flink SQL: what DROP
-- DATASOURCE checks, and what scaleph.catalogs shows.
-- (V8 and V9 are taken on other branches: cluster files, syncs.)
ALTER TABLE flink_catalogs ADD COLUMN datasource VARCHAR(255);
