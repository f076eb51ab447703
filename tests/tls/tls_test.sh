#!/usr/bin/env bash
# Mutual TLS between ow-ctl and ow-node (tls+tcp on loopback): a client with
# a certificate of the city CA gets in; one without a certificate, or with
# one of another CA, does not.
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
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
