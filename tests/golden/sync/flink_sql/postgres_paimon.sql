SET 'execution.runtime-mode' = 'streaming';
SET 'parallelism.default' = '2';
SET 'pipeline.name' = 'billing_lake';
SET 'execution.checkpointing.interval' = '10s';

CREATE TEMPORARY TABLE `source__public__accounts` (
  `id` BIGINT NOT NULL,
  `email` VARCHAR(255) NOT NULL,
  `balance` DECIMAL(12, 2),
  `opened_at` TIMESTAMP_LTZ(6),
  PRIMARY KEY (`id`) NOT ENFORCED
) WITH (
  'connector' = 'postgres-cdc',
  'hostname' = 'pg.data.svc',
  'port' = '5432',
  'username' = 'replicator',
  'password' = '******',
  'database-name' = 'billing',
  'schema-name' = 'public',
  'table-name' = 'accounts',
  'slot.name' = 'billing_lake_0',
  'decoding.plugin.name' = 'pgoutput',
  'scan.incremental.snapshot.enabled' = 'true',
  'scan.snapshot.fetch.size' = '1024',
  'scan.startup.mode' = 'initial',
  'connect.timeout' = '30s',
  'connect.max-retries' = '3',
  'connection.pool.size' = '20'
);

CREATE TEMPORARY TABLE `source__public__events` (
  `id` INT NOT NULL,
  `account_id` BIGINT,
  `payload` STRING,
  `tags` ARRAY<STRING>,
  PRIMARY KEY (`id`) NOT ENFORCED
) WITH (
  'connector' = 'postgres-cdc',
  'hostname' = 'pg.data.svc',
  'port' = '5432',
  'username' = 'replicator',
  'password' = '******',
  'database-name' = 'billing',
  'schema-name' = 'public',
  'table-name' = 'events',
  'slot.name' = 'billing_lake_1',
  'decoding.plugin.name' = 'pgoutput',
  'scan.incremental.snapshot.enabled' = 'true',
  'scan.snapshot.fetch.size' = '1024',
  'scan.startup.mode' = 'initial',
  'connect.timeout' = '30s',
  'connect.max-retries' = '3',
  'connection.pool.size' = '20'
);

CREATE TEMPORARY TABLE `lake__public__accounts` (
  `id` BIGINT NOT NULL,
  `email` VARCHAR(255) NOT NULL,
  `balance` DECIMAL(12, 2),
  `opened_at` TIMESTAMP_LTZ(6),
  PRIMARY KEY (`id`) NOT ENFORCED
) WITH (
  'connector' = 'paimon',
  'path' = 's3://lake/warehouse/public.db/accounts',
  'bucket' = '4',
  'commit.user' = 'admin',
  's3.access-key' = 'minio',
  's3.endpoint' = 'http://minio.data.svc:9000',
  's3.path.style.access' = 'false',
  's3.secret-key' = '******'
);

CREATE TEMPORARY TABLE `lake__public__events` (
  `id` INT NOT NULL,
  `account_id` BIGINT,
  `payload` STRING,
  `tags` ARRAY<STRING>,
  PRIMARY KEY (`id`) NOT ENFORCED
) WITH (
  'connector' = 'paimon',
  'path' = 's3://lake/warehouse/public.db/events',
  'bucket' = '4',
  'commit.user' = 'admin',
  's3.access-key' = 'minio',
  's3.endpoint' = 'http://minio.data.svc:9000',
  's3.path.style.access' = 'false',
  's3.secret-key' = '******'
);

EXECUTE STATEMENT SET BEGIN
INSERT INTO `lake__public__accounts` SELECT `id`, `email`, `balance`, `opened_at` FROM `source__public__accounts`;
INSERT INTO `lake__public__events` SELECT `id`, `account_id`, `payload`, `tags` FROM `source__public__events`;
END;
