//! Preview rewrites against Flink's real planner: every write of
//! `tests/corpus/preview.sql` is rewritten as scaleph's preview would
//! rewrite it (the sink's columns from Flink's own `DESCRIBE`, as in
//! production) and EXPLAINed by Flink 2.3.0's planner
//! (`support::flink_planner`) over the tables of
//! `tests/corpus/preview_tables.sql`. The unit test in `src/sql/preview.rs`
//! proves each rewrite parses as a query with sqlparser; only Flink can
//! say that Flink accepts it. A few writes beyond the corpus
//! (`BEYOND_CORPUS`) try sinks the corpus's `s` does not stand for.
//!
//! Known rejections are listed with their reason (`EXPECTED_REJECTIONS`,
//! `EXPECTED_UNCLASSIFIED`) and printed on each run; anything else the
//! planner rejects fails the test, and so does a listed one that is fixed.

use std::time::Instant;

use scaleph::sql::ast::{Query, SinkColumn, Writing};
use scaleph::sql::preview::{parse_write, preview_insert, preview_query, sink_column};
use scaleph::sql::{Statement, parse_script};

use crate::support::flink_planner::Planner;

/// The LIMIT the preview queries get (scaleph's default preview limit is
/// irrelevant to planning; any positive number plans the same).
const LIMIT: usize = 100;

/// Rewrites of the corpus Flink's planner rejects, by the start of the
/// statement's text, with why. A listed rewrite that starts to plan fails
/// the test too, so the list stays true.
const EXPECTED_REJECTIONS: &[(&str, &str)] = &[];

/// Writes of the corpus scaleph's classification does not see as writes
/// (`write` is `None`), by the start of the statement's text, with why.
/// Their rewrite is still checked, cut by `parse_write` directly; a listed
/// statement the classification starts to see as a write fails the test,
/// so the entry goes with the fix.
const EXPECTED_UNCLASSIFIED: &[(&str, &str)] = &[];

/// Writes of all of `orders`' columns into the three-column sink: valid
/// only where `orders` has three columns, so planned in the database
/// `narrow` of `preview_tables.sql` (the other entries need a wider
/// `orders`).
const NARROW: &[&str] = &[
    "INSERT INTO s SELECT * FROM orders",
    "INSERT INTO s SELECT o.* FROM orders AS o",
];

/// Writes beyond the corpus, checked the same way: sinks whose columns
/// Flink's `DESCRIBE` lists with a time attribute's marker in the type
/// (`TIMESTAMP(3) *ROWTIME*`) or that an INSERT does not write (a computed
/// column); `preview_tables.sql` has their DDL. Both were scaleph bugs
/// this test found (the rewrite used DESCRIBE's rows as they are).
const BEYOND_CORPUS: &[&str] = &[
    "INSERT INTO timed (a, b) SELECT id, name FROM orders",
    "INSERT INTO computed SELECT id, name FROM orders",
];

fn listed<'a>(list: impl IntoIterator<Item = &'a &'a str>, text: &str) -> bool {
    list.into_iter().any(|start| text.starts_with(start))
}

/// Runs every statement of `script` with `executeSql`, failing on the
/// first Flink rejects.
fn run_script(planner: &mut Planner, script: &str) {
    for statement in parse_script(script).expect("the script parses") {
        if let Err(err) = planner.exec(&statement.text) {
            panic!("Flink rejects {}: {err}", statement.text);
        }
    }
}

/// The columns of `sink` as scaleph's preview reads them in production:
/// Flink's `DESCRIBE`, name and type.
fn sink_columns(planner: &mut Planner, sink: &str) -> Vec<SinkColumn> {
    let columns = planner
        .describe(sink)
        .unwrap_or_else(|e| panic!("DESCRIBE {sink}: {e}"));
    assert!(!columns.is_empty(), "DESCRIBE {sink} listed no columns");
    columns
        .into_iter()
        .filter_map(|c| sink_column(&c.name, &c.data_type, c.extras.as_deref()))
        .collect()
}

/// The preview queries of `writing`, each with the query it stands for.
fn previews(planner: &mut Planner, writing: &Writing) -> Vec<(String, String)> {
    let inserts = match writing {
        Writing::Insert(insert) => std::slice::from_ref(insert),
        Writing::StatementSet(inserts) => inserts.as_slice(),
        Writing::TableAs { query, .. } => {
            return vec![(query.clone(), preview_query(query, LIMIT))];
        }
    };
    inserts
        .iter()
        .map(|insert| {
            let sink = sink_columns(planner, &insert.sink);
            let sql = preview_insert(insert, &sink, LIMIT).unwrap_or_else(|e| {
                panic!("no preview of INSERT INTO {}: {}", insert.sink, e.message)
            });
            (insert.query.clone(), sql)
        })
        .collect()
}

#[test]
fn every_preview_rewrite_of_the_corpus_passes_the_real_planner() {
    let started = Instant::now();
    let Some(mut planner) = Planner::start() else {
        return;
    };
    run_script(&mut planner, include_str!("corpus/preview_tables.sql"));

    // The helper reports what the planner rejects: without this a planner
    // that answered OK to anything would pass the corpus.
    let wrong = planner
        .explain("SELECT no_such_column FROM orders")
        .expect_err("the planner rejects an unknown column");
    assert!(wrong.contains("no_such_column"), "{wrong}");
    let plan = planner
        .explain("SELECT id FROM orders LIMIT 1")
        .expect("the planner plans a plain query");
    assert!(plan.contains("TableSourceScan"), "{plan}");

    let corpus = include_str!("corpus/preview.sql");
    let mut checked = 0;
    let mut rejected = Vec::new();
    let mut unclassified = Vec::new();
    let mut now_classified = Vec::new();
    let beyond = BEYOND_CORPUS.join(";\n");
    let statements = parse_script(corpus)
        .expect("the corpus parses")
        .into_iter()
        .chain(parse_script(&beyond).expect("BEYOND_CORPUS parses"));
    for statement in statements {
        let text = statement.text.as_str();
        if listed(BEYOND_CORPUS, text) {
            // A valid write, so a rejected preview of it is the rewrite's.
            if let Err(err) = planner.explain(text) {
                panic!("Flink rejects the write itself: {text}: {err}");
            }
        }
        // `WITH ... INSERT` classifies as a query.
        let (Statement::Flink(flink) | Statement::Query(Query { flink, .. })) =
            &statement.statement
        else {
            panic!("not a Flink statement: {text}")
        };
        let expected_unclassified = listed(EXPECTED_UNCLASSIFIED.iter().map(|(s, _)| s), text);
        let cut;
        let writing = match &flink.write {
            Some(Ok(writing)) => {
                if expected_unclassified {
                    now_classified.push(text.to_string());
                }
                writing
            }
            Some(Err(err)) => panic!("cannot preview {text}: {}", err.message),
            None if expected_unclassified => {
                cut = parse_write(text)
                    .unwrap_or_else(|e| panic!("cannot preview {text}: {}", e.message));
                &cut
            }
            None => {
                unclassified.push(text.to_string());
                continue;
            }
        };
        let narrow = listed(NARROW, text);
        if narrow {
            planner.exec("USE narrow").unwrap();
        }
        for (query, preview) in previews(&mut planner, writing) {
            checked += 1;
            if let Err(err) = planner.explain(&preview) {
                // Whether the query as written plans tells a rewrite that
                // broke it from a corpus entry Flink never took.
                let original = match planner.explain(&query) {
                    Ok(_) => "plans".to_string(),
                    Err(err) => format!("rejected too: {err}"),
                };
                rejected.push((text.to_string(), preview, err, original));
            }
        }
        if narrow {
            planner.exec("USE default_database").unwrap();
        }
    }

    let expected = |text: &str| listed(EXPECTED_REJECTIONS.iter().map(|(s, _)| s), text);
    let unexpected: Vec<String> = rejected
        .iter()
        .filter(|(text, ..)| !expected(text))
        .map(|(text, preview, err, original)| {
            format!(
                "{text}\n  rewritten: {preview}\n  Flink: {err}\n  the query as written: {original}"
            )
        })
        .collect();
    let now_planning: Vec<&str> = EXPECTED_REJECTIONS
        .iter()
        .map(|(start, _)| *start)
        .filter(|start| !rejected.iter().any(|(text, ..)| text.starts_with(start)))
        .collect();
    for (start, why) in EXPECTED_REJECTIONS.iter().chain(EXPECTED_UNCLASSIFIED) {
        eprintln!("KNOWN: {start}...: {why}");
    }
    eprintln!(
        "{checked} preview rewrites EXPLAINed by Flink's planner in {:.1?} ({} rejected, {} expected)",
        started.elapsed(),
        rejected.len(),
        EXPECTED_REJECTIONS.len()
    );
    assert!(checked >= 30, "only {checked} rewrites checked");
    assert!(
        unexpected.is_empty(),
        "Flink's planner rejects {} preview rewrite(s):\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(
        unclassified.is_empty(),
        "not classified as writes (preview mode would forward them): {unclassified:#?}"
    );
    assert!(
        now_classified.is_empty(),
        "listed as unclassified but classified as writes: {now_classified:#?}"
    );
    assert!(
        now_planning.is_empty(),
        "listed as rejected but planned: {now_planning:?}"
    );
}
