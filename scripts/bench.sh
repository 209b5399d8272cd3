#!/usr/bin/env bash
# `npm run bench`: every benchmark; one JSON object per line on stdout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh >&2
. scripts/lib/node24.sh
for bench in */bench/*.bench.ts; do
  node "$bench"
done
