#!/usr/bin/env bash
# `npm test`: type check, dependency rules, lint and format check, then every test in one node --test run (unit
# tests beside the code; box properties, hostile programs, CLI and the cgroup driver in
# test/), after the cgroup driver's end-to-end tests in a pure cgroup-v2 guest when
# ../shared/cgroup-v2 and user-mode-linux are there (CODEBOX_REQUIRE_V2=1 makes that a
# must, as in CI). Box tests need root and bubblewrap (most also python3) and say so when
# they skip; CODEBOX_REQUIRE_BOX=1 (CI) makes them a must too: a box-needing test (box,
# hostile, cgroup, CLI, runtimes, service) that cannot run here fails, naming what is
# missing (test/support.ts boxSkip). CODEBOX_REQUIRE_SERVICE=1, CODEBOX_REQUIRE_RUNTIMES=1
# and CODEBOX_REQUIRE_IMAGE=1 do the same for redis-server, a language's toolchain and
# the image root.
#
# Cgroups: the tests use CODEBOX_CGROUP_PARENT (default codebox-test, at the top of each
# hierarchy) and remove it afterwards; work dirs go under CODEBOX_WORK_ROOT.
set -euo pipefail
cd "$(dirname "$0")/.."
export CODEBOX_CGROUP_PARENT="${CODEBOX_CGROUP_PARENT:-codebox-test}"
export CODEBOX_WORK_ROOT="${CODEBOX_WORK_ROOT:-/tmp/codebox-test-run}"

cleanup() {
  # leftovers only exist if a test crashed; the engine sweeps them too on its next start
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -d "$h$CODEBOX_CGROUP_PARENT" ] && find "$h$CODEBOX_CGROUP_PARENT" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  rm -rf "$CODEBOX_WORK_ROOT" 2>/dev/null || true
}
trap cleanup EXIT

# a test (or a whole file: node runs each in a process of its own) that hangs fails after
# this, rather than holding the run until CI's own limit; the longest file takes ~2 min
TEST_TIMEOUT_MS=600000

npx tsc -b
npx tsc -p tsconfig.check.json  # the tests (those beside the code too), scripts, benchmarks and load tests too
node scripts/check-deps.mjs
echo "== lint (eslint, type-aware) and format (prettier --check; npm run format rewrites)"
npx eslint .
npx prettier --check --log-level warn .

bash scripts/test-v2.sh

echo "== box and hostile tests again with every launcher spawned for its run (no prestarted spares)"
mapfile -t boxfiles < <(find test/box test/hostile -name '*.test.ts' | sort)
CODEBOX_TEST_PRESTART=0 node --import tsx --test --test-concurrency=1 --test-timeout="$TEST_TIMEOUT_MS" \
  --test-reporter=dot "${boxfiles[@]}"

echo "== unit, box, hostile, CLI and cgroup (v$( [ -d /sys/fs/cgroup/memory ] && echo 1 || echo 2)) tests on this host"
mapfile -t files < <(find packages apps test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
node --import tsx --test --test-concurrency=1 --test-timeout="$TEST_TIMEOUT_MS" "${files[@]}"
