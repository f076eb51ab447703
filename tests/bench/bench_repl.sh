#!/usr/bin/env bash
# bench_repl.sh: the replication benchmark. Not a ctest entry: run it on
# demand, on an optimised build, on an otherwise idle machine.
#
#   cmake --preset release && cmake --build --preset release
#   tests/bench/bench_repl.sh [BUILD_DIR]          (default: build/release)
#
#   BENCH_OPS=10000 tests/bench/bench_repl.sh      a quicker catch-up
#
# a. Catch-up: hall A takes BENCH_OPS (100,000) case creates while it has
#    no peer; then hall B, a fresh hall reaching A's replication listener
#    through ow-proxy, adds A, timed from B's `peer add` to the moment B's
#    vector holds every op of A. Shown: ops/s, seconds, bytes through the
#    proxy per op, and the bytes of an idle sync round (a periodic pull
#    with nothing new, repl_pull_ms 1000); then `peer verify` and the
#    status digests must agree. Beside it, tests/bench/pouchdb.sh with the
#    same N: PouchDB.replicate between two LevelDB-backed databases of N
#    ~1 KiB docs (npm install into BUILD_DIR/pouchdb on the first run).
#    Target: our catch-up rate at least 10x PouchDB's docs/s.
# b. Lag: halls A, B and C, a full mesh; one clerk at A creates cases at
#    BENCH_RATE (100) a second for BENCH_SECONDS (10); the lag is from the
#    create's reply at A to the case's event on B's and C's events.sock.
#    Target: p99 < 100 ms; every case seen on both.
#
# Other knobs (see tests/bench/bench_repl.c): BENCH_PART=a | b (one part
# only), BENCH_DIR, BENCH_KEEP=1, BENCH_LOG_LEVEL, BENCH_POLL=status,
# BENCH_NODE_SET=KEY=VALUE (one more `ow-node run --set` for every hall),
# BENCH_IDLE_SECONDS, BENCH_GRACE_SECONDS, BENCH_TIMEOUT.
#
# Exit status: 0 every target met, 1 a target missed, 2 a run failed.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
build="${1:-${OW_BUILD_DIR:-$top/build/release}}"
node="$build/node/ow-node"
ctl="$build/node/ow-ctl"
proxy="$build/tests/ow-proxy"
bench="$build/tests/bench/bench_repl"
certs="$top/scripts/make-certs"
part="${BENCH_PART:-ab}"
ops="${BENCH_OPS:-100000}"
export BENCH_OPS="$ops"

for f in "$node" "$ctl" "$proxy" "$bench" "$certs"; do
	if [ ! -x "$f" ]; then
		echo "bench_repl.sh: $f not found: build first (cmake --build --preset release)" >&2
		exit 2
	fi
done

missed=0
failed=0
result() { # result OUTPUT KEY
	echo "$1" | awk -v k="$2" '$1 == "RESULT" && $2 == k {print $3}'
}

if [[ "$part" == *a* ]]; then
	echo "== a. catch-up of $ops ops, beside PouchDB =="
	t0=$SECONDS
	out="$("$bench" "$node" "$ctl" "$certs" "$proxy" catchup)"
	rc=$?
	echo "$out" | grep -v '^RESULT '
	echo "(bench_repl catchup took $((SECONDS - t0)) s)"
	if [ $rc -eq 1 ]; then
		missed=1
	elif [ $rc -ne 0 ]; then
		echo "bench_repl.sh: bench_repl catchup failed ($rc)" >&2
		failed=1
	fi
	ours="$(result "$out" catchup_ops_per_s)"
	echo
	echo "PouchDB: tests/bench/pouchdb.sh $ops $build/pouchdb"
	t0=$SECONDS
	pouch="$("$here/pouchdb.sh" "$ops" "$build/pouchdb")"
	prc=$?
	echo "  $pouch"
	echo "(pouchdb.sh took $((SECONDS - t0)) s)"
	theirs="$(echo "$pouch" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["docs_per_s"])' 2>/dev/null)"
	if [ $prc -ne 0 ] || [ -z "$theirs" ]; then
		echo "bench_repl.sh: pouchdb.sh failed ($prc)" >&2
		failed=1
	fi
	if [ -n "$ours" ] && [ -n "$theirs" ]; then
		echo
		printf '  %-34s %12s\n' "catch-up of $ops" "ops/s"
		printf '  %-34s %12.0f\n' "OneWindow (hall to hall, TLS)" "$ours"
		printf '  %-34s %12.0f\n' "PouchDB replicate (LevelDB)" "$theirs"
		ratio="$(awk -v a="$ours" -v b="$theirs" 'BEGIN {printf "%.2f", a / b}')"
		if awk -v r="$ratio" 'BEGIN {exit !(r >= 10)}'; then
			echo "  ratio ours/pouchdb ${ratio}x, target at least 10x  PASS"
		else
			echo "  ratio ours/pouchdb ${ratio}x, target at least 10x  FAIL"
			missed=1
		fi
	fi
fi

if [[ "$part" == *b* ]]; then
	echo
	echo "== b. replication lag at ${BENCH_RATE:-100} creates/s =="
	t0=$SECONDS
	"$bench" "$node" "$ctl" "$certs" "$proxy" lag | grep --line-buffered -v '^RESULT '
	rc=${PIPESTATUS[0]}
	echo "(bench_repl lag took $((SECONDS - t0)) s)"
	if [ "$rc" -eq 1 ]; then
		missed=1
	elif [ "$rc" -ne 0 ]; then
		echo "bench_repl.sh: bench_repl lag failed ($rc)" >&2
		failed=1
	fi
fi

echo
if [ $failed -ne 0 ]; then
	echo "bench_repl.sh: a run failed"
	exit 2
fi
if [ $missed -ne 0 ]; then
	echo "bench_repl.sh: a target was missed"
	exit 1
fi
echo "bench_repl.sh: every target met"
