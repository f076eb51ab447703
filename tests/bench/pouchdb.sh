#!/usr/bin/env bash
# pouchdb.sh: the PouchDB side of the replication catch-up comparison. Not a
# ctest entry: run it on demand, on an otherwise idle machine.
#
#   tests/bench/pouchdb.sh N [NPM_DIR]
#
# Installs tests/bench/pouchdb/package.json (pouchdb, whose Node default
# adapter is LevelDB through leveldown; leveldown ships prebuilt N-API
# binaries in its npm tarball, so nothing is compiled or downloaded beyond
# the npm registry) with `npm install --no-audit --no-fund` into NPM_DIR
# (default ${OW_BUILD_DIR:-build/release}/pouchdb, the build dir relative to
# the top of the tree), reusing an earlier install when package.json has
# not changed, then runs catchup.js from there: N docs of ~1 KiB written to
# a LevelDB-backed PouchDB a (not timed), one one-shot PouchDB.replicate(a,
# b) timed. See tests/bench/pouchdb/catchup.js for the details.
#
# stdout: catchup.js's one JSON line,
#   {"system":"pouchdb","version":...,"docs":N,"doc_bytes":...,"seconds":...,"docs_per_s":...}
# stderr: npm's output and catchup.js's diagnostics (adapter, files on disk).
# CATCHUP_WORKDIR=DIR puts the databases under DIR (default: $TMPDIR or
# /tmp); CATCHUP_KEEP=1 keeps them.
#
# Exit status: 0 ok, 1 the run failed its check, 2 usage, a missing
# node/npm or a failed install.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
src="$here/pouchdb"

die() {
	echo "pouchdb.sh: $*" >&2
	exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: tests/bench/pouchdb.sh N [NPM_DIR]" >&2
	exit 2
fi
n="$1"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, not '$n'"
npm_dir="${2:-${OW_BUILD_DIR:-$top/build/release}/pouchdb}"

command -v node >/dev/null 2>&1 ||
	die "node not found: install Node.js 18 or later (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 ||
	die "npm not found: install npm (Debian: apt-get install npm)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 18 ] ||
	die "node $(node --version) is too old: PouchDB 9 needs Node.js 18 or later"

mkdir -p "$npm_dir" || die "cannot create $npm_dir"
npm_dir="$(cd "$npm_dir" && pwd)"

# Reuse an install made from the same package.json whose native binding
# loads; otherwise (re)install.
installed=0
if cmp -s "$src/package.json" "$npm_dir/package.json" &&
	[ -f "$npm_dir/node_modules/pouchdb/package.json" ] &&
	(cd "$npm_dir" && node -e 'require("pouchdb"); require("leveldown")') >/dev/null 2>&1; then
	installed=1
fi
if [ "$installed" = 0 ]; then
	cp "$src/package.json" "$npm_dir/package.json"
	echo "pouchdb.sh: npm install in $npm_dir" >&2
	t0="$(date +%s.%N)"
	if ! (cd "$npm_dir" && npm install --no-audit --no-fund) >&2; then
		die "npm install failed in $npm_dir (is the npm registry reachable?)"
	fi
	t1="$(date +%s.%N)"
	echo "pouchdb.sh: npm install took $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s" >&2
	# leveldown is native: check that its binding loads here (prebuilt for
	# linux-x64/arm64 glibc and musl) rather than fail in the middle of a run.
	(cd "$npm_dir" && node -e 'require("pouchdb"); require("leveldown")') >&2 ||
		die "pouchdb or its LevelDB binding (leveldown) does not load from $npm_dir"
fi

cp "$src/catchup.js" "$npm_dir/catchup.js"
cd "$npm_dir"
if [ -n "${CATCHUP_WORKDIR:-}" ]; then
	exec node catchup.js "$n" "$CATCHUP_WORKDIR"
fi
exec node catchup.js "$n"
