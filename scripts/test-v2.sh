#!/usr/bin/env bash
# `npm run test:v2`: the cgroup driver end to end in a pure cgroup-v2 guest kernel, with
# the hostile tests whose outcome differs there (kernel buffers) or that change the
# machine (core_pattern), sessions (a box's life across commands, its devpts, its
# process count), and the engine's API with its prepared boxes (limits written to a v2
# group when a box is taken; the same results as a fresh box)
# (../shared/cgroup-v2 boots one with User-Mode Linux in about 2 s). Skips, saying why,
# when the guest cannot run here, unless CODEBOX_REQUIRE_V2=1 (CI), where that fails.
set -euo pipefail
cd "$(dirname "$0")/.."
guest=../shared/cgroup-v2/run-in-v2-guest
if [ -x "$guest" ] && [ -x /usr/bin/linux.uml ] && command -v insmod >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "== cgroup v2: the driver end to end in a pure-v2 guest kernel"
  # the driver; kernel buffers, charged differently on v2; core_pattern, which the
  # guest is free to change (the host's is the machine's); sessions; the engine's API
  "$guest" "$PWD" env CODEBOX_CGROUP_PARENT=codebox-test CODEBOX_WORK_ROOT=/tmp/codebox-v2-run \
    CODEBOX_EXPECT_CGROUP=2 CODEBOX_TEST_DEFAULT_PARENT=1 CODEBOX_TEST_BUFFER_PROCS=4 CODEBOX_TEST_CORE_PATTERN=1 \
    CODEBOX_REQUIRE_BOX="${CODEBOX_REQUIRE_BOX:-0}" \
    node --import tsx --test --test-concurrency=1 test/cgroup/driver.test.ts test/cgroup/default-parent.test.ts \
      test/hostile/kernel-memory.test.ts test/hostile/core-dump.test.ts test/box/session.test.ts \
      test/box/engine.test.ts \
    || { echo "cgroup v2 guest tests failed" >&2; exit 1; }
elif [ "${CODEBOX_REQUIRE_V2:-0}" = 1 ]; then
  echo "cgroup v2 guest unavailable: needs ../shared/cgroup-v2, user-mode-linux, kmod and root" >&2
  exit 1
else
  echo "== cgroup v2 guest skipped: needs ../shared/cgroup-v2, apt-get install user-mode-linux kmod, and root"
fi
