-- A realistic Flink SQL pipeline: sources, dimension tables, sinks, and
-- the queries and inserts between them.
SET 'execution.runtime-mode' = 'streaming';
SET 'execution.checkpointing.interval' = '30 s';
SET 'table.exec.state.ttl' = '1 d';

CREATE CATALOG lake WITH (
  'type' = 'paimon',
  'warehouse' = 's3://lake/warehouse',
  's3.endpoint' = 'http://minio:9000'
);

CREATE TABLE orders (
  order_id BIGINT,
  user_id BIGINT,
  product_id BIGINT,
  amount DECIMAL(12, 2),
  currency STRING,
  status STRING,
  created_at TIMESTAMP(3),
  updated_at TIMESTAMP(3),
  proc_time AS PROCTIME(),
  topic STRING METADATA FROM 'topic' VIRTUAL,
  WATERMARK FOR created_at AS created_at - INTERVAL '5' SECOND,
  PRIMARY KEY (order_id) NOT ENFORCED
) WITH (
  'connector' = 'kafka',
  'topic' = 'shop.orders',
  'properties.bootstrap.servers' = 'kafka-1:9092,kafka-2:9092',
  'properties.group.id' = 'orders-enrich',
  'scan.startup.mode' = 'group-offsets',
  'format' = 'debezium-json'
);

CREATE TABLE users (
  user_id BIGINT,
  name STRING,
  country STRING,
  tier STRING,
  PRIMARY KEY (user_id) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = 'jdbc:mysql://db1.internal:3306/shop',
  'table-name' = 'users',
  'username' = 'sync',
  'password' = 'secret',
  'lookup.cache' = 'PARTIAL',
  'lookup.partial-cache.max-rows' = '100000'
);

CREATE TABLE products (
  product_id BIGINT,
  title STRING,
  category STRING,
  price DECIMAL(12, 2),
  tags ARRAY<STRING>,
  attributes MAP<STRING, STRING>,
  PRIMARY KEY (product_id) NOT ENFORCED
) WITH ('connector' = 'jdbc', 'url' = 'jdbc:mysql://db1.internal:3306/shop', 'table-name' = 'products');

CREATE TABLE doris_orders (
  order_id BIGINT,
  user_name STRING,
  country STRING,
  category STRING,
  amount DECIMAL(12, 2),
  created_at TIMESTAMP(3),
  PRIMARY KEY (order_id) NOT ENFORCED
) WITH (
  'connector' = 'doris',
  'fenodes' = 'doris-fe:8030',
  'table.identifier' = 'dw.orders',
  'username' = 'root',
  'password' = '',
  'sink.label-prefix' = 'orders_enrich'
);

CREATE TABLE revenue_by_minute (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  country STRING,
  revenue DECIMAL(18, 2),
  orders BIGINT
) WITH ('connector' = 'print');

CREATE TEMPORARY VIEW paid_orders AS
SELECT o.order_id, o.user_id, o.product_id, o.amount, o.created_at, o.proc_time
FROM orders AS o
WHERE o.status IN ('PAID', 'SHIPPED') AND o.amount > 0;

INSERT INTO doris_orders
SELECT p.order_id, u.name, u.country, pr.category, p.amount, p.created_at
FROM paid_orders AS p
LEFT JOIN users FOR SYSTEM_TIME AS OF p.proc_time AS u ON p.user_id = u.user_id
LEFT JOIN products FOR SYSTEM_TIME AS OF p.proc_time AS pr ON p.product_id = pr.product_id;

INSERT INTO revenue_by_minute
SELECT window_start, window_end, u.country, SUM(o.amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(created_at), INTERVAL '1' MINUTES)) AS o
JOIN users AS u ON o.user_id = u.user_id
GROUP BY window_start, window_end, u.country;

SELECT user_id, COUNT(*) AS orders, SUM(amount) AS total, MAX(created_at) AS last_order
FROM orders
WHERE created_at > TIMESTAMP '2026-11-01 00:00:00'
GROUP BY user_id
HAVING SUM(amount) > 1000
ORDER BY total DESC
LIMIT 50;

SELECT o.order_id, CASE WHEN o.amount > 100 THEN 'large' WHEN o.amount > 10 THEN 'medium' ELSE 'small' END AS size,
       COALESCE(u.tier, 'none') AS tier, CAST(o.created_at AS DATE) AS day
FROM orders o LEFT JOIN users u ON o.user_id = u.user_id
WHERE o.currency = 'EUR' AND u.country NOT IN ('XX', 'YY');

WITH ranked AS (
  SELECT product_id, amount, ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY amount DESC) AS rn
  FROM orders
)
SELECT product_id, amount FROM ranked WHERE rn <= 3;

EXECUTE STATEMENT SET BEGIN
  INSERT INTO doris_orders SELECT order_id, 'n/a', 'n/a', 'n/a', amount, created_at FROM orders WHERE status = 'TEST';
  INSERT INTO revenue_by_minute SELECT created_at, created_at, 'XX', amount, 1 FROM orders WHERE status = 'TEST';
END;

ALTER TABLE orders SET ('scan.startup.mode' = 'earliest-offset');
DROP TEMPORARY VIEW IF EXISTS paid_orders;
SHOW TABLES;
DESCRIBE orders;
EXPLAIN PLAN FOR SELECT * FROM orders WHERE amount > 10;
