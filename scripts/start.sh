#!/usr/bin/env bash
# README's run command (`npm start`): sets up, then starts the terminal on the embedded
# default: SQLite in .data/demo, simulated lock boards on a pty, fake card reader and scanner,
# demo data; a window (Electron, else Chromium) or the URL. Arguments go to the service
# (--headless, --port N, --data DIR, --config FILE).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
. scripts/lib/node24.sh
exec node kiosk/src/service/main.ts --demo --data .data/demo "$@"
