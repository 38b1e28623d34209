-- A first script: `cargo run --release -- run examples/setup.sql`
CREATE DATASOURCE IF NOT EXISTS pg_main TYPE postgresql WITH (
  host = '127.0.0.1', port = 5432, username = 'postgres', password = 's3cret'
);
SHOW DATASOURCES;
SELECT name, type, created_at FROM scaleph.datasources;
