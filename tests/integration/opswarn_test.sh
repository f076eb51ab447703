#!/usr/bin/env bash
# Warnings for ops (issue 6) from a real node, and the log level changed
# by SIGHUP without a restart: the next year's calendar
# missing after 1 November (gone once it is imported),
# a TLS certificate expiring within 30 days, and the node logs each once.
#
#   opswarn_test.sh OW-NODE OW-CTL MAKE-CERTS
set -u
NODE=${1:?usage: opswarn_test.sh OW-NODE OW-CTL MAKE-CERTS}
CTL=${2:?}
CERTS=${3:?}
export LC_ALL=C.UTF-8
work=$(mktemp -d /tmp/ow-opswarn.XXXXXX)
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
"$CERTS" "$work/c" hall-x >/dev/null
# A certificate of the city CA that runs out in 5 days.
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/c/short.key" \
  -out "$work/c/short.csr" -subj "/CN=hall-x" 2>/dev/null
openssl x509 -req -in "$work/c/short.csr" -CA "$work/c/ca.crt" -CAkey "$work/c/ca.key" \
  -CAcreateserial -out "$work/c/short.crt" -days 5 2>/dev/null
OW_ADMIN_PASSWORD=admin-pass-1 "$NODE" init "$work/d" --node-id hall-x --hall X --hall-code HX >/dev/null
export OW_PASSWORD=admin-pass-1
start() { # start TODAY CERT
  OW_TODAY=$1 "$NODE" run "$work/d" --set "tls_cert=$work/c/$2.crt" --set "tls_key=$work/c/$2.key" \
    --set "tls_ca=$work/c/ca.crt" >>"$work/node.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do "$CTL" -d "$work/d" status >/dev/null 2>&1 && return; sleep 0.05; done
}
stop() { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""; }
warnings() { "$CTL" -d "$work/d" --json status | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["warnings"]))'; }

start 2026-11-27 short
w=$(warnings)
check "late November without 2027: the calendar warning" grep -q "^calendar_next_year_missing: the calendar ends with 2026" <<<"$w"
check "the certificate expiring in 5 days" grep -q "^certificate_expiring: tls_cert" <<<"$w"
end=$(date -u -d "$(openssl x509 -enddate -noout -in "$work/c/short.crt" | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)
check "status gives the certificate's end ($end)" bash -c "'$CTL' -d '$work/d' --json status | grep -q '\"cert_expires\": \"$end\"'"
check "status shows them as lines too" bash -c "'$CTL' -d '$work/d' status | grep -q '^Warning: *certificate_expiring'"
sed 's/2026/2027/g' "${OW_SRC_DIR:-$(dirname "$0")/../..}/forms/calendar/2026.json" >"$work/2027.json"
logged() { grep -q 'event=ops.warning what="certificate_expiring' "$work/node.log"; }
waited() { for _ in $(seq 100); do logged && return 0; sleep 0.1; done; return 1; }
check "the node logs it (a tick after the start)" waited
check "importing 2027" "$CTL" -d "$work/d" calendar import "$work/2027.json" >/dev/null
check "clears the calendar warning" bash -c "! '$CTL' -d '$work/d' --json status | grep -q calendar_next_year_missing"
stop
start 2026-11-27 hall-x
check "a certificate valid for years: no warning at all" [ -z "$(warnings)" ]
stop
# The log level follows the configuration file on SIGHUP (systemctl
# reload), without a restart.
printf 'log_level = warn\n' >"$work/node.conf"
"$NODE" run "$work/d" --config "$work/node.conf" >>"$work/node2.log" 2>&1 &
pid=$!
for _ in $(seq 100); do "$CTL" -d "$work/d" status >/dev/null 2>&1 && break; sleep 0.05; done
check "at warn, logins are not logged" bash -c "! grep -q 'event=auth.login' '$work/node2.log'"
printf 'log_level = info\n' >"$work/node.conf"
kill -HUP "$pid"
level_info() { grep -q 'event=node.log_level level=info' "$work/node2.log"; }
waited_info() { for _ in $(seq 50); do level_info && return 0; sleep 0.1; done; return 1; }
check "SIGHUP: the new level is in force" waited_info
"$CTL" -d "$work/d" status >/dev/null
check "and logins are logged now" grep -q 'event=auth.login' "$work/node2.log"
printf 'log_level = loud\n' >"$work/node.conf"
kill -HUP "$pid"
sleep 0.3
check "a file that does not parse changes nothing, the node goes on" bash -c "'$CTL' -d '$work/d' status >/dev/null"
stop
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
