#!/usr/bin/env bash
# README's run command (`npm start`): sets up, then starts the terminal on the embedded
# default. At this stage: simulated lock boards driven by the real locker controller.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
. scripts/lib/node24.sh
exec node scripts/demo-locker.ts "$@"
