#!/usr/bin/env bash
# End-to-end tests of the supervisor's and ops' screens with the real
# ow-desk against a real ow-node, in tmux (helpers in lib.sh): the
# dashboard (open cases, overdue ones, each clerk's load), the deadline
# list, two cases marked and moved at once to a clerk of another hall with
# a reason and a handover note (checked in the node's history), an
# extension from the case view, the reports table, the ops screen, and a
# clerk kept out of the dashboard.
#
# usage: desk_super_test.sh OW_DESK OW_NODE OW_CTL
set -u
DESK=${1:?usage: desk_super_test.sh OW_DESK OW_NODE OW_CTL}
NODE=${2:?usage: desk_super_test.sh OW_DESK OW_NODE OW_CTL}
CTL=${3:?usage: desk_super_test.sh OW_DESK OW_NODE OW_CTL}
. "$(dirname "$0")/lib.sh"
EARLY=2026-11-02 # a Monday: cases from then are overdue on DAY
LATE=2026-11-13
DAY=2026-11-16

OW_ADMIN_PASSWORD=admin-pass-1 "$NODE" init "$hall" --node-id hall-ft \
  --hall 福田区政务服务大厅 --hall-code FT01 >/dev/null || exit 1
admin() { OW_PASSWORD=admin-pass-1 "$CTL" -d "$hall" "$@"; }
sup() { OW_PASSWORD=super-pass-1 "$CTL" -d "$hall" -u sup1 "$@"; }
F=(--field org_name=深圳市某某餐饮有限公司 --field org_uscc=91430111MA4L41YT1U
   --field org_legal_rep=王芳 --field org_address=深圳市福田区福华路1号
   --field business_kind=catering --field business_items=热食类食品制售
   --field premises_region=440304 --field premises_address=深圳市福田区福华路1号
   --field premises_area=120 --field safety_manager=李四
   --field safety_manager_mobile=13800138000 --field handled_by=self)
APP=(--applicant-id 91430111MA4L41YT1U --applicant-name 深圳市某某餐饮有限公司
     --applicant-mobile 13800138000 --enterprise)
ALL=application_form,business_licence,layout_docs,safety_rules
food() { ctl case create --matter XK00013001 "${APP[@]}" "${F[@]}" --materials "$ALL" | head -n 1; }

start_node $EARLY
OW_NEW_PASSWORD=clerk-pass-1 admin user add clerk1 --role clerk --display 张小明 >/dev/null || exit 1
OW_NEW_PASSWORD=super-pass-1 admin user add sup1 --role supervisor >/dev/null || exit 1
OW_NEW_PASSWORD=ops-pass-1 admin user add ops1 --role ops >/dev/null || exit 1
C1=$(food)
C2=$(food)
stop_node
start_node $LATE
C3=$(food)
ctl case act "$C3" start_review >/dev/null
stop_node
start_node $DAY
check "three cases made" [ -n "$C1" ] && [ -n "$C2" ] && [ -n "$C3" ]
ctl case rate "$C3" 2 --comment "等候太久" >/dev/null
# The warning sweep runs every second (tick_seconds=1): wait for it.
for _ in $(seq 50); do
  [ "$(sup --json case search --by warning --value 3 | grep -c '"id"')" -ge 2 ] && break
  sleep 0.1
done

start_desk main OW_TODAY=$DAY -- -d "$hall" --window 3 -u sup1
check "login screen" poll main "User name:"
text main super-pass-1
keys main Enter
check "home screen" poll main "My open cases"
keys main F7
check "F7: the supervision screen" poll main "Supervision: hall FT01, 2026-11-16"
check "open cases: three" poll main "Open cases: 3"
check "two overdue" poll main "Overdue 2"
check "clerk1's load: 3 open, 2 red or worse, a bar" poll_re main "clerk1 +3 +2 +0 +#+"
check "the deadline list" poll main "Deadlines: red and overdue first"
check "the overdue cases listed with their clerk" poll_re main "overdue +$C1 +-5 +XK00013001 +FT01 +clerk1"
check "working days left: negative when overdue" bash -c "tmux -L '$sock' capture-pane -p -t main | grep '$C1' | grep -q -- ' -5 '"

# Mark both overdue cases, move them to clerk2 of hall NS01.
keys main Home
keys main Space
keys main Space
check "two marked" poll main "(2 marked)"
keys main F4
check "F4 asks for the hall" poll main "2 cases. The hall code"
text main NS01
keys main Enter
check "then the clerk" poll main "User name (empty"
text main clerk2
keys main Enter
check "then the reason" poll main "Why (kept in the case's history)"
text main 福田窗口超负荷，转南山办理
keys main Enter
check "then the handover note" poll main "For the receiving clerk"
text main 材料齐全，请尽快审查
keys main Enter
check "both moved" poll main "2 cases reassigned to NS01."
check "the list shows their new hall and clerk" poll_re main "$C2 +-5 +XK00013001 +NS01 +clerk2"
check "the node has them at NS01 with clerk2" bash -c \
  "OW_PASSWORD=super-pass-1 '$CTL' -d '$hall' -u sup1 --json case get '$C2' | python3 -c 'import json,sys; c=json.load(sys.stdin)[\"case\"]; sys.exit(0 if (c[\"hall\"],c[\"assignee\"])==(\"NS01\",\"clerk2\") else 1)'"
check "the history says who moved it and where" bash -c \
  "OW_PASSWORD=super-pass-1 '$CTL' -d '$hall' -u sup1 case history '$C1' | grep 'sup1' | grep -q -- '-> NS01 clerk2'"
check "the dashboard follows: one open case left here" poll main "Open cases: 1"
check "one bad rating waiting" poll main "Bad ratings 1"
keys main F8
check "F8: the bad ratings waiting" poll main "Bad ratings waiting for their follow-up"
check "C3 in that list" poll_re main "bad rating +$C3"
keys main F8
check "F8 again: the deadlines" poll main "Deadlines: red and overdue first"

# An extension from the case view (F9), on the running case C3.
sup case search --by id --value "$C3" >/dev/null
keys main Escape
check "back home" poll main "My open cases"
keys main /
check "search" poll main "Search"
text main "$C3"
keys main Enter
check "found" poll main "$C3"
keys main Enter
check "the case opens" poll main "Case $C3"
keys main F9
check "F9: the supervisor's choices" poll main "Extend the time limit (Art. 42)"
keys main Down
keys main Enter
check "how many days" poll main "+5 working days"
keys main Enter
check "the reason" poll main "Told to the applicant"
text main 需现场核查
keys main Enter
check "the extension is recorded" poll main "Done."
check "the node has it" bash -c \
  "OW_PASSWORD=super-pass-1 '$CTL' -d '$hall' -u sup1 --json case get '$C3' | grep -q '\"extension\": 5'"
keys main F9
keys main Down
keys main Enter
keys main Enter
text main 再次延期
keys main Enter
check "a second extension is refused, said in words" poll main "not allowed in the case's current state"

# C3's bad rating (level 2): the remediation from the case view, below
# the fields (PgDn).
keys main PgDn PgDn
check "the case shows the remediation's timers" poll main "Call back by: 2026-11-17"
check "and the rectification's" poll main "Rectify by: 2026-12-07"
keys main F9
check "F9 offers the remediation" poll main "Bad rating: the callback"
keys main Down Down
keys main Enter
check "what the applicant said" poll main "What the applicant said:"
text main 电话回访，申请人反映等候时间长
keys main Enter
check "the callback recorded" poll main "Called back: 2026-11-16  电话回访，申请人反映等候时间长 (sup1)"
keys main F9
keys main Down Down Down
keys main Enter
check "what was put right" poll main "What was put right:"
text main 午间增开两个窗口
keys main Enter
check "the rectification recorded" poll main "Rectified: 2026-11-16  午间增开两个窗口 (sup1)"
keys main F9
keys main Down Down Down Down
keys main Enter
check "the follow-up rating's levels" poll main "The applicant's follow-up rating"
keys main Down
keys main Enter
check "the follow-up recorded" poll main "Follow-up rating: 2026-11-16  4/5"

# Reports: this month so far, per hall, then per clerk.
keys main Escape
check "back to the search" poll main "Search cases (any hall)"
keys main Escape
check "home" poll main "My open cases"
keys main F7
check "supervision" poll main "Supervision: hall"
keys main F7
check "F7: reports of this month" poll main "Report 2026-11-01 to 2026-11-16, per hall"
check "per hall now: 1 left at FT01, 2 at NS01" poll_re main "FT01 +1 " && poll_re main "NS01 +2 "
keys main F6
check "F6: per clerk" poll main "per clerk"
check "per clerk now: clerk1 1, clerk2 2" poll_re main "clerk1 +1 " && poll_re main "clerk2 +2 "
keys main Escape
check "back to supervision" poll main "Supervision: hall"
keys main Escape
keys main F10
poll main "DESK-EXIT" 10 >/dev/null

# The ops screen, as ops.
start_desk ops OW_TODAY=$DAY -- -d "$hall" --window 3 -u ops1
check "ops login" poll ops "User name:"
text ops ops-pass-1
keys ops Enter
check "ops home" poll ops "My open cases"
keys ops F8
check "F8: the ops screen" poll ops "Operations: this node and its peers"
check "the node" poll ops "Node hall-ft, hall 福田区政务服务大厅"
check "storage and cases" poll_re ops "Cases about [0-9]+, ops [0-9]+, storage [0-9.]+ KiB"
check "the disk's syncs (group commit)" poll_re ops "Disk syncs: [1-9][0-9]* since the start, [0-9]+[.][0-9]{2} ms each, [0-9]+[.][0-9] requests waited for each"
check "the calendar" poll ops "Calendar 2024 to 2026"
check "no certificate: local connections only" poll ops "Certificate: none (local connections only)"
check "the calendar warning (after 1 November)" poll ops "Warning: calendar_next_year_missing"
check "replication off here" poll ops "Replication: off" && poll ops "No peers yet (ow-ctl peer add)."
keys ops Escape
keys ops F7
check "ops may not supervise" poll ops "your account cannot see the dashboard"
keys ops F10
poll ops "DESK-EXIT" 10 >/dev/null

finish desk_super
