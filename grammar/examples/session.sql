-- set_variable
SET 'execution.runtime-mode' = 'batch';
SET execution.runtime-mode = streaming;
SET application_name TO 'nightly load';
SET SESSION search_path = public, scaleph;
SET DateStyle = DEFAULT;
SET TIME ZONE 'Asia/Shanghai';
SET NAMES 'UTF8';
SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED;
SET TRANSACTION READ ONLY;
SET;
-- show_variable
SHOW application_name;
SHOW ALL;
SHOW TIME ZONE;
SHOW TRANSACTION ISOLATION LEVEL;
-- reset_variable
RESET 'execution.runtime-mode';
RESET application_name;
RESET ALL;
RESET;
-- transaction
BEGIN;
START TRANSACTION ISOLATION LEVEL READ COMMITTED;
COMMIT;
END;
ROLLBACK;
BEGIN;
SAVEPOINT before_change;
ROLLBACK TO SAVEPOINT before_change;
RELEASE SAVEPOINT before_change;
COMMIT;
-- query
SELECT name, type FROM scaleph.datasources WHERE type = 'postgresql';
WITH t AS (SELECT 1 AS x) SELECT x FROM t;
-- flink_statement
CREATE TABLE orders (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'datagen');
EXECUTE STATEMENT SET BEGIN
  INSERT INTO a SELECT id FROM orders;
  INSERT INTO b SELECT id FROM orders;
END;
ADD JAR '/opt/udf.jar';
STOP JOB 'a1b2' WITH SAVEPOINT;
