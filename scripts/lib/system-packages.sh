# Sourced, not run. ensure_debian_packages CHECK:PACKAGE ... installs each Debian package
# whose check fails. A check is a command name, a shared library name (lib*.so*), or an
# absolute path to a file the package installs (a font).
# Needs root and apt-get; anywhere else it names what is missing and fails.
_apt_updated=""
_have() {
  case "$1" in
    lib*.so*) ldconfig -p 2>/dev/null | grep -q "$1" ;;
    /*) [ -e "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}
ensure_debian_packages() {
  local missing=() pair
  for pair in "$@"; do
    _have "${pair%%:*}" || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing system packages: ${missing[*]}. Install them (Debian: sudo apt-get install ${missing[*]}) and run again." >&2
    return 1
  fi
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  if [ -z "$_apt_updated" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null || { echo "error: apt-get update failed" >&2; return 1; }
    _apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "error: apt-get install ${missing[*]} failed" >&2; return 1; }
}
