-- create_sync
CREATE SYNC shop_to_lake
  FROM mysql_shop DATABASE shop TABLES ('orders', 'order_items', 'user_.*')
  TO doris_dw DATABASE ods, kafka_events TOPIC PATTERN 'shop.{table}'
  MODE CDC
  ENGINE FLINK_CDC
  WITH (parallelism = 2, 'table.name.pattern' = 'ods_{table}', 'schema.change' = 'evolve');
CREATE SYNC IF NOT EXISTS nightly_copy FROM pg_main DATABASE test TO lake MODE SNAPSHOT;
CREATE SYNC audit_stream FROM mysql_shop DATABASE shop TO kafka_events TOPIC 'audit' ENGINE SEATUNNEL MODE CDC;
CREATE SYNC everything FROM pg_main TO doris_dw DATABASE ods ENGINE FLINK_SQL;
CREATE SYNC on_flink ON CLUSTER flink_prod FROM pg_main DATABASE test TABLES ('public\.orders') TO lake MODE SNAPSHOT ENGINE FLINK_SQL;
-- object_command (sync)
EXPLAIN SYNC shop_to_lake;
START SYNC shop_to_lake;
STOP SYNC shop_to_lake;
STOP SYNC shop_to_lake WITH SAVEPOINT;
-- show_objects, describe_object, show_create, comment_on, alter_object, drop_object (sync)
SHOW SYNCS;
SHOW SYNCS LIKE 'shop%';
DESCRIBE SYNC shop_to_lake;
SHOW CREATE SYNC shop_to_lake;
COMMENT ON SYNC shop_to_lake IS 'orders into the lake';
ALTER SYNC shop_to_lake SET (parallelism = 4);
ALTER SYNC shop_to_lake RENAME TO shop_to_ods;
DROP SYNC IF EXISTS shop_to_ods;
