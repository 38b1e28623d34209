-- create_datasource
CREATE DATASOURCE pg_main TYPE postgresql WITH (host = '127.0.0.1', port = 5432, username = 'postgres', password = 's3cret');
CREATE DATASOURCE IF NOT EXISTS "Kafka Events" TYPE kafka WITH ('bootstrap.servers' = 'k1:9092,k2:9092', security.protocol = 'SASL_SSL');
CREATE DATASOURCE lake TYPE s3 WITH (endpoint = 'http://minio:9000', path_style_access = TRUE, retries = -1);
CREATE DATASOURCE bare TYPE mysql;
-- show_datasources
SHOW DATASOURCES;
SHOW DATASOURCES LIKE 'pg%';
-- drop_datasource
DROP DATASOURCE pg_main;
DROP DATASOURCE IF EXISTS "Kafka Events";
