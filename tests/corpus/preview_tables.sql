-- The tables tests/corpus/preview.sql reads and writes, for Flink's real
-- planner (tests/planner.rs): each preview rewrite of the corpus is
-- EXPLAINed after this script. Sources are datagen, sinks blackhole;
-- EXPLAIN reads no rows, so only the schemas matter.
--
-- `orders.proc_time` is the event-time attribute and `orders.ts` the
-- processing-time one, the reverse of what the names suggest: the corpus
-- joins `customers FOR SYSTEM_TIME AS OF o.proc_time`, a processing-time
-- temporal join needs a lookup source, and no connector in the wheel's
-- jars is one. As an event-time join on a versioned `customers` (primary
-- key and watermark) the same text plans; the windows, the deduplication
-- and MATCH_RECOGNIZE over `ts` plan on processing time as well.
CREATE TABLE orders (
  id INT NOT NULL,
  name STRING,
  amount DECIMAL(10, 2),
  customer_id INT,
  tags MAP<STRING, STRING>,
  addr ROW<city STRING>,
  proc_time TIMESTAMP(3),
  ts AS PROCTIME(),
  WATERMARK FOR proc_time AS proc_time
) WITH ('connector' = 'datagen');
CREATE TABLE archive (id INT NOT NULL, name STRING, amount DECIMAL(10, 2))
  WITH ('connector' = 'datagen');
CREATE TABLE customers (
  id INT NOT NULL,
  name STRING,
  updated TIMESTAMP(3),
  WATERMARK FOR updated AS updated,
  PRIMARY KEY (id) NOT ENFORCED
) WITH ('connector' = 'datagen');
-- The sink of every INSERT, as in the unit test of src/sql/preview.rs;
-- `c` a partition (the corpus writes `PARTITION (c = '2026-11-01')`). A
-- preview reads only its column names and types (Flink's DESCRIBE).
CREATE TABLE s (a INT, b STRING, c DECIMAL(10, 2)) PARTITIONED BY (c)
  WITH ('connector' = 'blackhole');
CREATE CATALOG cat WITH ('type' = 'generic_in_memory');
CREATE DATABASE cat.db;
CREATE TABLE cat.db.s (a INT, b STRING, c DECIMAL(10, 2)) PARTITIONED BY (c)
  WITH ('connector' = 'blackhole');
-- `INSERT INTO s SELECT * FROM orders` writes three columns only where
-- orders has three: those entries are planned in this database (the test
-- lists them), whose orders has exactly the columns s takes.
CREATE DATABASE narrow;
CREATE TABLE narrow.orders (id INT NOT NULL, name STRING, amount DECIMAL(10, 2))
  WITH ('connector' = 'datagen');
CREATE TABLE narrow.s (a INT, b STRING, c DECIMAL(10, 2)) PARTITIONED BY (c)
  WITH ('connector' = 'blackhole');
-- Sinks beyond the corpus's `s` (tests/planner.rs: BEYOND_CORPUS): one
-- with a time attribute, one with a computed column, both common in
-- Flink DDL and typed differently by DESCRIBE than in a CAST.
CREATE TABLE timed (a INT, b STRING, event_time TIMESTAMP(3),
  WATERMARK FOR event_time AS event_time) WITH ('connector' = 'blackhole');
CREATE TABLE computed (a INT, b STRING, doubled AS a * 2)
  WITH ('connector' = 'blackhole');
