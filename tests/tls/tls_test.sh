#!/usr/bin/env bash
# Mutual TLS between ow-ctl and ow-node (tls+tcp on loopback): a client with
# a certificate of the city CA gets in; one without a certificate, or with
# one of another CA, does not. With a CA of their own for halls
# (repl_tls_ca), a desk's certificate gets no session on the replication
# listener, while desks still get in at theirs.
set -u
NODE=${1:?usage: tls_test.sh OW-NODE OW-CTL MAKE-CERTS}
CTL=${2:?}
CERTS=${3:?}
export LC_ALL=C.UTF-8
work=$(mktemp -d /tmp/ow-tls.XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
pass=0
fail=0
check() {
  local name=$1
  shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}

"$CERTS" "$work/city" hall-ft desk1
"$CERTS" "$work/other" rogue
OW_ADMIN_PASSWORD=admin-pass-1 "$NODE" init "$work/d" --node-id hall-ft --hall 测试大厅 --hall-code FT01 >/dev/null
# A free port on loopback, from the kernel.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 17301)
"$NODE" run "$work/d" --set "listen_tls=tls+tcp://127.0.0.1:$port" \
  --set "tls_cert=$work/city/hall-ft.crt" --set "tls_key=$work/city/hall-ft.key" \
  --set "tls_ca=$work/city/ca.crt" 2>"$work/node.log" &
pid=$!
export OW_PASSWORD=admin-pass-1 OW_TIMEOUT_MS=3000
url="tls+tcp://127.0.0.1:$port"
ok=1
for _ in $(seq 50); do
  if "$CTL" -n "$url" --cert "$work/city/desk1.crt" --key "$work/city/desk1.key" \
      --ca "$work/city/ca.crt" status >"$work/out" 2>&1; then ok=0; break; fi
  sleep 0.1
done
check "a desk certificate of the city CA gets in" [ $ok -eq 0 ]
check "and sees the node" grep -q "hall-ft" "$work/out"
"$CTL" -n "$url" --ca "$work/city/ca.crt" status >/dev/null 2>&1
rc=$?
check "no client certificate: refused (exit 3, $rc)" [ $rc -eq 3 ]
"$CTL" -n "$url" --cert "$work/other/rogue.crt" --key "$work/other/rogue.key" \
  --ca "$work/city/ca.crt" status >/dev/null 2>&1
rc=$?
check "a certificate of another CA: refused (exit 3, $rc)" [ $rc -eq 3 ]
"$CTL" -d "$work/d" status >/dev/null 2>&1
check "the local socket still serves" [ $? -eq 0 ]
kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
pid=""

# Halls with a CA of their own (repl_tls_ca): desks keep the city CA on
# the desk listener, and a desk's certificate gets no TLS session on the
# replication listener.
"$CERTS" "$work/halls" hall-ns hall-lh
OW_ADMIN_PASSWORD=admin-pass-1 "$NODE" init "$work/ns" --node-id hall-ns --hall 南山 --hall-code NS01 >/dev/null
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 17401)
"$NODE" run "$work/ns" --set "listen_tls=tls+tcp://127.0.0.1:$port" \
  --set "repl_listen=tls+tcp://127.0.0.1:$rport" \
  --set "tls_cert=$work/halls/hall-ns.crt" --set "tls_key=$work/halls/hall-ns.key" \
  --set "tls_ca=$work/city/ca.crt" --set "repl_tls_ca=$work/halls/ca.crt" \
  2>"$work/ns.log" &
pid=$!
ok=1
for _ in $(seq 50); do
  if "$CTL" -n "$url" --cert "$work/city/desk1.crt" --key "$work/city/desk1.key" \
      --ca "$work/halls/ca.crt" status >"$work/out" 2>&1; then ok=0; break; fi
  sleep 0.1
done
check "with repl_tls_ca, a desk of the city CA still gets in at the desk listener" [ $ok -eq 0 ]
repl_tls() { # repl_tls CERT KEY: 0 if a TLS session with the replication listener comes up
  echo | timeout 5 openssl s_client -connect "127.0.0.1:$rport" -CAfile "$work/halls/ca.crt" \
    -verify_return_error -cert "$1" -key "$2" >"$work/s_client.out" 2>&1 &&
    grep -q "Verify return code: 0" "$work/s_client.out" &&
    ! grep -qi "alert" "$work/s_client.out"
}
check "a hall's certificate gets a session at the replication listener" repl_tls "$work/halls/hall-lh.crt" "$work/halls/hall-lh.key"
repl_tls "$work/city/desk1.crt" "$work/city/desk1.key"
rc=$?
check "a desk's certificate (city CA) gets none there" [ $rc -ne 0 ]
check "and the replication listener keeps serving halls" repl_tls "$work/halls/hall-lh.crt" "$work/halls/hall-lh.key"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
