#!/usr/bin/env bash
# README's run command (`npm start`): sets up, then starts the terminal on the embedded
# default: SQLite in .data/demo, simulated lock boards on a pty, fake card reader and scanner,
# demo data; a window (Electron, else Chromium) or the URL. Arguments go to the service
# (--headless, --port N, --data DIR, --config FILE); KIOSK_DATA and KIOSK_PORT are read
# there too, a flag winning over its variable.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
. scripts/lib/node24.sh
# The demo's own folder unless KIOSK_DATA names one (a --data flag was given here before
# and hid the variable); set here, not as a flag, so the Electron shell sees it too.
export KIOSK_DATA="${KIOSK_DATA:-.data/demo}"
exec node kiosk/src/service/main.ts --demo "$@"
