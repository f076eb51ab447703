#!/usr/bin/env bash
# A batch reassignment and a conflict across two halls with the real
# desk: halls FT01
# and NS01 replicate over mutual TLS (as in scripts/demo-cluster); the
# supervisor at FT01 marks two overdue cases on the supervision screen
# and moves them to clerk2 of NS01 with a reason and a handover note; the
# desk of clerk2 at NS01 shows them arrive in "My open cases", and NS01's
# history of each says who moved it and why; clerk2 takes one over. Then
# the two halls act on one case while cut off, and the supervisor at FT01
# sees both branches side by side and settles it.
#
# usage: desk_halls_test.sh OW_DESK OW_NODE OW_CTL MAKE_CERTS
set -u
DESK=${1:?usage: desk_halls_test.sh OW_DESK OW_NODE OW_CTL MAKE_CERTS}
NODE=${2:?}
CTL=${3:?}
CERTS=${4:?}
. "$(dirname "$0")/lib.sh"
EARLY=2026-11-02
DAY=2026-11-16
declare -A PORT PID PK
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
hstart() { # hstart NAME DAY
  OW_TODAY=$2 "$NODE" run "$tmp/$1" --set tick_seconds=1 \
    --set "repl_listen=tls+tcp://127.0.0.1:${PORT[$1]}" \
    --set "repl_hints=tls+tcp://127.0.0.1:${PORT[$1-h]}" \
    --set "tls_cert=$tmp/certs/$1.crt" --set "tls_key=$tmp/certs/$1.key" \
    --set "tls_ca=$tmp/certs/ca.crt" --set repl_pull_ms=300 2>>"$tmp/$1.log" &
  PID[$1]=$!
  for _ in $(seq 100); do
    OW_PASSWORD=admin-pass-1 "$CTL" -d "$tmp/$1" status >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "hall $1 did not start"; cat "$tmp/$1.log"; exit 1
}
hstop() { kill -TERM "${PID[$1]}" 2>/dev/null; wait "${PID[$1]}" 2>/dev/null; PID[$1]=""; }
as() { # as HALL USER PASSWORD ARGS...
  local h=$1 u=$2 p=$3
  shift 3
  OW_PASSWORD=$p "$CTL" -d "$tmp/$h" -u "$u" "$@"
}
trap 'tmux -L "$sock" kill-server 2>/dev/null; for h in ft ns; do [ -n "${PID[$h]:-}" ] && hstop $h; done; rm -rf "$tmp"' EXIT

for h in ft ns; do
  "$CERTS" "$tmp/certs" "$h" >/dev/null || exit 1
  PORT[$h]=$(port)
  PORT[$h-h]=$(port)
done
OW_ADMIN_PASSWORD=admin-pass-1 "$NODE" init "$tmp/ft" --node-id ft --hall 福田区政务服务大厅 --hall-code FT01 >/dev/null || exit 1
OW_ADMIN_PASSWORD=admin-pass-1 "$NODE" init "$tmp/ns" --node-id ns --hall 南山区政务服务大厅 --hall-code NS01 >/dev/null || exit 1
hstart ft $EARLY
hstart ns $DAY
for h in ft ns; do
  PK[$h]=$(as $h admin admin-pass-1 --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["public_key"])')
done
as ft admin admin-pass-1 peer add ns "tls+tcp://127.0.0.1:${PORT[ns]}" "${PK[ns]}" >/dev/null || exit 1
as ns admin admin-pass-1 peer add ft "tls+tcp://127.0.0.1:${PORT[ft]}" "${PK[ft]}" >/dev/null || exit 1
OW_NEW_PASSWORD=clerk-pass-1 as ft admin admin-pass-1 user add clerk1 --role clerk >/dev/null || exit 1
OW_NEW_PASSWORD=super-pass-1 as ft admin admin-pass-1 user add sup1 --role supervisor >/dev/null || exit 1
OW_NEW_PASSWORD=clerk-pass-2 as ft admin admin-pass-1 user add clerk2 --role clerk --hall NS01 >/dev/null || exit 1
F=(--matter XK00013001 --applicant-id 91430111MA4L41YT1U --applicant-name 深圳市某某餐饮有限公司
   --enterprise --field org_name=深圳市某某餐饮有限公司 --field org_uscc=91430111MA4L41YT1U
   --field org_legal_rep=王芳 --field org_address=深圳市福田区福华路1号
   --field business_kind=catering --field business_items=热食类食品制售
   --field premises_region=440304 --field premises_address=深圳市福田区福华路1号
   --field premises_area=120 --field safety_manager=李四
   --field safety_manager_mobile=13800138000 --field handled_by=self
   --materials application_form,business_licence,layout_docs,safety_rules)
C1=$(as ft clerk1 clerk-pass-1 case create "${F[@]}" | head -n 1)
C2=$(as ft clerk1 clerk-pass-1 case create "${F[@]}" | head -n 1)
hstop ft
hstart ft $DAY
check "two cases at FT01" [ -n "$C1" ] && [ -n "$C2" ]
arrived() { as ns clerk2 clerk-pass-2 case get "$1" >/dev/null 2>&1; }
for _ in $(seq 100); do arrived "$C2" && break; sleep 0.1; done
check "the cases and clerk2's account reached NS01" arrived "$C2"
for _ in $(seq 50); do
  [ "$(as ft sup1 super-pass-1 --json case search --by warning --value 3 | grep -c '"id"')" -ge 2 ] && break
  sleep 0.1
done

# clerk2's desk at NS01: nothing yet.
start_desk ns OW_TODAY=$DAY -- -d "$tmp/ns" --window 2 -u clerk2
check "clerk2 logs in at NS01" poll ns "User name:"
text ns clerk-pass-2
keys ns Enter
check "clerk2's home" poll ns "My open cases"
check "no case of clerk2's yet" poll ns "No open cases are assigned to you."

# The supervisor at FT01 moves both.
start_desk ft OW_TODAY=$DAY -- -d "$tmp/ft" --window 1 -u sup1
check "sup1 logs in at FT01" poll ft "User name:"
text ft super-pass-1
keys ft Enter
check "sup1's home" poll ft "My open cases"
keys ft F7
check "the deadline list has both overdue cases" poll_re ft "overdue +$C2 "
keys ft Home
keys ft Space
keys ft Space
check "two marked" poll ft "(2 marked)"
keys ft F4
check "the hall" poll ft "2 cases. The hall code"
text ft NS01
keys ft Enter
check "the clerk" poll ft "User name (empty"
text ft clerk2
keys ft Enter
check "the reason" poll ft "Why (kept in the case's history)"
text ft 福田窗口超负荷，转南山办理
keys ft Enter
check "the handover note" poll ft "For the receiving clerk"
text ft 材料齐全，请尽快审查
keys ft Enter
check "both moved" poll ft "2 cases reassigned to NS01."

# They arrive at clerk2's desk at NS01, by replication and node events.
# In "My open cases", marked new (both ids are in the warnings list
# below it already: the cases themselves replicated before the move).
check "clerk2 sees the first arrive, marked new" poll_re ns "new +$C1" 20
check "and the second" poll_re ns "new +$C2" 20
check "NS01's history: who moved it, where to" bash -c \
  "OW_PASSWORD=clerk-pass-2 '$CTL' -d '$tmp/ns' -u clerk2 case history '$C1' | grep sup1 | grep -q -- '-> NS01 clerk2'"
check "NS01 has it in clerk2's hands" bash -c \
  "OW_PASSWORD=clerk-pass-2 '$CTL' -d '$tmp/ns' -u clerk2 --json case get '$C2' | python3 -c 'import json,sys; c=json.load(sys.stdin)[\"case\"]; sys.exit(0 if (c[\"hall\"],c[\"assignee\"])==(\"NS01\",\"clerk2\") else 1)'"
check "the list at NS01 is no longer empty" poll_gone ns "No open cases are assigned to you."

# clerk2 opens the first and takes it over; the supervisor's side sees who.
last_session=ns
keys ns Home
keys ns Enter
check "the case opens at NS01" poll ns "Case $C1"
keys ns PgDn PgDn
check "it says it was moved to clerk2" poll ns "Moved to you: F3 takes it over"
keys ns F3
check "taken over" poll ns "Taken over by: clerk2"
keys ns Escape
check "back in the list" poll ns "$C1"
check "no longer new there" poll_re_gone ns "new +$C1"
check "FT01 learns who took it" bash -c "for _ in \$(seq 100); do OW_PASSWORD=super-pass-1 '$CTL' -d '$tmp/ft' -u sup1 --json case get '$C1' | grep -q '\"acknowledged_by\": \"clerk2\"' && exit 0; sleep 0.1; done; exit 1"
keys ft F10
keys ns F10
poll ft "DESK-EXIT" 10 >/dev/null
poll ns "DESK-EXIT" 10 >/dev/null

# The WAN is down: FT01 asks for a supplement on C1 while NS01, not
# knowing, starts its review. Back together, both flag the case; the
# supervisor at FT01 sees both branches side by side and settles it.
hstop ns
check "FT01 asks for a supplement" bash -c \
  "OW_PASSWORD=clerk-pass-1 '$CTL' -d '$tmp/ft' -u clerk1 case act '$C1' request_supplement --reason 复印件不清晰 >/dev/null"
hstop ft
hstart ns $DAY
check "NS01 starts the review" bash -c \
  "OW_PASSWORD=clerk-pass-2 '$CTL' -d '$tmp/ns' -u clerk2 case act '$C1' start_review >/dev/null"
hstart ft $DAY
flagged() { # flagged HALL USER PASSWORD
  OW_PASSWORD=$3 "$CTL" -d "$tmp/$1" -u "$2" --json case get "$C1" 2>/dev/null |
    python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["case"]["conflict"] else 1)'
}
for _ in $(seq 150); do flagged ft sup1 super-pass-1 && flagged ns clerk2 clerk-pass-2 && break; sleep 0.1; done
check "both halls flag the case" flagged ft sup1 super-pass-1
start_desk ft2 OW_TODAY=$DAY -- -d "$tmp/ft" --window 1 -u sup1
check "sup1 again at FT01" poll ft2 "User name:"
text ft2 super-pass-1
keys ft2 Enter
check "home" poll ft2 "My open cases"
keys ft2 F7
check "FT01 has no conflict of its own" poll ft2 "Conflicts waiting 0"
keys ft2 F6
text ft2 NS01
keys ft2 Enter
check "F6: NS01's dashboard counts the case" poll ft2 "Supervision: hall NS01"
check "one conflict waiting there" poll ft2 "Conflicts waiting 1"
keys ft2 Escape
keys ft2 /
check "search" poll ft2 "Search cases"
text ft2 "$C1"
keys ft2 Enter
check "found" poll_re ft2 "> $C1"
keys ft2 Enter
check "the flagged case" poll ft2 "(concurrent changes to settle)"
check "the branches side by side" poll ft2 "Concurrent changes: what each hall did"
check "FT01's column and NS01's" poll_re ft2 "\\[ft\\] +\\[ns\\]"
check "FT01's supplement request" poll ft2 "request_supplement: accepted -> supplement"
check "NS01's review beside FT01's column" poll_re ft2 "-> NS01 clerk2 \\(sup1\\) +start_review: accepted -> in_review \\(clerk2\\)"
keys ft2 F9
check "F9: settle first" poll ft2 "Settle the concurrent changes"
keys ft2 Enter
check "in which state" poll ft2 "Settle in which state?"
keys ft2 Down Down Down Down
keys ft2 Enter
check "why" poll ft2 "Why this state"
text ft2 两窗同时办理，以审查为准
keys ft2 Enter
check "settled" poll_gone ft2 "(concurrent changes to settle)"
check "in review" poll ft2 "under review"
settled_ns() {
  OW_PASSWORD=clerk-pass-2 "$CTL" -d "$tmp/ns" -u clerk2 --json case get "$C1" 2>/dev/null |
    python3 -c 'import json,sys; c=json.load(sys.stdin)["case"]; sys.exit(0 if not c["conflict"] and c["state"]=="in_review" else 1)'
}
for _ in $(seq 150); do settled_ns && break; sleep 0.1; done
check "NS01 has it settled too, in review" settled_ns
keys ft2 F10

# The ops screen at FT01: its certificate and its peer NS01, up.
start_desk ops OW_TODAY=$DAY -- -d "$tmp/ft" --window 9 -u admin
check "admin logs in" poll ops "User name:"
text ops admin-pass-1
keys ops Enter
check "admin's home" poll ops "My open cases"
keys ops F8
check "the ops screen" poll ops "Operations: this node and its peers"
check "the certificate's end" poll_re ops "Certificate: runs out on [0-9]{4}-[0-9]{2}-[0-9]{2} \\(in [0-9]+ days\\)"
check "replication on" poll ops "Replication: tls+tcp://127.0.0.1:${PORT[ft]}"
check "NS01's node, up, nothing behind" poll_re ops "ns +up +0 +0 +0 +[0-9]+ +-"
keys ops F10
finish desk_halls
