#!/usr/bin/env bash
# README's test command (`npm test`): sets up, then type-checks, lints and runs every test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
. scripts/lib/node24.sh

echo "== typecheck" && node node_modules/typescript/bin/tsc --noEmit -p .
echo "== lint" && node_modules/.bin/biome ci --colors=off --reporter=summary .
echo "== tests"
node --test --test-reporter=spec --test-timeout=120000 \
  'locker-controller/**/*.test.ts' 'hardware-mocks/**/*.test.ts' 'kiosk/**/*.test.ts'
