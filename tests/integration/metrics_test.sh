#!/usr/bin/env bash
# /metrics and /healthz of a real ow-node (metrics_listen on loopback):
# the page is valid Prometheus text (HELP and TYPE for every family, every
# sample "name{labels} value" with a number), request counters move with
# the requests ow-ctl makes, /healthz answers 200, other paths 404, other
# methods 405, garbage 400; oversized, slow and too many connections are
# closed and the node keeps serving; no user name shows on the page; a
# non-loopback metrics_listen is refused at start with a clear error,
# from --set and from a configuration file.
#
# Usage: metrics_test.sh OW-NODE OW-CTL
set -u
NODE=${1:?usage: metrics_test.sh OW-NODE OW-CTL}
CTL=${2:?usage: metrics_test.sh OW-NODE OW-CTL}
export LC_ALL=C.UTF-8
unset LANGUAGE OW_USER OW_PASSWORD OW_NEW_PASSWORD OW_DATADIR OW_NOW
export OW_TODAY=2025-09-29
work=$(mktemp -d /tmp/ow-metrics.XXXXXX) || exit 1
D=$work/d
LOG=$work/node.log
pid=""
pb_pid=""
cleanup() {
  for p in $pid $pb_pid; do
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
pass=0
fail=0
check() { # check NAME COMMAND...
  local name=$1
  shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}
ADMIN_PW=admin-pass-1
CLERK_PW=clerk-pass-1
admin() { OW_PASSWORD=$ADMIN_PW "$CTL" -d "$D" -u admin "$@"; }
clerk() { OW_PASSWORD=$CLERK_PW "$CTL" -d "$D" -u clerk1 "$@"; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# http.py PORT MODE [ARGS]: the HTTP side, in Python (see its modes).
cat >"$work/scrapetool.py" <<'EOF'
import re, socket, sys, time, urllib.error, urllib.request

port = int(sys.argv[1])
mode = sys.argv[2]
base = "http://127.0.0.1:%d" % port


def get(path, method="GET"):
    req = urllib.request.Request(base + path, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def raw(data, wait=10):
    """Send bytes, return what comes back until the node closes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=wait)
    try:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()


SAMPLE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
    r'(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*)?\})? (\S+)$')


def parse(text):
    """Samples {(name, labels): value}; raises on any malformed line."""
    helps, types, samples = set(), {}, {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            helps.add(line.split(" ")[2])
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            assert kind in ("counter", "gauge", "histogram", "summary", "untyped"), line
            assert name not in types, "TYPE twice: " + line
            types[name] = kind
            continue
        assert not line.startswith("#") and line != "", "stray line: %r" % line
        m = SAMPLE.match(line)
        assert m, "malformed sample: %r" % line
        name, labels, value = m.group(1), m.group(3) or "", m.group(5)
        float(value)  # a number, or this raises
        family = name
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        if types.get(base) == "histogram":
            family = base
        assert family in types, "no TYPE before: %r" % line
        assert family in helps, "no HELP before: %r" % line
        key = (name, labels)
        assert key not in samples, "sample twice: %r" % line
        samples[key] = float(value)
    return types, samples


def val(samples, name, labels=""):
    return samples.get((name, labels), 0.0)


if mode == "scrape":
    # scrape OUT: check the page, write "name{labels} value" lines to OUT.
    status, headers, body = get("/metrics")
    assert status == 200, status
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4"), headers["Content-Type"]
    types, samples = parse(body)
    for fam in ("ow_requests_total", "ow_request_seconds", "ow_ops_logged_total",
                "ow_repl_peer_up", "ow_repl_peer_behind_ops", "ow_repl_peer_behind_seconds", "ow_repl_peer_ahead_ops",
                "ow_repl_peer_last_heard_seconds", "ow_repl_vector", "ow_conflicts",
                "ow_cases_by_warning", "ow_queue_waiting", "ow_sessions",
                "ow_store_bytes", "ow_uptime_seconds"):
        assert fam in types, "missing family " + fam
    assert types["ow_request_seconds"] == "histogram"
    assert types["ow_requests_total"] == "counter"
    # Histograms: cumulative buckets, +Inf equal to the count.
    for (name, labels), v in samples.items():
        if name == "ow_request_seconds_count":
            t = labels
            inf = val(samples, "ow_request_seconds_bucket", t + ',le="+Inf"')
            assert inf == v, (labels, inf, v)
            last = 0
            bks = [(float(re.search(r'le="([^"]+)"', l2).group(1).replace("+Inf", "inf")), v2)
                   for (n2, l2), v2 in samples.items()
                   if n2 == "ow_request_seconds_bucket" and l2.startswith(t + ",")]
            bks.sort()
            for _, c in bks:
                assert c >= last, (labels, bks)
                last = c
    with open(sys.argv[3], "w") as f:
        for (name, labels), v in sorted(samples.items()):
            f.write("%s{%s} %s\n" % (name, labels, repr(v)))
    with open(sys.argv[3] + ".body", "w") as f:
        f.write(body)
elif mode == "get":
    # get PATH [METHOD]: print "STATUS BODY".
    status, _, body = get(sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "GET")
    print(status, body.strip())
elif mode == "raw":
    # raw PYTHON-BYTES-LITERAL: print the status line of the answer ("" if none).
    out = raw(eval(sys.argv[3]))
    print(out.split(b"\r\n")[0].decode(errors="replace"))
elif mode == "slow":
    # A client that sends half a request and nothing more is closed
    # within the read deadline (5 s); print the seconds it took.
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.sendall(b"GET /metr")
    t = time.time()
    try:
        data = s.recv(100)
    except ConnectionResetError:
        data = b""
    print("%s %.1f" % ("closed" if data == b"" else "answered", time.time() - t))
elif mode == "flood":
    # 40 idle connections at once: at most 16 are kept, the rest are
    # closed at once; print how many were closed within a second.
    conns = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(40)]
    time.sleep(0.5)
    closed = 0
    for s in conns:
        s.settimeout(0.05)
        try:
            if s.recv(10) == b"":
                closed += 1
        except socket.timeout:
            pass
        except ConnectionResetError:
            closed += 1
    # While they are held, the page may be refused: that is the point.
    for s in conns:
        s.close()
    print(closed)
elif mode == "hold":
    # hold N: N connections with half a request each, held until the
    # node closes them (at most 10 s); print how many it closed.
    conns = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(int(sys.argv[3]))]
    for s in conns:
        s.sendall(b"GET /metrics HTTP/1.0\r\n")
    print("held", flush=True)
    closed = 0
    for s in conns:
        try:
            if s.recv(10) == b"":
                closed += 1
        except ConnectionResetError:
            closed += 1
        except socket.timeout:
            pass
    print(closed)
EOF
http() { python3 "$work/scrapetool.py" "$port" "$@"; }
# metric NAME{LABELS}: its value in the last scrape (0 when absent).
metric() { awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$work/scrape"; }
# ge A B: A >= B, as numbers.
ge() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)' "$1" "$2"; }

OW_ADMIN_PASSWORD=$ADMIN_PW "$NODE" init "$D" --node-id hall-mt --hall 测试大厅 \
  --hall-code MT01 >/dev/null 2>"$work/init.err" || { cat "$work/init.err"; exit 1; }

# ---- a non-loopback address is refused, before anything listens ------------
port=$(free_port)
"$NODE" run "$D" --set "metrics_listen=0.0.0.0:$port" >"$work/refused.out" 2>&1
rc=$?
check "metrics_listen=0.0.0.0: refused at start (exit $rc)" [ $rc -ne 0 ]
check "with a clear error" grep -q 'metrics.listen_refused.*not a loopback address' "$work/refused.out"
"$NODE" run "$D" --set "metrics_listen=192.168.1.10:$port" >"$work/refused.out" 2>&1
check "metrics_listen=192.168.1.10: refused at start" [ $? -ne 0 ]
printf 'metrics_listen = 0.0.0.0:%s\n' "$port" >"$work/bad.conf"
"$NODE" run "$D" --config "$work/bad.conf" >"$work/refused.out" 2>&1
check "in a configuration file: refused" [ $? -ne 0 ]
check "with the line and the reason" grep -q 'bad.conf:1.*not a loopback address' "$work/refused.out"
"$NODE" run "$D" --set "metrics_listen=localhost" >"$work/refused.out" 2>&1
check "no port: a bad value" [ $? -ne 0 ]

# ---- the node with metrics ---------------------------------------------------
port=$(free_port)
"$NODE" run "$D" --set "metrics_listen=127.0.0.1:$port" >"$LOG" 2>&1 &
pid=$!
for _ in $(seq 100); do
  grep -q 'event=node.ready' "$LOG" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
check "the node starts" grep -q 'event=node.ready' "$LOG"
check "and says where the metrics are" grep -q "event=metrics.listening addr=\"127.0.0.1:$port\"" "$LOG"

check "healthz: 200 ok" [ "$(http get /healthz)" = "200 ok" ]
check "the first scrape is valid" http scrape "$work/scrape"
base_status=$(metric 'ow_requests_total{type="status",status="CM_OK"}')

admin status >/dev/null
check "status works" [ $? -eq 0 ]
admin status >/dev/null
OW_NEW_PASSWORD=$CLERK_PW admin user add clerk1 --role clerk --display 张小明 >/dev/null
check "user add works" [ $? -eq 0 ]
admin user list >/dev/null
admin queue issue >/dev/null 2>&1 # ops may not issue tickets: denied
clerk queue issue >/dev/null
check "a ticket is issued" [ $? -eq 0 ]

check "the second scrape is valid" http scrape "$work/scrape"
check "status counted ($base_status -> $(metric 'ow_requests_total{type="status",status="CM_OK"}'))" \
  ge "$(metric 'ow_requests_total{type="status",status="CM_OK"}')" "$((${base_status%.*} + 2))"
check "user_add counted" ge "$(metric 'ow_requests_total{type="user_add",status="CM_OK"}')" 1
check "user_list counted" ge "$(metric 'ow_requests_total{type="user_list",status="CM_OK"}')" 1
check "login counted" ge "$(metric 'ow_requests_total{type="login",status="CM_OK"}')" 5
check "a denied request counted with its status" \
  ge "$(metric 'ow_requests_total{type="queue_issue",status="CM_EDENIED"}')" 1
check "latency of user_add timed" ge "$(metric 'ow_request_seconds_count{type="user_add"}')" 1
check "the ticket waits" [ "$(metric 'ow_queue_waiting{}')" = "1.0" ]
check "ops logged" ge "$(metric 'ow_ops_logged_total{}')" 1
check "batches synced" ge "$(metric 'ow_store_syncs_total{}')" 1
check "the ops in them" ge "$(metric 'ow_store_synced_ops_total{}')" 1
check "the replies that waited for them" ge "$(metric 'ow_store_synced_replies_total{}')" 1
check "the time they took" ge "$(metric 'ow_store_sync_seconds_total{}')" 0.000001
check "the vector has this hall" ge "$(metric 'ow_repl_vector{origin="hall-mt"}')" 1
check "store bytes" ge "$(metric 'ow_store_bytes{}')" 1
check "warning levels listed" grep -q '^ow_cases_by_warning{level="overdue"} ' "$work/scrape.body"
check "no user name on the page" bash -c "! grep -q -e clerk1 -e 张小明 -e admin '$work/scrape.body'"

# ---- bad clients -------------------------------------------------------------
check "404 for another path" [ "$(http get /nope)" = "404 not found" ]
check "405 for another method" [ "$(http get /metrics POST)" = "405 only GET is served" ]
check "400 for garbage" [ "$(http raw 'b"\x16\x03\x01garbage\r\n\r\n"')" = "HTTP/1.0 400 Bad Request" ]
check "400 for a request line without a version" [ "$(http raw 'b"GET /metrics\r\n\r\n"')" = "HTTP/1.0 400 Bad Request" ]
check "400 for a NUL in the request line" [ "$(http raw 'b"GET /met\x00rics HTTP/1.0\r\n\r\n"')" = "HTTP/1.0 400 Bad Request" ]
# Past 4 KiB the node answers 431 and closes; the client, still sending,
# may see the close (a reset) before the answer: either will do.
refused_big() { [ "$1" = "HTTP/1.0 431 Request Header Fields Too Large" ] || [ -z "$1" ]; }
big=$(http raw 'b"GET /metrics HTTP/1.0\r\nX: " + b"a" * 100000')
check "oversized headers are refused (${big:-closed})" refused_big "$big"
big=$(http raw 'b"GET /" + b"a" * 5000')
check "a request line over 4 KiB is refused (${big:-closed})" refused_big "$big"
check "a query string is ignored" [ "$(http get '/healthz?x=1')" = "200 ok" ]
slow=$(http slow)
check "a slow client is closed within the deadline ($slow)" \
  python3 -c 'import sys; w, s = sys.argv[1].split(); sys.exit(0 if w == "closed" and 4 <= float(s) <= 8 else 1)' "$slow"
closed=$(http flood)
check "40 connections at once: those past 16 are closed ($closed)" [ "${closed:-0}" -ge 20 ]
sleep 0.2
check "after the flood the page serves again" http scrape "$work/scrape"
check "and counts what it refused" ge "$(metric 'ow_metrics_refused_total{}')" 20
check "the node still serves requests" eval "admin status >/dev/null"
check "the node is alive" kill -0 "$pid"

# ---- stop ----------------------------------------------------------------------
# Connections in the middle of a request do not hold the stop off.
http hold 3 >"$work/hold" &
holder=$!
for _ in $(seq 100); do
  grep -q held "$work/hold" && break
  sleep 0.05
done
t0=$(date +%s%N)
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=""
ms=$((($(date +%s%N) - t0) / 1000000))
wait "$holder"
check "SIGTERM: exit 0 ($rc)" [ $rc -eq 0 ]
check "at once, with connections open (${ms} ms)" [ "$ms" -lt 3000 ]
check "which the node closed" [ "$(tail -n 1 "$work/hold")" = 3 ]
check "no sanitizer report" bash -c "! grep -qE 'Sanitizer|runtime error:' '$LOG'"
check "the metrics port is closed" bash -c "! python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $port), timeout=2)' 2>/dev/null"

# ---- two halls replicating: per-peer figures, replies made later -----------
# hall-mt (with metrics) and hall-pb pull from each other over mutual TLS.
CERTS=${OW_SRC_DIR:-}/scripts/make-certs
if [ -x "$CERTS" ] && command -v openssl >/dev/null; then
  # start_hall DIR LOG REPL-PORT HINTS-PORT NAME [--set K=V]...
  start_hall() {
    local dir=$1 log=$2 rp=$3 hp=$4 name=$5
    shift 5
    OW_METRICS_FIGS_MS=200 "$NODE" run "$dir" \
      --set "repl_listen=tls+tcp://127.0.0.1:$rp" --set "repl_hints=tls+tcp://127.0.0.1:$hp" \
      --set "tls_cert=$work/certs/$name.crt" --set "tls_key=$work/certs/$name.key" \
      --set "tls_ca=$work/certs/ca.crt" --set repl_pull_ms=500 "$@" >>"$log" 2>&1 &
    for _ in $(seq 100); do
      grep -q 'event=node.ready' "$log" && break
      sleep 0.05
    done
  }
  pk_of() { OW_PASSWORD=$ADMIN_PW "$CTL" -d "$1" --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["public_key"])'; }
  # until SECONDS CONDITION...: scrape until CONDITION holds.
  until_scraped() {
    local end=$((SECONDS + $1))
    shift
    while [ $SECONDS -le $end ]; do
      http scrape "$work/scrape" 2>/dev/null && "$@" && return 0
      sleep 0.3
    done
    return 1
  }
  "$CERTS" "$work/certs" hall-mt hall-pb >/dev/null 2>&1
  OW_ADMIN_PASSWORD=$ADMIN_PW "$NODE" init "$work/pb" --node-id hall-pb --hall 'Hall pb' \
    --hall-code PB01 >/dev/null 2>&1
  mt_r=$(free_port) mt_h=$(free_port) pb_r=$(free_port) pb_h=$(free_port)
  port=$(free_port)
  : >"$LOG"
  start_hall "$D" "$LOG" "$mt_r" "$mt_h" hall-mt --set "metrics_listen=127.0.0.1:$port"
  pid=$!
  start_hall "$work/pb" "$work/pb.log" "$pb_r" "$pb_h" hall-pb
  pb_pid=$!
  admin peer add hall-pb "tls+tcp://127.0.0.1:$pb_r" "$(pk_of "$work/pb")" >/dev/null
  check "peer add at hall-mt" [ $? -eq 0 ]
  OW_PASSWORD=$ADMIN_PW "$CTL" -d "$work/pb" peer add hall-mt "tls+tcp://127.0.0.1:$mt_r" \
    "$(pk_of "$D")" >/dev/null
  check "peer add at hall-pb" [ $? -eq 0 ]
  peer_seen() {
    [ "$(metric 'ow_repl_peer_up{peer="hall-pb"}')" = 1.0 ] &&
      [ "$(metric 'ow_repl_peer_connected{peer="hall-pb"}')" = 1.0 ] &&
      ge "$(metric 'ow_repl_peer_last_heard_seconds{peer="hall-pb"}')" 0 &&
      ge "$(metric 'ow_repl_vector{origin="hall-pb"}')" 1
  }
  check "the peer shows up, connected and heard of" until_scraped 20 peer_seen
  check "replication is on" [ "$(metric 'ow_repl_enabled{}')" = 1.0 ]
  check "behind and ahead are listed for it" \
    grep -q '^ow_repl_peer_behind_ops{peer="hall-pb"} [0-9]' "$work/scrape.body"
  check "ahead too" grep -q '^ow_repl_peer_ahead_ops{peer="hall-pb"} [0-9]' "$work/scrape.body"
  check "and how long it has lacked ops" grep -q '^ow_repl_peer_behind_seconds{peer="hall-pb"} [0-9]' "$work/scrape.body"
  # status replies after a worker job when replication runs: still timed.
  before=$(metric 'ow_request_seconds_count{type="status"}')
  admin status >/dev/null
  http scrape "$work/scrape"
  check "a reply made after a worker job is timed" \
    ge "$(metric 'ow_request_seconds_count{type="status"}')" "$(python3 -c "print($before + 1)")"
  # A case taken in at hall-pb arrives here, with its warning level.
  OW_NEW_PASSWORD=$CLERK_PW OW_PASSWORD=$ADMIN_PW "$CTL" -d "$work/pb" user add c1 --role clerk >/dev/null
  OW_PASSWORD=$CLERK_PW "$CTL" -d "$work/pb" -u c1 case create --matter GG00032001 \
    --applicant-id 440308199001010017 --applicant-name 张三 --field applicant_name=张三 \
    --field applicant_id=440308199001010017 --field applicant_mobile=13800138000 \
    --field 'applicant_address=深圳市福田区福华路1号' --field bank=icbc --field is_minor=no \
    --materials id_card >/dev/null 2>"$work/case.err"
  rc=$?
  check "a case is taken in at hall-pb ($(head -c 200 "$work/case.err"))" [ $rc -eq 0 ]
  case_counted() {
    local sum
    sum=$(awk '$1 ~ /^ow_cases_by_warning\{/ { s += $2 } END { print s + 0 }' "$work/scrape")
    ge "$sum" 1 && ge "$(metric 'ow_cases{}')" 1
  }
  check "it is counted here, by warning level" until_scraped 20 case_counted
  check "no conflicts" [ "$(metric 'ow_conflicts{}')" = 0.0 ]
  check "no ID number on the page" bash -c "! grep -q 440308 '$work/scrape.body'"
  kill -TERM "$pid" "$pb_pid"
  wait "$pid"
  rc=$?
  wait "$pb_pid"
  pid=""
  check "hall-mt stops cleanly ($rc)" [ $rc -eq 0 ]
  check "no sanitizer report" bash -c "! grep -qE 'Sanitizer|runtime error:' '$LOG' '$work/pb.log'"
else
  echo "SKIP: two halls (no scripts/make-certs or openssl)"
fi

if [ "$fail" -ne 0 ]; then
  echo "--- node log (last 30 lines)"
  tail -n 30 "$LOG"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
