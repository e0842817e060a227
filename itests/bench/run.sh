#!/usr/bin/env bash
# Builds the benchmark harness (and the modules it uses) and runs it with a JDK >= 21.
# Arguments go to the harness (--help lists them); a first argument "scheduler" runs the scheduler benchmark
# (SchedulerPerf) instead of the API one. BENCH_NO_BUILD=1 skips Maven; BENCH_JAVA_OPTS adds JVM options.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1; }

# JAVA_HOME, else java on the PATH, else the newest JDK in /usr/lib/jvm: Maven may run on 17, the harness needs 21.
JAVA=""
for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java || true)" $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV); do
  [[ -n "$candidate" && -x "$candidate" ]] || continue
  m="$(major "$candidate")"
  if [[ -n "$m" ]] && (( m >= 21 )); then JAVA="$candidate"; break; fi
done
[[ -n "$JAVA" ]] || { echo "run.sh: no JDK >= 21 found (set JAVA_HOME)" >&2; exit 1; }

cd "$REPO"
if [[ "${BENCH_NO_BUILD:-}" != 1 ]]; then
  mvn -B -q -pl itests/bench -am package -DskipTests
fi
# JDK 23+ warns when protobuf (jetcd, --etcd) uses sun.misc.Unsafe unless it is allowed.
FLAGS=()
if (( m >= 23 )); then FLAGS+=(--sun-misc-unsafe-memory-access=allow); fi
MAIN=io.bosun.bench.ApiBenchmark
if [[ "${1:-}" == scheduler ]]; then MAIN=io.bosun.bench.SchedulerPerf; shift; fi
# shellcheck disable=SC2086
exec "$JAVA" "${FLAGS[@]}" ${BENCH_JAVA_OPTS:-} -cp itests/bench/target/bosun-bench.jar "$MAIN" "$@"
