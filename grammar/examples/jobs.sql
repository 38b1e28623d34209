-- create_job
CREATE JOB orders_enrich
  ON CLUSTER analytics
  WITH (parallelism = 4, 'upgrade.mode' = 'savepoint')
AS
  INSERT INTO doris_orders SELECT o.id, o.amount, u.name FROM orders o JOIN users u ON o.user_id = u.id;
CREATE JOB IF NOT EXISTS app_job AS INSERT INTO sink SELECT * FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '10' MINUTES));
CREATE JOB fan_out AS EXECUTE STATEMENT SET BEGIN
  INSERT INTO a SELECT * FROM s;
  INSERT INTO b SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END FROM s;
END;
CREATE JOB fan_out_too AS BEGIN STATEMENT SET;
  INSERT INTO a SELECT * FROM s;
  INSERT INTO b SELECT * FROM s;
END;
-- object_command (job)
SUSPEND JOB orders_enrich;
RESUME JOB orders_enrich;
SAVEPOINT JOB orders_enrich;
STOP JOB orders_enrich;
STOP JOB orders_enrich WITH SAVEPOINT;
STOP JOB orders_enrich WITH SAVEPOINT DRAIN;
STOP JOB orders_enrich DRAIN;
-- show_savepoints
SHOW SAVEPOINTS FOR JOB orders_enrich;
-- show_objects, describe_object, show_create, comment_on, alter_object, drop_object (job)
SHOW JOBS;
SHOW JOBS LIKE 'orders%';
DESCRIBE JOB orders_enrich;
SHOW CREATE JOB orders_enrich;
COMMENT ON JOB orders_enrich IS 'joins users into orders';
ALTER JOB orders_enrich SET (parallelism = 8);
DROP JOB orders_enrich;
DROP JOB IF EXISTS app_job;
