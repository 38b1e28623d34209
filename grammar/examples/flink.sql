-- Flink SQL: none of these is an extension statement; each is classified
-- and forwarded as written, whatever sqlparser thinks of it.
CREATE TABLE orders (
  id BIGINT,
  amount DECIMAL(10, 2),
  user_id BIGINT,
  ts TIMESTAMP(3),
  proc AS PROCTIME(),
  total AS amount * 2,
  meta STRING METADATA FROM 'topic' VIRTUAL,
  tags MAP<STRING, ARRAY<INT>>,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,
  PRIMARY KEY (id) NOT ENFORCED
) WITH ('connector' = 'kafka', 'topic' = 'orders', 'properties.bootstrap.servers' = 'k:9092');
-- flink_catalog_statement: catalogs and jars run in Flink and are kept for every new Flink session
CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = 's3://lake/warehouse');
USE CATALOG lake;
ADD JAR '/path/udf.jar';
CREATE FUNCTION f AS 'com.example.F' LANGUAGE JAVA;
SELECT /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */ * FROM orders;
SELECT * FROM orders FOR SYSTEM_TIME AS OF TIMESTAMP '2026-11-01 00:00:00';
SELECT window_start, SUM(amount) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) GROUP BY window_start;
INSERT INTO sink SELECT * FROM orders;
EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END;
BEGIN STATEMENT SET;
INSERT INTO a SELECT 1;
END;
EXPLAIN PLAN FOR SELECT * FROM orders;
STOP JOB '228d70913eab60dda85c5e7f78b5782c' WITH SAVEPOINT;
DESCRIBE JOB '228d70913eab60dda85c5e7f78b5782c';
DESCRIBE orders;
SHOW TABLES;
SHOW CATALOGS;
SHOW JARS;
SHOW CREATE TABLE orders;
CREATE TABLE copy WITH ('connector' = 'print') AS SELECT * FROM orders;
CALL sys.compact('db.t');
