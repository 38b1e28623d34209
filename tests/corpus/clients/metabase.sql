-- Queries Metabase's PostgreSQL driver sends when a database is added
-- (connection test), and when it syncs and scans it: the schemas and tables
-- ("sync-tables"), their columns, keys and indexes ("sync-fields", "sync-fks",
-- "sync-indexes"), then sample rows and field values (fingerprinting and
-- "field values" scans), which is what browsing a database in Metabase shows.
-- Read from the Metabase source (metabase/metabase: src/metabase/driver/
-- postgres.clj and the sql-jdbc sync code) and cross-checked with the
-- PostgreSQL statement log of a Metabase v0.55.1 sync in
-- datafusion-contrib/datafusion-postgres#158 ("Metabase startup queries").
-- Queries Metabase builds with HoneySQL are written as HoneySQL renders them
-- (ANSI quoting, upper-case function names), with the bound parameters
-- written as literals: the schema 'scaleph', the table 'datasources'.
-- Metabase also reads schemas, columns and primary keys through pgjdbc's
-- DatabaseMetaData; those queries are pgjdbc's, not Metabase's, and are not
-- here.
--
-- Format (read by tests/client_corpus.rs): a `-- source:`, `-- when:` and
-- `-- expect: rows | error` block, then the query, ended by `;` at the end of a
-- line. `expect` records what scaleph does today: a ratchet, flip it to `rows`
-- when a fix lands.

-- source: metabase/metabase/src/metabase/driver/sql_jdbc/connection.clj (can-connect-with-spec?), https://github.com/metabase/metabase/blob/master/src/metabase/driver/sql_jdbc/connection.clj
-- when: connect (connection test when the database is added)
-- expect: rows
SELECT 1;

-- source: metabase/metabase/src/metabase/driver/sql_jdbc/execute.clj (set-best-transaction-level!, sent by pgjdbc for Connection.setTransactionIsolation), statement log in https://github.com/datafusion-contrib/datafusion-postgres/issues/158
-- when: connect (every pooled connection)
-- expect: rows
SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ UNCOMMITTED;

-- source: metabase/metabase/src/metabase/driver/sql_jdbc/execute.clj (set-best-transaction-level!, pgjdbc's Connection.getTransactionIsolation), statement log in https://github.com/datafusion-contrib/datafusion-postgres/issues/158
-- when: connect (every pooled connection)
-- expect: rows
SHOW TRANSACTION ISOLATION LEVEL;

-- source: metabase/metabase/src/metabase/driver/postgres.clj (sql-jdbc.execute/set-timezone-sql :postgres, "SET SESSION TIMEZONE TO %s;"), commit 008fd6675457cdd62da2265628bed3b725a607ea
-- when: connect (report timezone set)
-- expect: rows
SET SESSION TIMEZONE TO 'UTC';

-- source: metabase/metabase/src/metabase/driver/postgres.clj (driver/db-default-timezone :postgres), commit 008fd6675457cdd62da2265628bed3b725a607ea
-- when: sync (sync-timezone)
-- expect: rows
show timezone;

-- source: metabase/metabase/src/metabase/driver/postgres.clj (sql-jdbc.sync/current-user-table-privileges :postgres), commit 008fd6675457cdd62da2265628bed3b725a607ea
-- when: browse tables (sync-tables: which tables the user may select)
-- expect: rows
with table_privileges as (
 select
   NULL as role,
   t.schemaname as schema,
   t.objectname as table,
   pg_catalog.has_any_column_privilege(current_user, '"' || replace(t.schemaname, '"', '""') || '"' || '.' || '"' || replace(t.objectname, '"', '""') || '"',  'update') as update,
   pg_catalog.has_any_column_privilege(current_user, '"' || replace(t.schemaname, '"', '""') || '"' || '.' || '"' || replace(t.objectname, '"', '""') || '"',  'select') as select,
   pg_catalog.has_any_column_privilege(current_user, '"' || replace(t.schemaname, '"', '""') || '"' || '.' || '"' || replace(t.objectname, '"', '""') || '"',  'insert') as insert,
   pg_catalog.has_table_privilege(     current_user, '"' || replace(t.schemaname, '"', '""') || '"' || '.' || '"' || replace(t.objectname, '"', '""') || '"',  'delete') as delete
 from (
   select schemaname, tablename as objectname from pg_catalog.pg_tables
   union
   select schemaname, viewname as objectname from pg_catalog.pg_views
   union
   select schemaname, matviewname as objectname from pg_catalog.pg_matviews
 ) t
 where t.schemaname !~ '^pg_'
   and t.schemaname <> 'information_schema'
   and pg_catalog.has_schema_privilege(current_user, t.schemaname, 'usage')
)
select t.*
from table_privileges t;

-- source: metabase/metabase/src/metabase/driver/postgres.clj (get-tables-sql, from driver/describe-database :postgres), commit 008fd6675457cdd62da2265628bed3b725a607ea
-- when: browse schemas, browse tables (sync-tables)
-- expect: rows
SELECT "n"."nspname" AS "schema", "c"."relname" AS "name", CASE "c"."relkind" WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END AS "type", "d"."description" AS "description", "stat"."n_live_tup" AS "estimated_row_count" FROM "pg_catalog"."pg_class" AS "c" INNER JOIN "pg_catalog"."pg_namespace" AS "n" ON "c"."relnamespace" = "n"."oid" LEFT JOIN "pg_catalog"."pg_description" AS "d" ON ("c"."oid" = "d"."objoid") AND ("d"."objsubid" = 0) AND ("d"."classoid" = 'pg_class'::regclass) LEFT JOIN "pg_stat_user_tables" AS "stat" ON ("n"."nspname" = "stat"."schemaname") AND ("c"."relname" = "stat"."relname") WHERE ("c"."relnamespace" = "n"."oid") AND ("n"."nspname" !~ '^pg_') AND ("n"."nspname" <> 'information_schema') AND c.relkind in ('r', 'p', 'v', 'f', 'm') AND ("n"."nspname" IN ('scaleph')) ORDER BY "type" ASC, "schema" ASC, "name" ASC;

-- source: metabase/metabase/src/metabase/driver/postgres.clj (enum-types, from describe-fields-pre-process-xf), commit 008fd6675457cdd62da2265628bed3b725a607ea
-- when: browse columns (sync-fields: which column types are enums)
-- expect: rows
SELECT nspname, typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid IN (SELECT DISTINCT enumtypid FROM pg_enum e);

-- source: metabase/metabase/src/metabase/driver/postgres.clj (sql-jdbc.sync/describe-fields-sql :postgres, schema filter), commit 008fd6675457cdd62da2265628bed3b725a607ea
-- when: browse columns (sync-fields for the whole schema)
-- expect: rows
SELECT "c"."column_name" AS "name", CASE WHEN "c"."udt_schema" IN ('public', 'pg_catalog') THEN FORMAT('%s', "c"."udt_name") ELSE FORMAT('"%s"."%s"', "c"."udt_schema", "c"."udt_name") END AS "database-type", "c"."ordinal_position" - 1 AS "database-position", "c"."table_schema" AS "table-schema", "c"."table_name" AS "table-name", "pk"."column_name" IS NOT NULL AS "pk?", COL_DESCRIPTION(CAST(CAST(FORMAT('%I.%I', CAST("c"."table_schema" AS TEXT), CAST("c"."table_name" AS TEXT)) AS REGCLASS) AS OID), "c"."ordinal_position") AS "field-comment", (("column_default" IS NULL) OR (LOWER("column_default") = 'null')) AND ("is_nullable" = 'NO') AND NOT ((("column_default" IS NOT NULL) AND ("column_default" LIKE '%nextval(%')) OR ("is_identity" <> 'NO')) AS "database-required", (("column_default" IS NOT NULL) AND ("column_default" LIKE '%nextval(%')) OR ("is_identity" <> 'NO') AS "database-is-auto-increment" FROM "information_schema"."columns" AS "c" LEFT JOIN (SELECT "tc"."table_schema", "tc"."table_name", "kc"."column_name" FROM "information_schema"."table_constraints" AS "tc" INNER JOIN "information_schema"."key_column_usage" AS "kc" ON ("tc"."constraint_name" = "kc"."constraint_name") AND ("tc"."table_schema" = "kc"."table_schema") AND ("tc"."table_name" = "kc"."table_name") WHERE "tc"."constraint_type" = 'PRIMARY KEY') AS "pk" ON ("c"."table_schema" = "pk"."table_schema") AND ("c"."table_name" = "pk"."table_name") AND ("c"."column_name" = "pk"."column_name") WHERE c.table_schema !~ '^information_schema|catalog_history|pg_' AND ("c"."table_schema" IN ('scaleph')) UNION ALL SELECT "pa"."attname" AS "name", CASE WHEN "ptn"."nspname" IN ('public', 'pg_catalog') THEN FORMAT('%s', "pt"."typname") ELSE FORMAT('"%s"."%s"', "ptn"."nspname", "pt"."typname") END AS "database-type", "pa"."attnum" - 1 AS "database-position", "pn"."nspname" AS "table-schema", "pc"."relname" AS "table-name", FALSE AS "pk?", NULL AS "field-comment", FALSE AS "database-required", FALSE AS "database-is-auto-increment" FROM "pg_catalog"."pg_class" AS "pc" INNER JOIN "pg_catalog"."pg_namespace" AS "pn" ON "pn"."oid" = "pc"."relnamespace" INNER JOIN "pg_catalog"."pg_attribute" AS "pa" ON "pa"."attrelid" = "pc"."oid" INNER JOIN "pg_catalog"."pg_type" AS "pt" ON "pt"."oid" = "pa"."atttypid" INNER JOIN "pg_catalog"."pg_namespace" AS "ptn" ON "ptn"."oid" = "pt"."typnamespace" WHERE ("pc"."relkind" = 'm') AND ("pa"."attnum" >= 1) AND ("pn"."nspname" IN ('scaleph')) ORDER BY "table-schema" ASC, "table-name" ASC, "database-position" ASC;

-- source: metabase/metabase/src/metabase/driver/postgres.clj (sql-jdbc.sync/describe-fields-sql :postgres, schema and table filter), commit 008fd6675457cdd62da2265628bed3b725a607ea
-- when: browse columns (re-sync of one table)
-- expect: rows
SELECT "c"."column_name" AS "name", CASE WHEN "c"."udt_schema" IN ('public', 'pg_catalog') THEN FORMAT('%s', "c"."udt_name") ELSE FORMAT('"%s"."%s"', "c"."udt_schema", "c"."udt_name") END AS "database-type", "c"."ordinal_position" - 1 AS "database-position", "c"."table_schema" AS "table-schema", "c"."table_name" AS "table-name", "pk"."column_name" IS NOT NULL AS "pk?", COL_DESCRIPTION(CAST(CAST(FORMAT('%I.%I', CAST("c"."table_schema" AS TEXT), CAST("c"."table_name" AS TEXT)) AS REGCLASS) AS OID), "c"."ordinal_position") AS "field-comment", (("column_default" IS NULL) OR (LOWER("column_default") = 'null')) AND ("is_nullable" = 'NO') AND NOT ((("column_default" IS NOT NULL) AND ("column_default" LIKE '%nextval(%')) OR ("is_identity" <> 'NO')) AS "database-required", (("column_default" IS NOT NULL) AND ("column_default" LIKE '%nextval(%')) OR ("is_identity" <> 'NO') AS "database-is-auto-increment" FROM "information_schema"."columns" AS "c" LEFT JOIN (SELECT "tc"."table_schema", "tc"."table_name", "kc"."column_name" FROM "information_schema"."table_constraints" AS "tc" INNER JOIN "information_schema"."key_column_usage" AS "kc" ON ("tc"."constraint_name" = "kc"."constraint_name") AND ("tc"."table_schema" = "kc"."table_schema") AND ("tc"."table_name" = "kc"."table_name") WHERE "tc"."constraint_type" = 'PRIMARY KEY') AS "pk" ON ("c"."table_schema" = "pk"."table_schema") AND ("c"."table_name" = "pk"."table_name") AND ("c"."column_name" = "pk"."column_name") WHERE c.table_schema !~ '^information_schema|catalog_history|pg_' AND ("c"."table_schema" IN ('scaleph')) AND ("c"."table_name" IN ('datasources')) UNION ALL SELECT "pa"."attname" AS "name", CASE WHEN "ptn"."nspname" IN ('public', 'pg_catalog') THEN FORMAT('%s', "pt"."typname") ELSE FORMAT('"%s"."%s"', "ptn"."nspname", "pt"."typname") END AS "database-type", "pa"."attnum" - 1 AS "database-position", "pn"."nspname" AS "table-schema", "pc"."relname" AS "table-name", FALSE AS "pk?", NULL AS "field-comment", FALSE AS "database-required", FALSE AS "database-is-auto-increment" FROM "pg_catalog"."pg_class" AS "pc" INNER JOIN "pg_catalog"."pg_namespace" AS "pn" ON "pn"."oid" = "pc"."relnamespace" INNER JOIN "pg_catalog"."pg_attribute" AS "pa" ON "pa"."attrelid" = "pc"."oid" INNER JOIN "pg_catalog"."pg_type" AS "pt" ON "pt"."oid" = "pa"."atttypid" INNER JOIN "pg_catalog"."pg_namespace" AS "ptn" ON "ptn"."oid" = "pt"."typnamespace" WHERE ("pc"."relkind" = 'm') AND ("pa"."attnum" >= 1) AND ("pn"."nspname" IN ('scaleph')) AND ("pc"."relname" IN ('datasources')) ORDER BY "table-schema" ASC, "table-name" ASC, "database-position" ASC;

-- source: metabase/metabase/src/metabase/driver/postgres.clj (sql-jdbc.sync/describe-fks-sql :postgres), commit 008fd6675457cdd62da2265628bed3b725a607ea
-- when: browse keys (sync-fks)
-- expect: rows
SELECT "fk_ns"."nspname" AS "fk-table-schema", "fk_table"."relname" AS "fk-table-name", "fk_column"."attname" AS "fk-column-name", "pk_ns"."nspname" AS "pk-table-schema", "pk_table"."relname" AS "pk-table-name", "pk_column"."attname" AS "pk-column-name" FROM "pg_constraint" AS "c" INNER JOIN "pg_class" AS "fk_table" ON "c"."conrelid" = "fk_table"."oid" INNER JOIN "pg_namespace" AS "fk_ns" ON "c"."connamespace" = "fk_ns"."oid" INNER JOIN "pg_attribute" AS "fk_column" ON "c"."conrelid" = "fk_column"."attrelid" INNER JOIN "pg_class" AS "pk_table" ON "c"."confrelid" = "pk_table"."oid" INNER JOIN "pg_namespace" AS "pk_ns" ON "pk_table"."relnamespace" = "pk_ns"."oid" INNER JOIN "pg_attribute" AS "pk_column" ON "c"."confrelid" = "pk_column"."attrelid" WHERE fk_ns.nspname !~ '^information_schema|catalog_history|pg_' AND ("c"."contype" = 'f'::char) AND ("fk_column"."attnum" = ANY(c.conkey)) AND ("pk_column"."attnum" = ANY(c.confkey)) AND ("fk_ns"."nspname" IN ('scaleph')) ORDER BY "fk-table-schema" ASC, "fk-table-name" ASC;

-- source: metabase/metabase/src/metabase/driver/postgres.clj (sql-jdbc.sync/describe-indexes-sql :postgres), commit 008fd6675457cdd62da2265628bed3b725a607ea
-- when: browse indexes (sync-indexes)
-- expect: rows
SELECT "tmp"."table-schema", "tmp"."table-name", TRIM(BOTH '"' FROM PG_CATALOG.PG_GET_INDEXDEF("tmp"."ci_oid", "tmp"."pos", FALSE)) AS "field-name" FROM (SELECT "n"."nspname" AS "table-schema", "ct"."relname" AS "table-name", "ci"."oid" AS "ci_oid", (INFORMATION_SCHEMA._PG_EXPANDARRAY("i"."indkey")).n AS "pos" FROM "pg_catalog"."pg_class" AS "ct" INNER JOIN "pg_catalog"."pg_namespace" AS "n" ON "ct"."relnamespace" = "n"."oid" INNER JOIN "pg_catalog"."pg_index" AS "i" ON "ct"."oid" = "i"."indrelid" INNER JOIN "pg_catalog"."pg_class" AS "ci" ON "ci"."oid" = "i"."indexrelid" WHERE (PG_CATALOG.PG_GET_EXPR("i"."indpred", "i"."indrelid") IS NULL) AND n.nspname !~ '^information_schema|catalog_history|pg_' AND ("n"."nspname" IN ('scaleph'))) AS "tmp" WHERE "tmp"."pos" = 1;

-- source: metabase/metabase/src/metabase/driver/sql_jdbc/sync/describe_database.clj (simple-select-probe-query, have-select-privilege? for tables the privilege query does not cover), commit 00f84ab8adde06abf9ac93e22f7d6dbbf5e089de
-- when: browse tables (sync-tables: select probe)
-- expect: rows
SELECT TRUE AS "_" FROM "scaleph"."datasources" WHERE 1 <> 1 LIMIT 0;

-- source: metabase/metabase/src/metabase/driver/sql_jdbc/sync/describe_table.clj (fallback-metadata-query, columns from the result set when the metadata lacks types), commit 00c37c6669cda403ee73601d8d7c8b2926d3de42
-- when: browse columns (fallback)
-- expect: rows
SELECT * FROM "scaleph"."datasources" WHERE 1 <> 1 LIMIT 0;

-- source: metabase/metabase/src/metabase/driver/common/table_rows_sample.clj (table-rows-sample, text columns truncated with SUBSTRING), commit 05e508f610d57a156e1d347428c54c6fb85e9c9d
-- when: browse table (sync fingerprinting: sample rows)
-- expect: rows
-- Metabase
SELECT SUBSTRING("scaleph"."datasources"."name", 1, 1234) AS "substring4476", SUBSTRING("scaleph"."datasources"."type", 1, 1234) AS "substring4477", "scaleph"."datasources"."created_at" AS "created_at" FROM "scaleph"."datasources" LIMIT 10000;

-- source: metabase/metabase/src/metabase/warehouse_schema/metadata_queries.clj (field-distinct-values: a breakout on the field, limit 1000)
-- when: browse column values (field values scan, filter widgets)
-- expect: rows
-- Metabase
SELECT "scaleph"."datasources"."type" AS "type" FROM "scaleph"."datasources" GROUP BY "scaleph"."datasources"."type" ORDER BY "scaleph"."datasources"."type" ASC LIMIT 1000;

-- source: metabase/metabase query processor (MBQL "count of rows" question, the table's summary in the data browser), statement log in https://github.com/metabase/metabase/issues/6492
-- when: browse table (row count)
-- expect: rows
-- Metabase
SELECT count(*) AS "count" FROM "scaleph"."datasources";

-- source: metabase/metabase query processor (MBQL query of a table's raw rows, the data browser's table view, limit 2000)
-- when: browse table data
-- expect: rows
-- Metabase
SELECT "scaleph"."datasources"."name" AS "name", "scaleph"."datasources"."type" AS "type", "scaleph"."datasources"."options" AS "options", "scaleph"."datasources"."comment" AS "comment", "scaleph"."datasources"."created_at" AS "created_at" FROM "scaleph"."datasources" LIMIT 2000;
