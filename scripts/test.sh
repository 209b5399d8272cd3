#!/usr/bin/env bash
# README's test command (`npm test`): sets up, then type-checks, lints, checks and runs every test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
. scripts/lib/node24.sh

echo "== typecheck" && node node_modules/typescript/bin/tsc --noEmit -p . && node node_modules/typescript/bin/tsc --noEmit -p kiosk/ui
echo "== lint" && node_modules/.bin/biome ci --colors=off --reporter=summary .
# No Result dropped in production code (an expression statement whose type is a Result).
echo "== checks" && node scripts/checks/dropped-result.ts
echo "== tests"
# A test file that leaves a handle open never exits and the runner waits for it: stop
# after 50 minutes (a full run takes about 25 on a 2-CPU machine) and say so, rather than use
# CI's whole budget of 90.
status=0
timeout --kill-after=30 50m node --test --test-reporter=spec --test-timeout=120000 \
  'locker-controller/**/*.test.ts' 'hardware-mocks/**/*.test.ts' 'admin-sync/**/*.test.ts' \
  'kiosk/**/*.test.ts' 'installers/**/*.test.ts' 'scripts/**/*.test.ts' || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "tests: stopped after 50 minutes; the file named 'Interrupted while running' did not exit (an open handle: timer, port or child process)" >&2
fi
exit "$status"
