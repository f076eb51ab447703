#!/usr/bin/env bash
# Reports and the dashboard (issue 6) from a real node, checked against a
# dataset whose answers are worked out by hand below: cases taken in,
# decided on time or late (food licence XK00013001: promised 5 working
# days, legal 10), a refusal, a 容缺 case completed, ratings, tickets.
#
#   report_test.sh OW-NODE OW-CTL
set -u
NODE=${1:?usage: report_test.sh OW-NODE OW-CTL}
CTL=${2:?}
export LC_ALL=C.UTF-8
work=$(mktemp -d /tmp/ow-report.XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "${KEEP:-}" ] && { echo "kept $work"; return; }
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
OW_ADMIN_PASSWORD=admin-pass-1 "$NODE" init "$work/d" --node-id hall-r --hall 报表大厅 --hall-code RA >/dev/null
start() { # start TODAY
  OW_TODAY=$1 "$NODE" run "$work/d" >>"$work/node.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do OW_PASSWORD=admin-pass-1 "$CTL" -d "$work/d" status >/dev/null 2>&1 && return; sleep 0.05; done
}
stop() { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""; }
as() { # as USER PASSWORD ARGS...
  local u=$1 p=$2
  shift 2
  OW_USER=$u OW_PASSWORD=$p "$CTL" -d "$work/d" "$@"
}
admin() { as admin admin-pass-1 "$@"; }
c1() { as clerk1 clerk-pass-1 "$@"; }
c2() { as clerk2 clerk-pass-2 "$@"; }
sup() { as sup1 super-pass-1 "$@"; }
# jq_eq JSON EXPR WANT: python's value of EXPR on the JSON (d) is WANT.
jq_eq() {
  local got
  got=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2" 2>&1)
  [ "$got" = "$3" ] || { echo "  $2: got '$got', want '$3'"; return 1; }
}

F=(--field org_name=深圳市某某餐饮有限公司 --field org_uscc=91430111MA4L41YT1U
   --field org_legal_rep=王芳 --field org_address=深圳市福田区福华路1号
   --field business_kind=catering --field business_items=热食类食品制售
   --field premises_region=440304 --field premises_address=深圳市福田区福华路1号
   --field premises_area=120 --field safety_manager=李四
   --field safety_manager_mobile=13800138000 --field handled_by=self)
APP=(--applicant-id 91430111MA4L41YT1U --applicant-name 深圳市某某餐饮有限公司
     --applicant-mobile 13800138000 --enterprise)
ALL=application_form,business_licence,layout_docs,safety_rules
new_case() { # new_case WHO ARGS...: the new case's id
  "$@" | head -n 1
}

# ---- Monday 2026-03-02 (D1): five cases, three tickets
start 2026-03-02
OW_NEW_PASSWORD=clerk-pass-1 admin user add clerk1 --role clerk >/dev/null
OW_NEW_PASSWORD=clerk-pass-2 admin user add clerk2 --role clerk >/dev/null
OW_NEW_PASSWORD=super-pass-1 admin user add sup1 --role supervisor >/dev/null
OW_NEW_PASSWORD=audit-pass-1 admin user add aud1 --role auditor >/dev/null
A=$(new_case c1 case create --matter XK00013001 "${APP[@]}" "${F[@]}" --materials "$ALL")
B=$(new_case c1 case create --matter XK00013001 "${APP[@]}" "${F[@]}" --materials "$ALL")
C=$(new_case c1 case create --matter XK00013001 "${APP[@]}" "${F[@]}" \
  --materials application_form,business_licence,layout_docs)
D=$(new_case c2 case create --matter XK00013001 "${APP[@]}" "${F[@]}" --materials "$ALL" \
  --refuse "不属于本机关职权范围")
E=$(new_case c2 case create --matter XK00013001 "${APP[@]}" "${F[@]}" --materials "$ALL")
check "five cases made" [ -n "$A" ] && [ -n "$B" ] && [ -n "$C" ] && [ -n "$D" ] && [ -n "$E" ]
check "C is a 容缺 case" bash -c "OW_USER=clerk1 OW_PASSWORD=clerk-pass-1 '$CTL' -d '$work/d' --json case get '$C' | grep -q '\"accepted_gaps\"'"
check "D was refused at intake" bash -c "OW_USER=clerk1 OW_PASSWORD=clerk-pass-1 '$CTL' -d '$work/d' --json case get '$D' | grep -q '\"refused\"'"
for _ in 1 2 3; do c1 queue issue >/dev/null; done
t1=$(c1 --json queue next --window 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["number"])')
c1 queue link "$t1" --case "$A" >/dev/null
c1 queue next --window 1 >/dev/null
c1 case act "$B" start_review >/dev/null
stop

# ---- Wednesday 2026-03-04 (D2): A decided on time, C's materials in
start 2026-03-04
c1 case act "$A" start_review >/dev/null
check "A approved on D2" bash -c "OW_USER=sup1 OW_PASSWORD=super-pass-1 '$CTL' -d '$work/d' case act '$A' approve >/dev/null"
check "C: gaps filled" bash -c "OW_USER=clerk1 OW_PASSWORD=clerk-pass-1 '$CTL' -d '$work/d' case act '$C' gaps_filled >/dev/null"
stop

# ---- Wednesday 2026-03-11 (D3): B decided late (promised due 03-09,
# legal due 03-16); ratings (dated by the wall clock: today)
start 2026-03-11
check "B approved on D3" bash -c "OW_USER=sup1 OW_PASSWORD=super-pass-1 '$CTL' -d '$work/d' case act '$B' approve >/dev/null"
c1 case rate "$A" 5 >/dev/null
c1 case rate "$B" 1 --comment "等太久" >/dev/null

# By clerk, D1..D3. clerk1: A, B, C taken in; A (2 working days, on
# time) and B (7 working days: late for the promised limit, on time for
# the legal one) completed; C a 容缺 case, filled. clerk2: D refused at
# intake, E taken in. Tickets: the one linked to A is clerk1's, the two
# others have no case (key "").
r=$(sup --json report --from 2026-03-02 --to 2026-03-11 --by clerk)
check "report exits 0 for a supervisor" [ $? -eq 0 ]
row() { echo "[x for x in d['rows'] if x['key']=='$1'][0]"; }
k1=$(row clerk1)
k2=$(row clerk2)
check "clerk1 took in 3" jq_eq "$r" "${k1}['taken_in']" 3
check "clerk1 completed 2" jq_eq "$r" "${k1}['completed']" 2
check "clerk1: 1 on time (promised)" jq_eq "$r" "${k1}['on_time_promised']" 1
check "clerk1: 2 on time (legal)" jq_eq "$r" "${k1}['on_time_legal']" 2
check "clerk1: 2 + 7 working days" jq_eq "$r" "${k1}['working_days']" 9
check "clerk1: average 4.5 working days" jq_eq "$r" "${k1}['avg_working_days']" 4.5
check "clerk1: on time 50%" jq_eq "$r" "${k1}['on_time_promised_pct']" 50.0
check "clerk1: one 容缺 case" jq_eq "$r" "${k1}['gaps']" 1
check "clerk1: its materials completed" jq_eq "$r" "${k1}['gaps_filled']" 1
check "clerk1: no refusal" jq_eq "$r" "${k1}['refused']" 0
check "clerk1: one ticket (linked to A), called" jq_eq "$r" "(${k1}['tickets'], ${k1}['tickets_called'])" "(1, 1)"
check "clerk2 took in 2" jq_eq "$r" "${k2}['taken_in']" 2
check "clerk2: one refusal" jq_eq "$r" "${k2}['refused']" 1
check "clerk2: nothing completed" jq_eq "$r" "(${k2}['completed'], ${k2}['avg_working_days'])" "(0, None)"
check "tickets with no case" jq_eq "$r" "($(row '')['tickets'], $(row '')['tickets_called'])" "(2, 1)"
check "the total" jq_eq "$r" "(d['total']['taken_in'], d['total']['completed'], d['total']['tickets'])" "(5, 2, 3)"
check "ratings are of today, outside the range" jq_eq "$r" "d['total']['ratings']" 0

# A range that holds only D2: A completed, nothing taken in.
r=$(sup --json report --from 2026-03-04 --to 2026-03-04 --by hall)
check "D2 by hall: one row, the hall" jq_eq "$r" "[x['key'] for x in d['rows']]" "['RA']"
check "D2: A completed on time, nothing taken in" jq_eq "$r" \
  "(d['total']['taken_in'], d['total']['completed'], d['total']['on_time_promised'])" "(0, 1, 1)"

# Up to today (the ratings' day): two ratings for clerk1, one bad.
today=$(date +%F)
r=$(sup --json report --from 2026-03-02 --to "$today" --by matter)
check "by matter: one row" jq_eq "$r" "[x['key'] for x in d['rows'] if x['key']]" "['XK00013001']"
m=$(row XK00013001)
check "ratings 5 and 1: two, one bad, average 3" jq_eq "$r" \
  "(${m}['ratings'], ${m}['ratings_bad'], ${m}['avg_rating'], ${m}['bad_rating_pct'])" "(2, 1, 3.0, 50.0)"

# CSV for spreadsheets: a header, a row per key, the total.
csv=$(sup report --from 2026-03-02 --to 2026-03-11 --by clerk --csv)
check "CSV header" bash -c "head -n 1 <<<'$csv' | grep -q '^clerk,taken_in,completed,on_time_promised,on_time_legal,'"
check "CSV clerk1 row" bash -c "grep -q '^clerk1,3,2,1,2,50.0,100.0,4.5,0,1,1,0,,0,,1,1,' <<<'$csv'"
check "CSV total row" bash -c "grep -q '^TOTAL,5,2,1,2,' <<<'$csv'"
check "a table for people" bash -c "OW_USER=sup1 OW_PASSWORD=super-pass-1 '$CTL' -d '$work/d' report --from 2026-03-02 --to 2026-03-11 | grep -q '^RA '"
check "an auditor may read reports" bash -c "OW_USER=aud1 OW_PASSWORD=audit-pass-1 '$CTL' -d '$work/d' report --from 2026-03-02 --to 2026-03-11 >/dev/null"

# Refusals: a clerk, bad dates, a bad grouping, a range too long.
c1 report --from 2026-03-02 --to 2026-03-11 >"$work/o" 2>&1
check "a clerk may not (exit 1)" [ $? -eq 1 ]
sup report --from 2026-13-02 --to 2026-03-11 >"$work/o" 2>&1
check "a bad date: exit 1" [ $? -eq 1 ]
check "names the field" grep -q 'from' "$work/o"
sup report --from 2026-03-11 --to 2026-03-02 >/dev/null 2>&1
check "to before from: exit 1" [ $? -eq 1 ]
sup report --from 2025-01-01 --to 2026-03-02 >/dev/null 2>&1
check "over 366 days: exit 1" [ $? -eq 1 ]
sup report --from 2026-03-02 --to 2026-03-11 --by window >/dev/null 2>&1
check "a bad --by: exit 1" [ $? -eq 1 ]
sup report --from 2026-03-02 >/dev/null 2>&1
check "--to missing: usage (exit 2)" [ $? -eq 2 ]

# The dashboard on D3: open are C and E (accepted on D1, promised due
# 03-09: overdue) and A and B (approved, still to deliver: their clock
# is stopped); clerk1 holds A, B, C and clerk2 E; today B was approved by
# sup1 and A, B rated by clerk1; one bad rating; a new day's empty queue.
dsh=$(sup --json dashboard)
check "dashboard exits 0" [ $? -eq 0 ]
check "the hall" jq_eq "$dsh" "d['hall']" RA
check "four open cases: two accepted, two approved" jq_eq "$dsh" "(d['open'], d['states'])" \
  "(4, {'accepted': 2, 'approved': 2})"
check "the running two overdue" jq_eq "$dsh" "(d['yellow'], d['red'], d['overdue'])" "(0, 0, 2)"
cl() { echo "[x for x in d['clerks'] if x['user']=='$1'][0]"; }
check "clerk1: three open, one red or worse" jq_eq "$dsh" "($(cl clerk1)['open'], $(cl clerk1)['red'])" "(3, 1)"
check "clerk2: one open, overdue" jq_eq "$dsh" "($(cl clerk2)['open'], $(cl clerk2)['red'])" "(1, 1)"
check "sup1 decided one case today" jq_eq "$dsh" "$(cl sup1)['done_today']" 1
check "clerk1 moved nothing on today (ratings are not moves)" jq_eq "$dsh" "$(cl clerk1)['done_today']" 0
check "one bad rating waiting" jq_eq "$dsh" "d['bad_ratings']" 1
check "the queue is this node's: none waiting today" jq_eq "$dsh" "(d['waiting'], d['longest_wait_s'])" "(0, 0)"
c1 queue issue >/dev/null
dsh=$(sup --json dashboard)
check "a ticket issued: one waiting" jq_eq "$dsh" "d['waiting']" 1
dsh=$(sup --json dashboard --hall ZZ)
check "another hall: nothing open, its queue unknown here" jq_eq "$dsh" "(d['open'], d['waiting'])" "(0, None)"
check "the dashboard as text" bash -c "OW_USER=sup1 OW_PASSWORD=super-pass-1 '$CTL' -d '$work/d' dashboard | grep -q 'Open cases: 4'"
c1 dashboard >/dev/null 2>&1
check "a clerk may not see the dashboard" [ $? -eq 1 ]

# B's bad rating (level 1): its remediation. Rated today by the node's
# day (2026-03-11, a Wednesday): callback by 03-12, rectification by
# 04-01 (15 working days).
g=$(sup --json case get "$B")
check "the remediation's timers" jq_eq "$g" "(d['callback_due'], d['rectify_due'])" "('2026-03-12', '2026-04-01')"
check "a bad rating waits in the hall's list" bash -c \
  "OW_USER=sup1 OW_PASSWORD=super-pass-1 '$CTL' -d '$work/d' --json case search --by remedy --value RA | grep -q '$B'"
c1 case remedy "$B" callback "电话回访，申请人反映等候时间长" >/dev/null 2>&1
check "a clerk may not record a remediation" [ $? -eq 1 ]
sup case remedy "$B" rectified "增加窗口" >"$work/o" 2>&1
check "no rectification before the callback (exit 1)" [ $? -eq 1 ]
sup case remedy "$A" callback "回访" >/dev/null 2>&1
check "no remediation after a good rating (exit 1)" [ $? -eq 1 ]
sup case remedy "$B" followup >/dev/null 2>&1
check "a follow-up needs its level (usage, exit 2)" [ $? -eq 2 ]
check "the callback" bash -c "OW_USER=sup1 OW_PASSWORD=super-pass-1 '$CTL' -d '$work/d' case remedy '$B' callback '电话回访，申请人反映等候时间长' >/dev/null"
sup case remedy "$B" followup --level 4 >/dev/null 2>&1
check "no follow-up before the rectification (exit 1)" [ $? -eq 1 ]
check "the rectification" bash -c "OW_USER=sup1 OW_PASSWORD=super-pass-1 '$CTL' -d '$work/d' case remedy '$B' rectified '午间增开两个窗口' >/dev/null"
check "still waiting for the follow-up" jq_eq "$(sup --json dashboard)" "d['bad_ratings']" 1
check "the follow-up rating" bash -c "OW_USER=sup1 OW_PASSWORD=super-pass-1 '$CTL' -d '$work/d' case remedy '$B' followup --level 4 >/dev/null"
g=$(sup --json case get "$B")
check "the remediation recorded" jq_eq "$g" \
  "(d['case']['remedy']['callback_day'], d['case']['remedy']['rectified_by'], d['case']['remedy']['followup_level'])" \
  "('2026-03-11', 'sup1', 4)"
check "the original rating stands (一事一评)" jq_eq "$g" "d['case']['rating']['level']" 1
check "no bad rating waits now" jq_eq "$(sup --json dashboard)" "d['bad_ratings']" 0
check "nor in the list" bash -c \
  "! OW_USER=sup1 OW_PASSWORD=super-pass-1 '$CTL' -d '$work/d' --json case search --by remedy --value RA | grep -q '$B'"
check "the history names the steps" bash -c \
  "OW_USER=sup1 OW_PASSWORD=super-pass-1 '$CTL' -d '$work/d' case history '$B' | grep -q 'followup 4/5'"

# A move acknowledged: E from clerk2 to clerk1; only clerk1 may take it.
sup case assign "$E" --hall RA --assignee clerk1 --reason "调整分工" >/dev/null
c2 case ack "$E" >/dev/null 2>&1
check "another clerk may not take it over (exit 1)" [ $? -eq 1 ]
check "clerk1 takes it over" bash -c "OW_USER=clerk1 OW_PASSWORD=clerk-pass-1 '$CTL' -d '$work/d' case ack '$E' >/dev/null"
check "the case says who took it" jq_eq "$(c1 --json case get "$E")" "d['case']['acknowledged_by']" clerk1
check "the node is still up" bash -c "OW_PASSWORD=admin-pass-1 '$CTL' -d '$work/d' status >/dev/null"
stop
check "no personal data in the log" bash -c "! grep -qE '91430111MA4L41YT1U|13800138000|王芳' '$work/node.log'"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
