#!/usr/bin/env bash
# Replication between real ow-node processes on loopback, over mutual TLS:
#
#   hall-a <-> hall-b <-> hall-c   (a and c reach each other only via b;
#                                   a's links to b pass ow-proxy, which
#                                   cuts them)
#
# A case taken in at a is continued at c; accounts replicate; two halls
# acting on one case while cut off get the same flagged case, listed as a
# conflict and settled by a supervisor; under load from clients that log
# every acknowledged case, links are cut and healed and halls are killed
# with SIGKILL and restarted: afterwards every acknowledged case is on
# every hall, the vectors and digests are equal and `peer verify` agrees.
# A client without a certificate, with one of another CA, or a hall of
# the city claiming another hall's id is refused, and the listener keeps
# serving.
#
#   repl_test.sh OW-NODE OW-CTL MAKE-CERTS OW-PROXY [ROUNDS]
set -u
NODE=${1:?usage: repl_test.sh OW-NODE OW-CTL MAKE-CERTS OW-PROXY [ROUNDS]}
CTL=${2:?}
CERTS=${3:?}
PROXY=${4:?}
ROUNDS=${5:-${OW_REPL_ROUNDS:-2}}
work=$(mktemp -d /tmp/ow-repl.XXXXXX)
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
proxies=()
load_pids=()
cleanup() {
  for p in "${load_pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${proxies[@]}"; do kill "$p" 2>/dev/null; done
  halls_cleanup
}
trap cleanup EXIT

# proxy NAME TARGET_PORT: an ow-proxy with a control fifo; sets PORT_<NAME>.
proxy() {
  local name=$1 target=$2
  mkfifo "$work/$name.in"
  "$PROXY" 0 "127.0.0.1:$target" <"$work/$name.in" >"$work/$name.out" 2>&1 &
  proxies+=($!)
  eval "exec {fd_$name}>\"$work/$name.in\""
  for _ in $(seq 50); do
    grep -q '^port ' "$work/$name.out" 2>/dev/null && break
    sleep 0.05
  done
  eval "PORT_$name=$(sed -n 's/^port //p' "$work/$name.out")"
}
say() { # say PROXY COMMAND
  local fd
  eval "fd=\$fd_$1"
  echo "$2" >&"$fd"
}

for h in hall-a:HA hall-b:HB hall-c:HC; do
  hall_init "${h%%:*}" "${h##*:}" || { echo "init failed"; exit 1; }
done
"$CERTS" "$work/other" rogue
for h in hall-a hall-b hall-c; do hall_start "$h"; done
proxy ab "${HALL_PORT[hall-b]}" # a pulls from b through it
proxy ba "${HALL_PORT[hall-a]}" # b pulls from a through it
peer hall-a hall-b "tls+tcp://127.0.0.1:$PORT_ab"
peer hall-b hall-a "tls+tcp://127.0.0.1:$PORT_ba"
peer hall-b hall-c
peer hall-c hall-b
peer hall-a hall-c -
peer hall-c hall-a -

echo "== accounts made at one hall are in force at all"
OW_NEW_PASSWORD=$USER_PW ctl hall-a user add c1 --role clerk --hall HA >/dev/null
OW_NEW_PASSWORD=$USER_PW ctl hall-c user add s1 --role supervisor --hall HC >/dev/null
check "the clerk of hall-a reaches hall-c" wait_for 20 as c1 hall-c status
check "the supervisor of hall-c reaches hall-a" wait_for 20 as s1 hall-a status

echo "== a calendar imported at one hall is in force at all"
# A made-up 2027 (the 2026 schedule moved a year on): only its replication
# is under test here.
sed 's/2026/2027/g' "$here/../../forms/calendar/2026.json" >"$work/2027.json"
check "hall-a imports 2027" ctl hall-a calendar import "$work/2027.json"
last_year() { [ "$(ctl "$1" --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["calendar_last_year"])')" = 2027 ]; }
check "hall-a's calendar reaches 2027" last_year hall-a
check "hall-c's calendar reaches 2027" wait_for 20 last_year hall-c
echo '{"format": "onewindow-calendar"' >"$work/bad.json"
check "a broken calendar file is refused" bash -c "! OW_PASSWORD=$ADMIN_PW '$CTL' -d '$work/hall-a' calendar import '$work/bad.json'"

echo "== a case taken in at hall-a is continued at hall-c (through hall-b)"
x1=$(create_case hall-a "$(citizen_id 1)")
check "created ($x1)" [ -n "$x1" ]
check "hall-c has it" wait_for 20 reader hall-c case get "$x1"
check "hall-c's history names hall-a" bash -c "OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-c' -u c1 case history '$x1' | grep -q 'hall-a#'"
check "hall-c starts the review" as c1 hall-c case act "$x1" start_review
in_review() { [ "$(case_field "$1" "$x1" state)" = in_review ]; }
check "hall-a sees it in review" wait_for 20 in_review hall-a
check "the same bytes everywhere: peer verify a-b" ctl hall-a peer verify hall-b
check "peer verify b-c" ctl hall-b peer verify hall-c

echo "== two halls act on one case while cut off"
x2=$(create_case hall-a "$(citizen_id 2)")
check "hall-c has the second case" wait_for 20 reader hall-c case get "$x2"
say ab cut
say ba cut
sleep 0.3
check "hall-a asks for a supplement" as c1 hall-a case act "$x2" request_supplement --reason "复印件不清晰"
check "hall-c starts the review" as c1 hall-c case act "$x2" start_review
sleep 0.5
check "still apart: hall-c does not know of the supplement" \
  [ "$(case_field hall-c "$x2" state)" = in_review ]
peers_down() { ctl hall-a --json peer list | python3 -c 'import json,sys; p=json.load(sys.stdin)["peers"]; sys.exit(0 if any(x["id"]=="hall-b" and not x["connected"] for x in p) else 1)'; }
check "hall-a's peer list shows hall-b cut" wait_for 10 peers_down
# hall-b lacks hall-a's supplement request, for longer and longer.
lacking() { ctl hall-a --json peer list | python3 -c 'import json,sys; p=[x for x in json.load(sys.stdin)["peers"] if x["id"]=="hall-b"][0]; sys.exit(0 if p["behind"]>=1 and p["behind_s"]>=1 else 1)'; }
check "hall-a: hall-b lacks an op for a second or more (behind_s)" wait_for 10 lacking
say ab pass
say ba pass
check "healed: the vectors meet" wait_for 30 same_vectors hall-a hall-b hall-c
caught_up() { ctl hall-a --json peer list | python3 -c 'import json,sys; p=[x for x in json.load(sys.stdin)["peers"] if x["id"]=="hall-b"][0]; sys.exit(0 if p["behind"]==0 and p["behind_s"]==0 else 1)'; }
check "hall-a: hall-b lacks nothing now (behind 0, behind_s 0)" wait_for 30 caught_up
for h in hall-a hall-b hall-c; do
  check "$h flags the case" [ "$(case_field "$h" "$x2" conflict)" = True ]
done
s_a=$(case_field hall-a "$x2" state)
check "one provisional state on every hall ($s_a)" \
  [ "$s_a" = "$(case_field hall-b "$x2" state)" -a "$s_a" = "$(case_field hall-c "$x2" state)" ]
check "conflicts list at hall-c names it" bash -c "OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-c' -u s1 conflicts list | grep -q '$x2'"
case $s_a in
  in_review) act=approve ;;
  supplement) act=supplement_received ;;
  *) act=start_review ;;
esac
check "the supervisor settles it at hall-a ($act)" as s1 hall-a conflicts resolve "$x2" "$act" --reason "两窗同时办理，以审查为准"
settled() { [ "$(case_field "$1" "$x2" conflict)" = False ]; }
check "settled at hall-c" wait_for 20 settled hall-c
check "settled at hall-b" wait_for 20 settled hall-b
check "no conflicts left at hall-c" bash -c "[ -z \"\$(OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-c' -u s1 conflicts list --json | python3 -c 'import json,sys; print(\"\".join(c[\"id\"] for c in json.load(sys.stdin)))')\" ]"

echo "== a final state on each side: settled by a resolve"
x5=$(create_case hall-a "$(citizen_id 5)")
check "in review" as c1 hall-a case act "$x5" start_review
review_at_c() { [ "$(case_field hall-c "$x5" state)" = in_review ]; }
check "hall-c sees the review" wait_for 20 review_at_c
say ab cut
say ba cut
sleep 0.3
check "hall-a approves" as s1 hall-a case act "$x5" approve
check "hall-a delivers" as c1 hall-a case act "$x5" deliver
check "hall-c withdraws at the applicant's request" as c1 hall-c case act "$x5" withdraw --reason "申请人撤回"
say ab pass
say ba pass
check "healed" wait_for 30 same_vectors hall-a hall-b hall-c
final_flag() { [ "$(case_field "$1" "$x5" conflict)" = True ]; }
check "hall-c flags it" final_flag hall-c
s5=$(case_field hall-c "$x5" state)
check "in one final provisional state everywhere ($s5)" [ "$s5" = "$(case_field hall-a "$x5" state)" ]
check "no transition leaves it: a clerk cannot resolve" bash -c "! OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-c' -u c1 conflicts resolve '$x5' withdrawn --reason x"
check "a resolve needs a reason" bash -c "! OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-c' -u s1 conflicts resolve '$x5' withdrawn"
check "the supervisor resolves it to withdrawn" as s1 hall-c conflicts resolve "$x5" withdrawn --reason "申请人已撤回，证件作废"
withdrawn_at() { [ "$(case_field "$1" "$x5" state)" = withdrawn ] && [ "$(case_field "$1" "$x5" conflict)" = False ]; }
check "withdrawn and settled at hall-a" wait_for 20 withdrawn_at hall-a
check "and at hall-b" wait_for 20 withdrawn_at hall-b
x6=$(create_case hall-a "$(citizen_id 6)")
check "a case that is not flagged cannot be resolved" bash -c "! OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-a' -u s1 conflicts resolve '$x6' withdrawn --reason x"

echo "== load while links are cut and halls are killed ($ROUNDS rounds)"
# load HALL N: create cases, logging each acknowledged id.
load() {
  local hall=$1 i=0
  while :; do
    i=$((i + 1))
    id=$(create_case "$hall" "$(citizen_id $((i + 100)))" 2>/dev/null) && [ -n "$id" ] &&
      echo "$id" >>"$work/acked.$hall"
    sleep 0.05
  done
}
: >"$work/acked.hall-a"
: >"$work/acked.hall-c"
load hall-a &
load_pids+=($!)
load hall-c &
load_pids+=($!)
for r in $(seq "$ROUNDS"); do
  sleep 1
  say ab cut
  sleep 1
  hall_kill hall-b
  sleep 0.5
  hall_start hall-b
  sleep 0.5
  say ab pass
  sleep 1
  hall_kill hall-a
  sleep 0.3
  hall_start hall-a
  sleep 1
  say ba drop 0.05
  sleep 1
  say ba pass
  hall_kill hall-c
  hall_start hall-c
done
sleep 1
for p in "${load_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
load_pids=()
acked=$(cat "$work"/acked.* | sort -u | wc -l)
dups=$(cat "$work"/acked.* | sort | uniq -d | wc -l)
echo "acknowledged cases: $acked"
check "the clients got cases acknowledged ($acked)" [ "$acked" -ge 10 ]
check "no case id given twice ($dups)" [ "$dups" -eq 0 ]
check "after the faults the vectors meet" wait_for 60 same_vectors hall-a hall-b hall-c ||
  for h in hall-a hall-b hall-c; do echo "$h: $(vector $h)"; ctl $h peer list; done
missing=0
for h in hall-a hall-b hall-c; do
  while read -r id; do
    reader "$h" case get "$id" >/dev/null 2>&1 || { missing=$((missing + 1)); echo "missing at $h: $id"; }
  done < <(cat "$work"/acked.*)
done
check "every acknowledged case is on every hall ($missing missing)" [ "$missing" -eq 0 ]
d_a=$(digest hall-a)
check "equal digests" [ -n "$d_a" -a "$d_a" = "$(digest hall-b)" -a "$d_a" = "$(digest hall-c)" ]
check "peer verify a-b" ctl hall-a peer verify hall-b
check "peer verify c-b" ctl hall-c peer verify hall-b
for h in hall-a hall-b hall-c; do
  check "$h: audit verify (signatures, chains)" ctl "$h" audit verify
done
count() { reader "$1" --json case search --by date --value "$(date +%F)" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
n_a=$(count hall-a)
check "the same number of cases on every hall ($n_a)" [ "$n_a" = "$(count hall-b)" -a "$n_a" = "$(count hall-c)" ]

echo "== an account disabled at one hall is disabled at all"
OW_NEW_PASSWORD=$USER_PW ctl hall-a user add c9 --role clerk --hall HA >/dev/null
check "the new clerk logs in at hall-c" wait_for 20 as c9 hall-c status
check "hall-a disables it" ctl hall-a user disable c9
refused_c9() { ! as c9 hall-c status >/dev/null 2>&1; }
check "it cannot log in at hall-c any more" wait_for 20 refused_c9

echo "== a peer removed and added again"
check "hall-c removes hall-b" ctl hall-c peer remove hall-b
check "hall-c's peer list lacks it" bash -c "! OW_PASSWORD=$ADMIN_PW '$CTL' -d '$work/hall-c' peer list | grep -q '^hall-b '"
hall_stop hall-c
hall_start hall-c
check "after a restart hall-c still checks hall-b's ops (audit verify)" ctl hall-c audit verify
check "the same key again is taken" ctl hall-c peer add hall-b "tls+tcp://127.0.0.1:${HALL_PORT[hall-b]}" "${HALL_PK[hall-b]}"
check "another key for hall-b is refused" bash -c "! OW_PASSWORD=$ADMIN_PW '$CTL' -d '$work/hall-c' peer add hall-b tls+tcp://127.0.0.1:1 ${HALL_PK[hall-a]}"
x4=$(create_case hall-a "$(citizen_id 4)")
check "hall-c gets new cases again" wait_for 20 reader hall-c case get "$x4"

echo "== TLS and ids: refused, and the listener keeps serving"
port_b=${HALL_PORT[hall-b]}
tls_try() { # tls_try CERT KEY: 0 if a TLS session with hall-b's listener comes up
  local args=(-connect "127.0.0.1:$port_b" -CAfile "$work/certs/ca.crt" -verify_return_error)
  [ -n "$1" ] && args+=(-cert "$1" -key "$2")
  echo | timeout 5 openssl s_client "${args[@]}" >"$work/s_client.out" 2>&1 &&
    grep -q "Verify return code: 0" "$work/s_client.out" &&
    ! grep -qi "alert" "$work/s_client.out"
}
"$CERTS" "$work/certs" tester
check "a city certificate gets a TLS session" tls_try "$work/certs/tester.crt" "$work/certs/tester.key"
tls_try "" ""
rc=$?
check "no client certificate: refused" [ $rc -ne 0 ]
tls_try "$work/other/rogue.crt" "$work/other/rogue.key"
rc=$?
check "a certificate of another CA: refused" [ $rc -ne 0 ]
# A hall of the city (good certificate) that claims to be hall-a.
"$CERTS" "$work/certs" hall-x
OW_ADMIN_PASSWORD=$ADMIN_PW "$NODE" init "$work/hall-x" --node-id hall-a --hall "Impostor" --hall-code HX >/dev/null
HALL_PORT[hall-x]=$(free_pair)
hall_start hall-x
ctl hall-x peer add hall-b "tls+tcp://127.0.0.1:$port_b" "${HALL_PK[hall-b]}" >/dev/null
refused_proof() { grep -q "repl.refused.peer reason=proof" "$work/hall-b.log"; }
check "hall-b refuses the impostor's proof" wait_for 10 refused_proof
got_b() { ctl hall-x --json status | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["version"].get("hall-b",0)>0 else 1)'; }
got_b
check "the impostor got no ops from hall-b" [ $? -ne 0 ]
hall_stop hall-x
x3=$(create_case hall-a "$(citizen_id 3)")
check "after all that, hall-b still takes hall-a's ops" wait_for 20 reader hall-b case get "$x3"
check "and hall-c" wait_for 20 reader hall-c case get "$x3"
for h in hall-a hall-b hall-c; do hall_stop "$h"; done
check "no hall crashed or leaked (sanitizers)" bash -c "! grep -l 'Sanitizer\|runtime error' $work/*.log"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
