-- create_connector
CREATE CONNECTOR kafka FROM 'https://repo.example/flink-sql-connector-kafka-3.3.0-1.20.jar';
CREATE CONNECTOR IF NOT EXISTS jdbc FROM '/opt/flink/lib/flink-connector-jdbc-3.2.0-1.19.jar';
CREATE CONNECTOR paimon FROM 's3://artifacts/paimon-flink-1.20-1.0.0.jar';
-- show_objects, describe_object, show_create, comment_on, drop_object (connector)
SHOW CONNECTORS;
SHOW CONNECTORS LIKE 'k%';
DESCRIBE CONNECTOR kafka;
SHOW CREATE CONNECTOR kafka;
COMMENT ON CONNECTOR kafka IS 'Kafka 3.3 for Flink 1.20';
DROP CONNECTOR IF EXISTS paimon;
