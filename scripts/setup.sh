#!/usr/bin/env bash
# Prepares this checkout: Node.js 24, the Debian packages the hardware layer needs, and
# node_modules. Safe to run again; does only what is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib/node24.sh
. scripts/lib/system-packages.sh

# socat: pseudo-terminal pairs for the board simulator; udevadm: serialport's port list;
# libusb: loaded by node-hid.
ensure_debian_packages socat:socat udevadm:udev libusb-1.0.so.0:libusb-1.0-0
# chromium: the kiosk window when Electron cannot start, and the browser of the UI tests.
ensure_debian_packages chromium:chromium
# espeak-ng: the kiosk's speech output; sox: the speech tests measure its WAV files.
ensure_debian_packages espeak-ng:espeak-ng sox:sox
# cage, dpkg-deb, systemd-analyze: the .deb of installers/ is built, verified and run by the tests.
ensure_debian_packages cage:cage dpkg-deb:dpkg systemd-analyze:systemd
# poppler-utils: the tests read generated PDFs back (pdftotext) and the docs show pages (pdftoppm).
ensure_debian_packages pdftotext:poppler-utils pdftoppm:poppler-utils
# cups, cups-client: the wizard's printer test and the kiosk's receipt printer print through a
# private CUPS in their tests.
ensure_debian_packages cupsd:cups lp:cups-client
# fonts-dejavu-core: the face receipts are set in (Latin, Cyrillic, Arabic); pdffonts (poppler-utils) checks it is embedded.
ensure_debian_packages /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:fonts-dejavu-core pdffonts:poppler-utils
# postgresql: the fleet server's tests start a real PostgreSQL from its binaries (initdb,
# pg_ctl in /usr/lib/postgresql/*/bin, not on PATH, hence the glob instead of a command check).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || ensure_debian_packages initdb:postgresql

stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error \
    || { echo "error: npm ci failed (is the npm registry reachable? is package-lock.json in sync with package.json?)" >&2; exit 1; }
fi

# The kiosk UI, built when missing or older than its sources.
if [ ! -f kiosk/ui/dist/index.html ] || [ -n "$(find kiosk/ui/src kiosk/ui/index.html kiosk/ui/vite.config.ts -newer kiosk/ui/dist/index.html -print -quit)" ]; then
  echo "setup: building the kiosk UI" >&2
  npm run build --silent -w kiosk/ui >/dev/null || { echo "error: the kiosk UI did not build (npm run build -w kiosk/ui)" >&2; exit 1; }
fi
