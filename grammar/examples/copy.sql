-- copy_to: a query's rows in COPY's text format (tab-separated, \N for NULL)
COPY (SELECT name, type FROM scaleph.datasources ORDER BY name) TO STDOUT;
-- a table, or some of its columns
COPY scaleph.datasource_types TO STDOUT;
COPY scaleph.datasource_types (name, title) TO STDOUT;
-- copy_options: PostgreSQL's list of copy_option, CSV with a header line
COPY (SELECT * FROM orders) TO STDOUT WITH (FORMAT csv, HEADER, DELIMITER ';', NULL 'n/a', QUOTE '''');
-- copy_keyword_option: the older form psql's \copy passes through
COPY (SELECT id, note FROM orders) TO STDOUT WITH CSV HEADER;
COPY scaleph.datasources (name) TO STDOUT DELIMITER AS '|' NULL AS '';
