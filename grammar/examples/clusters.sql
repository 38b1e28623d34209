-- create_cluster
CREATE CLUSTER analytics TYPE KUBERNETES_SESSION WITH (namespace = 'flink', 'flink.version' = 'v1_20',
  'taskmanager.replicas' = 2);
CREATE CLUSTER apps TYPE KUBERNETES_APPLICATION WITH (namespace = 'flink', image = 'flink:2.0');
CREATE CLUSTER pods TYPE KUBERNETES_SESSION WITH (namespace = 'flink')
  FILES ('pod.template' = '/etc/scaleph/pod.yaml', 'taskmanager.pod.template' = '/etc/scaleph/tm.json');
CREATE CLUSTER IF NOT EXISTS jm_only TYPE KUBERNETES_APPLICATION FILES ('jobmanager.pod.template' = '/etc/scaleph/jm.yaml');
CREATE CLUSTER IF NOT EXISTS local TYPE REMOTE WITH ('rest.address' = 'http://127.0.0.1:8081');
CREATE CLUSTER secured TYPE REMOTE WITH ('rest.address' = 'https://flink.example:443',
  'rest.auth.secret-header' = 'Authorization: Bearer abc', 'request.timeout' = '1 min',
  'flink.execution.checkpointing.interval' = '30 s');
CREATE CLUSTER zeta TYPE SEATUNNEL WITH ('rest.address' = 'http://seatunnel-master:8080/seatunnel',
  'rest.timeout' = '1 min');
-- object_command (cluster)
TEST CLUSTER local;
-- alter_object, drop_object (cluster)
ALTER CLUSTER analytics SET ('taskmanager.replicas' = 4);
ALTER CLUSTER analytics RESET ('taskmanager.replicas');
ALTER CLUSTER analytics RENAME TO analytics_eu;
DROP CLUSTER analytics_eu;
DROP CLUSTER IF EXISTS local CASCADE;
-- alter_cluster_files
ALTER CLUSTER pods SET FILES ('pod.template' = '/etc/scaleph/pod-v2.yaml');
ALTER CLUSTER pods SET FILES ('jobmanager.pod.template' = '/etc/scaleph/jm.yaml', 'taskmanager.pod.template' = '/etc/scaleph/tm.yaml');
ALTER CLUSTER pods RESET FILES ('taskmanager.pod.template', 'jobmanager.pod.template');
-- show_objects, describe_object, show_create, comment_on (cluster)
SHOW CLUSTERS;
DESCRIBE CLUSTER analytics;
SHOW CREATE CLUSTER analytics;
COMMENT ON CLUSTER analytics IS 'shared session cluster';
