SET 'execution.runtime-mode' = 'streaming';
SET 'parallelism.default' = '2';
SET 'pipeline.name' = 'shop_sync';
SET 'execution.checkpointing.interval' = '10s';

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
  'connector' = 'mysql-cdc',
  'hostname' = 'mysql.data.svc',
  'port' = '3306',
  'username' = 'flinkcdc',
  'password' = '******',
  'database-name' = 'shop',
  'table-name' = 'orders',
  'server-id' = '5400-5401',
  'server-time-zone' = 'UTC',
  'scan.snapshot.fetch.size' = '1024',
  'scan.startup.mode' = 'initial',
  'connect.timeout' = '30s',
  'connect.max-retries' = '3',
  'connection.pool.size' = '20',
  'jdbc.properties.sslMode' = 'PREFERRED'
);

CREATE TEMPORARY TABLE `source__shop__order_items` (
  `order_id` BIGINT NOT NULL,
  `line` INT NOT NULL,
  `sku` VARCHAR(64) NOT NULL,
  `qty` INT,
  PRIMARY KEY (`order_id`, `line`) NOT ENFORCED
) WITH (
  'connector' = 'mysql-cdc',
  'hostname' = 'mysql.data.svc',
  'port' = '3306',
  'username' = 'flinkcdc',
  'password' = '******',
  'database-name' = 'shop',
  'table-name' = 'order_items',
  'server-id' = '5402-5403',
  'server-time-zone' = 'UTC',
  'scan.snapshot.fetch.size' = '1024',
  'scan.startup.mode' = 'initial',
  'connect.timeout' = '30s',
  'connect.max-retries' = '3',
  'connection.pool.size' = '20',
  'jdbc.properties.sslMode' = 'PREFERRED'
);

CREATE TEMPORARY TABLE `doris_dw__ods_shop__ods_orders` (
  `id` DECIMAL(20, 0) NOT NULL,
  `customer_id` INT NOT NULL,
  `amount` DECIMAL(10, 2),
  `paid` BOOLEAN,
  `created_at` TIMESTAMP(3) NOT NULL,
  `updated_at` TIMESTAMP_LTZ(0),
  `note` STRING,
  PRIMARY KEY (`id`) NOT ENFORCED
) WITH (
  'connector' = 'doris',
  'fenodes' = 'doris-fe.data.svc:8030',
  'jdbc-url' = 'jdbc:mysql://doris-fe.data.svc:9030',
  'table.identifier' = 'ods_shop.ods_orders',
  'username' = 'root',
  'password' = '******',
  'sink.label-prefix' = 'shop_sync_ods_orders',
  'sink.enable-2pc' = 'false',
  'sink.enable-delete' = 'true',
  'sink.buffer-flush.max-rows' = '50000',
  'sink.buffer-flush.interval' = '10s',
  'sink.max-retries' = '3'
);

CREATE TEMPORARY TABLE `doris_dw__ods_shop__ods_order_items` (
  `order_id` BIGINT NOT NULL,
  `line` INT NOT NULL,
  `sku` VARCHAR(64) NOT NULL,
  `qty` INT,
  PRIMARY KEY (`order_id`, `line`) NOT ENFORCED
) WITH (
  'connector' = 'doris',
  'fenodes' = 'doris-fe.data.svc:8030',
  'jdbc-url' = 'jdbc:mysql://doris-fe.data.svc:9030',
  'table.identifier' = 'ods_shop.ods_order_items',
  'username' = 'root',
  'password' = '******',
  'sink.label-prefix' = 'shop_sync_ods_order_items',
  'sink.enable-2pc' = 'false',
  'sink.enable-delete' = 'true',
  'sink.buffer-flush.max-rows' = '50000',
  'sink.buffer-flush.interval' = '10s',
  'sink.max-retries' = '3'
);

CREATE TEMPORARY TABLE `kafka_events__cdc.orders` (
  `id` DECIMAL(20, 0) NOT NULL,
  `customer_id` INT NOT NULL,
  `amount` DECIMAL(10, 2),
  `paid` BOOLEAN,
  `created_at` TIMESTAMP(3) NOT NULL,
  `updated_at` TIMESTAMP_LTZ(0),
  `note` STRING,
  PRIMARY KEY (`id`) NOT ENFORCED
) WITH (
  'connector' = 'kafka',
  'topic' = 'cdc.orders',
  'properties.bootstrap.servers' = 'kafka.data.svc:9092',
  'format' = 'debezium-json',
  'properties.sasl.jaas.config' = '******',
  'properties.sasl.mechanism' = 'PLAIN',
  'properties.security.protocol' = 'SASL_SSL'
);

CREATE TEMPORARY TABLE `kafka_events__cdc.order_items` (
  `order_id` BIGINT NOT NULL,
  `line` INT NOT NULL,
  `sku` VARCHAR(64) NOT NULL,
  `qty` INT,
  PRIMARY KEY (`order_id`, `line`) NOT ENFORCED
) WITH (
  'connector' = 'kafka',
  'topic' = 'cdc.order_items',
  'properties.bootstrap.servers' = 'kafka.data.svc:9092',
  'format' = 'debezium-json',
  'properties.sasl.jaas.config' = '******',
  'properties.sasl.mechanism' = 'PLAIN',
  'properties.security.protocol' = 'SASL_SSL'
);

EXECUTE STATEMENT SET BEGIN
INSERT INTO `doris_dw__ods_shop__ods_orders` SELECT `id`, `customer_id`, `amount`, `paid`, `created_at`, `updated_at`, `note` FROM `source__shop__orders`;
INSERT INTO `doris_dw__ods_shop__ods_order_items` SELECT `order_id`, `line`, `sku`, `qty` FROM `source__shop__order_items`;
INSERT INTO `kafka_events__cdc.orders` SELECT `id`, `customer_id`, `amount`, `paid`, `created_at`, `updated_at`, `note` FROM `source__shop__orders`;
INSERT INTO `kafka_events__cdc.order_items` SELECT `order_id`, `line`, `sku`, `qty` FROM `source__shop__order_items`;
END;
