SET 'execution.runtime-mode' = 'batch';
SET 'parallelism.default' = '4';
SET 'pipeline.name' = 'copy_orders';

CREATE TEMPORARY TABLE `source__shop__orders` (
  `id` DECIMAL(20, 0) NOT NULL,
  `customer_id` INT NOT NULL,
  `amount` DECIMAL(10, 2),
  `paid` BOOLEAN,
  `created_at` TIMESTAMP(3) NOT NULL,
  `updated_at` TIMESTAMP_LTZ(0),
  `note` STRING,
  PRIMARY KEY (`id`) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = 'jdbc:mysql://mysql.data.svc:3306/shop',
  'table-name' = 'orders',
  'driver' = 'com.mysql.cj.jdbc.Driver',
  'username' = 'flinkcdc',
  'password' = '******',
  'connection.max-retry-timeout' = '30s',
  'scan.fetch-size' = '1024',
  'sink.buffer-flush.max-rows' = '5000',
  'sink.max-retries' = '3'
);

CREATE TEMPORARY TABLE `mysql_copy__shop_copy__orders` (
  `id` DECIMAL(20, 0) NOT NULL,
  `customer_id` INT NOT NULL,
  `amount` DECIMAL(10, 2),
  `paid` BOOLEAN,
  `created_at` TIMESTAMP(3) NOT NULL,
  `updated_at` TIMESTAMP_LTZ(0),
  `note` STRING,
  PRIMARY KEY (`id`) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = 'jdbc:mysql://mysql-dst.data.svc:3306/shop_copy',
  'table-name' = 'orders',
  'driver' = 'com.mysql.cj.jdbc.Driver',
  'username' = 'writer',
  'password' = '******',
  'connection.max-retry-timeout' = '30s',
  'scan.fetch-size' = '1024',
  'sink.buffer-flush.max-rows' = '5000',
  'sink.max-retries' = '3'
);

EXECUTE STATEMENT SET BEGIN
INSERT INTO `mysql_copy__shop_copy__orders` SELECT `id`, `customer_id`, `amount`, `paid`, `created_at`, `updated_at`, `note` FROM `source__shop__orders`;
END;
