-- Writes that preview must rewrite into queries: every statement here
-- writes three columns into a sink `s (a, b, c)`. Used by the unit test
-- in src/sql/preview.rs: each must rewrite, and the rewrite must parse
-- back as a query.
INSERT INTO s SELECT id, name, amount FROM orders;
INSERT INTO s SELECT id, name, amount FROM orders WHERE amount > 10 ORDER BY id LIMIT 5;
INSERT OVERWRITE s SELECT id, name, amount FROM orders;
INSERT OVERWRITE TABLE s SELECT id, name, amount FROM orders;
INSERT INTO `cat`.`db`.`s` SELECT id, name, amount FROM orders;
INSERT INTO s (c, a, b) SELECT amount, id, name FROM orders;
INSERT INTO s (a) SELECT id FROM orders;
INSERT INTO s PARTITION (c = '2026-11-01') SELECT id, name FROM orders;
INSERT INTO s PARTITION (c = '2026-11-01') (b, a) SELECT name, id FROM orders;
INSERT INTO s VALUES (1, 'a', 1.5), (2, 'b', 2.5);
INSERT INTO s SELECT * FROM orders;
INSERT INTO s SELECT o.* FROM orders AS o;
WITH big AS (SELECT * FROM orders WHERE amount > 10) INSERT INTO s SELECT id, name, amount FROM big;
INSERT INTO s WITH big AS (SELECT * FROM orders WHERE amount > 10) SELECT id, name, amount FROM big;
INSERT INTO s SELECT window_start, window_end, COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTES)) GROUP BY window_start, window_end;
INSERT INTO s SELECT window_start, window_end, SUM(amount) FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '5' MINUTES, INTERVAL '10' MINUTES)) GROUP BY window_start, window_end;
INSERT INTO s SELECT o.id, c.name, o.amount FROM orders AS o JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id;
INSERT INTO s SELECT id, tags['k'], amount FROM orders;
INSERT INTO s SELECT id, addr.city, amount FROM orders;
INSERT INTO s SELECT id, name, amount FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY ts DESC) AS rn FROM orders) WHERE rn = 1;
INSERT INTO s SELECT id, name, amount FROM orders UNION ALL SELECT id, name, amount FROM archive;
INSERT INTO s SELECT id, CAST(name AS STRING), CAST(amount AS DECIMAL(10, 2)) FROM orders /*+ OPTIONS('scan.startup.mode'='earliest-offset') */;
INSERT INTO s SELECT id, name, amount FROM orders MATCH_RECOGNIZE (PARTITION BY id ORDER BY ts MEASURES A.name AS name, A.amount AS amount PATTERN (A) DEFINE A AS A.amount > 0);
insert into s select id, 'it''s', amount from orders;
EXECUTE INSERT INTO s SELECT id, name, amount FROM orders;
EXECUTE STATEMENT SET BEGIN INSERT INTO s SELECT id, name, amount FROM orders; INSERT INTO s (a) SELECT id FROM archive; END;
BEGIN STATEMENT SET; INSERT INTO s SELECT id, name, amount FROM orders; INSERT INTO s VALUES (1, 'x', 2.0); END;
CREATE TABLE t WITH ('connector' = 'print') AS SELECT id, name, amount FROM orders;
CREATE TABLE IF NOT EXISTS t (PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'print') AS SELECT id, name, amount FROM orders;
CREATE OR REPLACE TABLE t AS SELECT id, name, amount FROM orders;
REPLACE TABLE t AS SELECT id, name, amount FROM orders;
