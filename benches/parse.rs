//! Parsing speed: scaleph's `parse_script` against plain sqlparser on the
//! same Flink SQL, in one run, plus splitting and parsing a 1 MB script.
//!
//! The corpus is every grammar example (`grammar/examples/*.sql`) plus a
//! realistic Flink SQL pipeline (`benches/corpus/pipeline.sql`). "Flink
//! part" is the statements of the corpus that are not scaleph extension
//! statements; sqlparser (GenericDialect, as scaleph uses it) parses each
//! of them on its own, failures included, since it cannot parse all Flink
//! SQL.
//!
//! `cargo bench --bench parse`; criterion prints statements per second.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

/// Every example and the pipeline, joined as one script.
fn corpus() -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut paths: Vec<_> = std::fs::read_dir(format!("{root}/grammar/examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths.push(format!("{root}/benches/corpus/pipeline.sql").into());
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse(c: &mut Criterion) {
    let corpus = corpus();
    let statements = scaleph::sql::parse_script(&corpus).unwrap();
    let flink: Vec<&str> = statements
        .iter()
        .filter(|s| s.statement.canonical_sql().is_none())
        .map(|s| s.text.as_str())
        .collect();
    let flink_script = flink.join(";\n");

    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::Elements(statements.len() as u64));
    group.bench_function("scaleph parse_script, whole corpus", |b| {
        b.iter(|| scaleph::sql::parse_script(std::hint::black_box(&corpus)).unwrap())
    });
    group.throughput(Throughput::Elements(flink.len() as u64));
    group.bench_function("scaleph parse_script, Flink part", |b| {
        b.iter(|| scaleph::sql::parse_script(std::hint::black_box(&flink_script)).unwrap())
    });
    group.bench_function("sqlparser parse_sql, Flink part", |b| {
        b.iter(|| {
            for text in &flink {
                let _ = Parser::parse_sql(&GenericDialect {}, std::hint::black_box(text));
            }
        })
    });
    group.finish();

    // A 1 MB script: the corpus repeated.
    let mut big = String::new();
    while big.len() < 1 << 20 {
        big.push_str(&corpus);
        big.push_str(";\n");
    }
    let count = scaleph::sql::parse_script(&big).unwrap().len();
    let mut group = c.benchmark_group("1 MB script");
    group.sample_size(10);
    group.throughput(Throughput::Elements(count as u64));
    group.bench_function("split + parse", |b| {
        b.iter(|| scaleph::sql::parse_script(std::hint::black_box(&big)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
