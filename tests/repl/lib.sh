# tests/repl/lib.sh: real ow-node halls replicating on this machine, for
# the replication tests and benchmarks. Source it after setting NODE, CTL,
# CERTS (scripts/make-certs) and PROXY (ow-proxy, optional), and `work`
# (a temp directory). Every hall gets its data directory, certificate,
# replication and hint ports on loopback, and a log in $work.
export LC_ALL=C.UTF-8
ADMIN_PW=admin-pass-1
USER_PW=clerk-pass-1
declare -A HALL_PORT HALL_PID HALL_PK

pass=0
fail=0
check() {
  local name=$1
  shift
  if "$@" >"$work/check.out" 2>&1; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name"
    tail -n 5 "$work/check.out"
    return 1
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Two free ports in a row (replication, hints).
free_pair() {
  local p
  for _ in $(seq 50); do
    p=$(free_port)
    if python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1',$p+1))" 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# hall_init NAME CODE: a data directory and a certificate for hall NAME.
hall_init() {
  local name=$1 code=$2
  "$CERTS" "$work/certs" "$name"
  OW_ADMIN_PASSWORD=$ADMIN_PW "$NODE" init "$work/$name" --node-id "$name" \
    --hall "Hall $name" --hall-code "$code" >/dev/null || return 1
  HALL_PORT[$name]=$(free_pair)
}

# hall_start NAME [--set K=V]...: run it (replication on its two ports).
hall_start() {
  local name=$1 port=${HALL_PORT[$1]}
  shift
  "$NODE" run "$work/$name" \
    --set "repl_listen=tls+tcp://127.0.0.1:$port" \
    --set "repl_hints=tls+tcp://127.0.0.1:$((port + 1))" \
    --set "tls_cert=$work/certs/$name.crt" --set "tls_key=$work/certs/$name.key" \
    --set "tls_ca=$work/certs/ca.crt" --set repl_pull_ms=${PULL_MS:-1000} \
    "$@" >>"$work/$name.log" 2>&1 &
  HALL_PID[$name]=$!
  for _ in $(seq 100); do
    [ -S "$work/$name/node.sock" ] && ctl "$name" status >/dev/null 2>&1 && break
    sleep 0.05
  done
  HALL_PK[$name]=$(ctl "$name" --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["public_key"])')
}

# halls_cleanup: stop every hall; on a failure print the end of each log
# (unless KEEP is set, which keeps $work instead). For `trap ... EXIT`.
halls_cleanup() {
  for h in "${!HALL_PID[@]}"; do hall_stop "$h"; done
  wait 2>/dev/null
  if [ "${fail:-1}" -ne 0 ] && [ -z "${KEEP:-}" ]; then
    for f in "$work"/*.log; do echo "== $f"; grep -v "auth.log" "$f" | tail -n 25; done
  fi
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}

hall_stop() {
  local pid=${HALL_PID[$1]:-}
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  HALL_PID[$1]=""
}

hall_kill() {
  local pid=${HALL_PID[$1]:-}
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  HALL_PID[$1]=""
}

ctl() {
  local name=$1
  shift
  OW_PASSWORD=$ADMIN_PW "$CTL" -d "$work/$name" "$@"
}

# as USER HALL ARGS...: ow-ctl as a user of the city.
as() {
  local user=$1 name=$2
  shift 2
  OW_PASSWORD=$USER_PW "$CTL" -d "$work/$name" -u "$user" "$@"
}

# peer A B [URL]: A pulls from B (at URL, default B's own port; "-": B is
# known but reached through others).
peer() {
  local a=$1 b=$2 url=${3:-tls+tcp://127.0.0.1:${HALL_PORT[$2]}}
  ctl "$a" peer add "$b" "$url" "${HALL_PK[$b]}" >/dev/null
}

# wait_for SECONDS CMD...: poll until CMD succeeds.
wait_for() {
  local t=$1
  shift
  local end=$((SECONDS + t))
  while [ $SECONDS -le $end ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# reader HALL ARGS...: ow-ctl as the clerk c1 (ops may not read cases).
reader() {
  as c1 "$@"
}

# case_field HALL CASE KEY: a top-level field of the case (case get --json).
case_field() {
  reader "$1" --json case get "$2" 2>/dev/null |
    python3 -c "import json,sys; print(json.load(sys.stdin)['case'].get('$3',''))"
}

# The vector of a hall as one line (origin:seq,...).
vector() {
  ctl "$1" --json status | python3 -c 'import json,sys; v=json.load(sys.stdin)["version"]; print(",".join("%s:%d"%(k,v[k]) for k in sorted(v)))'
}

same_vectors() {
  local first
  first=$(vector "$1") || return 1
  shift
  for h in "$@"; do
    [ "$(vector "$h")" = "$first" ] || return 1
  done
}

digest() {
  ctl "$1" --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["digest"])'
}

# A social security card case at HALL for ID; prints the case id.
create_case() {
  local hall=$1 id=$2 user=${3:-c1}
  as "$user" "$hall" --json case create --matter GG00032001 --applicant-id "$id" \
    --applicant-name 张三 --field applicant_name=张三 --field "applicant_id=$id" \
    --field applicant_mobile=13800138000 --field 'applicant_address=深圳市福田区福华路1号' \
    --field bank=icbc --field is_minor=no --materials id_card |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

# A valid citizen ID number for sequence number N (checksum computed).
citizen_id() {
  python3 - "$1" <<'EOF'
import sys
n = int(sys.argv[1])
body = "44030819900101" + "%03d" % (n % 1000)
w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
c = "10X98765432"[sum(int(a) * b for a, b in zip(body, w)) % 11]
print(body + c)
EOF
}
