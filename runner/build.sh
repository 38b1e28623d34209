#!/usr/bin/env bash
# Builds runner/scaleph-sql-runner.jar from runner/src: javac --release 11
# against Flink's public Table API jars (PyPI's apache-flink-libraries wheel,
# unpacked where the tests keep it), so one jar runs on Flink 1.17 to 2.x.
# The jar is committed and embedded in scaleph (src/flink/runner.rs); it
# carries SOURCES.sha256, the hash of this script and runner/src, which a
# test recomputes: a jar older than its sources fails the tests.
#
# Usage: runner/build.sh [FLINK_LIB]   (default: the tests' cache,
#        $SCALEPH_FLINK_CACHE or ~/.cache/scaleph-flink, then 2.3.0/pyflink/lib)
set -euo pipefail
cd "$(dirname "$0")"
lib="${1:-${SCALEPH_FLINK_CACHE:-${HOME:-/root}/.cache/scaleph-flink}/2.3.0/pyflink/lib}"
[ -e "$lib/flink-table-api-java-uber-2.3.0.jar" ] || { echo "no Flink jars in $lib (run .ci/run once)" >&2; exit 1; }

# The hash the test recomputes (tests/runner.rs: sources_hash): for this
# script and every file under src, in byte order of their paths, the path,
# a newline, then the file's bytes.
hash=$( { for f in build.sh $(find src -type f | LC_ALL=C sort); do printf '%s\n' "$f"; cat "$f"; done; } | sha256sum | cut -d' ' -f1)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/classes/META-INF"
javac --release 11 -nowarn -encoding UTF-8 -d "$work/classes" \
  -cp "$lib/flink-table-api-java-uber-2.3.0.jar:$lib/flink-dist-2.3.0.jar" \
  $(find src -name '*.java' | LC_ALL=C sort)
printf 'scaleph-sql-runner-sources-sha256=%s\n' "$hash" > "$work/classes/META-INF/SOURCES.sha256"
# Stored (not deflated) and with a fixed date: the same sources give the
# same bytes (scaleph names the jar on a cluster by its content hash), and
# the hash line is readable in the jar's bytes.
jar --create --no-compress --date=2026-01-01T00:00:00Z --file "$work/runner.jar" \
  --main-class org.scaleph.runner.SqlRunner -C "$work/classes" .
mv "$work/runner.jar" scaleph-sql-runner.jar
echo "built runner/scaleph-sql-runner.jar ($(wc -c < scaleph-sql-runner.jar) bytes, sources $hash)"
