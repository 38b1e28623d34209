-- create_schedule
CREATE SCHEDULE nightly
  CRON '0 2 * * *' TIMEZONE 'Asia/Shanghai'
  WITH (retries = 2, retry_delay = '5 min', timeout = '2 h', max_active_runs = 1, catchup = false)
AS (
  extract  RUN SYNC shop_snapshot,
  clean    RUN JOB clean_orders  AFTER extract,
  report   RUN SQL 'INSERT INTO daily_report SELECT dt, count(*) FROM orders GROUP BY dt' AFTER clean,
  notify   RUN SQL 'CALL notify(''report failed'')' AFTER report ON FAILURE
);
CREATE SCHEDULE IF NOT EXISTS every_minute CRON '*/1 * * * *' AS (tick RUN SQL 'SELECT 1');
CREATE SCHEDULE with_seconds CRON '30 0 3 * * MON-FRI' TIMEZONE 'Europe/Berlin' AS (
  a RUN SYNC s1,
  b RUN SYNC s2,
  join_both RUN JOB j AFTER (a, b),
  cleanup RUN SQL 'DROP TABLE IF EXISTS tmp_x' AFTER join_both ON COMPLETION
);
-- execute_schedule
EXECUTE SCHEDULE nightly;
EXECUTE SCHEDULE nightly FOR '2026-11-01' TO '2026-11-07';
EXECUTE SCHEDULE nightly FOR '2026-11-01 00:00:00' TO '2026-11-01 12:00';
-- object_command (schedule)
SUSPEND SCHEDULE nightly;
RESUME SCHEDULE nightly;
EXPLAIN SCHEDULE nightly;
-- show_runs
SHOW RUNS;
SHOW RUNS FOR SCHEDULE nightly;
SHOW RUNS FOR SCHEDULE nightly LIMIT 20;
SHOW RUNS LIMIT 5;
-- show_objects, describe_object, show_create, comment_on, alter_object, drop_object (schedule)
SHOW SCHEDULES;
DESCRIBE SCHEDULE nightly;
SHOW CREATE SCHEDULE nightly;
COMMENT ON SCHEDULE nightly IS 'the nightly ETL';
ALTER SCHEDULE nightly SET (retries = 3);
DROP SCHEDULE IF EXISTS nightly;
