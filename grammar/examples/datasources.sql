-- create_datasource
CREATE DATASOURCE pg_main TYPE postgresql WITH (host = '127.0.0.1', port = 5432, username = 'postgres', password = 's3cret');
CREATE DATASOURCE IF NOT EXISTS "Kafka Events" TYPE kafka WITH ('bootstrap_servers' = 'k1:9092,k2:9092', security_protocol = 'SASL_SSL');
CREATE DATASOURCE lake TYPE s3 WITH (endpoint = 'http://minio:9000', bucket = 'lake', path_style_access = TRUE);
CREATE DATASOURCE minimal TYPE mysql WITH (host = 'db', username = 'reader');
CREATE DATASOURCE mysql_shop TYPE mysql WITH (
  host = 'db1.internal', port = 3306, username = 'sync', password = 'secret'
) FILES (ssl_ca = '/etc/certs/ca.pem');
CREATE DATASOURCE warehouse TYPE hive WITH (metastore_uris = 'thrift://hms:9083')
  FILES (keytab = '/etc/security/hive.keytab', krb5_conf = '/etc/krb5.conf', hdfs_site = '/etc/hadoop/hdfs-site.xml');
-- show_datasource_types, describe_datasource_type
SHOW DATASOURCE TYPES;
DESCRIBE DATASOURCE TYPE mysql;
DESC DATASOURCE TYPE postgresql;
-- alter_object (datasource)
ALTER DATASOURCE mysql_shop SET (password = 'rotated');
ALTER DATASOURCE mysql_shop SET ('connect.timeout' = '30 s', port = 3307);
ALTER DATASOURCE mysql_shop RESET (connect_timeout);
ALTER DATASOURCE mysql_shop RESET (connect_timeout, 'connection.pool.size');
ALTER DATASOURCE mysql_shop RENAME TO mysql_orders;
-- drop_object (datasource)
DROP DATASOURCE pg_main;
DROP DATASOURCE IF EXISTS "Kafka Events";
DROP DATASOURCE mysql_orders CASCADE;
-- test_datasource, test_datasource_type
TEST DATASOURCE mysql_shop;
TEST DATASOURCE TYPE postgresql WITH (host = '127.0.0.1', port = 5432, username = 'postgres');
TEST DATASOURCE TYPE hive WITH (metastore_uris = 'thrift://hms:9083') FILES (keytab = '/etc/hive.keytab');
-- show_source_databases, show_source_tables
SHOW DATABASES FROM DATASOURCE mysql_shop;
SHOW TABLES FROM DATASOURCE mysql_shop DATABASE shop;
SHOW TABLES FROM DATASOURCE mysql_shop DATABASE shop LIKE 'order%';
SHOW TABLES FROM DATASOURCE pg_main;
-- describe_source_table, preview_source_table
DESCRIBE DATASOURCE mysql_shop TABLE shop.orders;
DESCRIBE DATASOURCE pg_main TABLE test.public."Order Items";
PREVIEW DATASOURCE mysql_shop TABLE shop.orders;
PREVIEW DATASOURCE mysql_shop TABLE shop.orders LIMIT 10;
-- show_objects, describe_object, show_create, comment_on (datasource)
SHOW DATASOURCES;
SHOW DATASOURCES LIKE 'pg%';
DESCRIBE DATASOURCE mysql_shop;
SHOW CREATE DATASOURCE mysql_shop;
COMMENT ON DATASOURCE mysql_shop IS 'the shop''s primary MySQL';
COMMENT ON DATASOURCE mysql_shop IS NULL;
-- create_catalog_from_datasource: a Flink catalog over a datasource, kept and replayed like Flink's CREATE CATALOG
CREATE CATALOG lake FROM DATASOURCE paimon_lake;
CREATE CATALOG IF NOT EXISTS `Sales DB` FROM DATASOURCE pg_main WITH ('default-database' = 'sales');
CREATE CATALOG "Warehouse" FROM DATASOURCE warehouse WITH (
  'hadoop-conf-dir' = '/etc/hadoop/conf'
);
