#!/usr/bin/env bash
# Command-line tests of the real ow-forms binary: exit codes, output, JSON,
# errors for bad input, and the Chinese messages. Expected dates are worked
# out by hand from the State Council schedules (see the comments).
set -u
OW=${1:?usage: ow_forms_test.sh PATH/TO/ow-forms}
SRC=${OW_SRC_DIR:?}
export LC_ALL=C.UTF-8
unset LANGUAGE
DATA=$SRC/tests/data
CAT="--catalog $DATA/catalog"
pass=0
fail=0
out=""
err=""
rc=0

run() {
  local o e
  o=$(mktemp) e=$(mktemp)
  "$OW" "$@" >"$o" 2>"$e"
  rc=$?
  out=$(cat "$o")
  err=$(cat "$e")
  rm -f "$o" "$e"
}

check() { # check NAME CONDITION...
  local name=$1
  shift
  if "$@"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name"
    echo "  rc=$rc"
    echo "  stdout: ${out:0:800}"
    echo "  stderr: ${err:0:800}"
  fi
}
has() { grep -qF -- "$1" <<<"$out$err"; }
rc_is() { [ "$rc" -eq "$1" ]; }
out_is() { [ "$out" = "$1" ]; }

# --- help and usage errors
run --help
check "help exits 0" rc_is 0
check "help lists validate" has "validate CODE"
run frobnicate
check "unknown command is a usage error" rc_is 2
check "unknown command is named" has 'unknown command "frobnicate"'
run
check "no command is a usage error" rc_is 2

# --- lint
run $CAT lint
check "lint of good files exits 0" rc_is 0
check "lint says OK" has "2 matter files OK"
run lint "$DATA/bad/GG00099003.json" "$DATA/catalog"
check "lint of a bad file exits 1" rc_is 1
check "lint names file:line:col of the limit" has "GG00099003.json:21:17: the promised limit (12) exceeds the legal limit (10)"
check "lint names file:line:col of the unknown key" has 'GG00099003.json:60:3: unknown key "colour"'
check "lint counts the bad file" has "1 of 3 matter files have problems"
run lint /nonexistent/x.json
check "lint of a missing file exits 1" rc_is 1
check "lint says it cannot read" has "cannot read"

# --- list and show
run $CAT list
check "list shows both matters" has "GG00099002"
run $CAT show XK00099001
check "show exits 0" rc_is 0
check "show lists a field" has "org_uscc"
check "show lists a secondary material" has "secondary, 3 working days later"
run $CAT show XK00099001 --json
check "show --json has the code" has '"code": "XK00099001"'
run $CAT show XX00000000
check "show of an unknown code exits 1" rc_is 1
check "show names the code" has "no matter with code XX00000000"

# --- validate
good=(org_name=深圳市某某餐饮有限公司 org_uscc=91430111MA4L41YT1U legal_rep=王芳
      rep_id=11010519491231002x mobile=13800138000 by=self)
run $CAT validate XK00099001 "${good[@]}" --materials licence,plan --today 2025-09-29
check "valid application exits 0" rc_is 0
check "valid application is acceptable" has "Outcome: acceptable"
run $CAT validate XK00099001 "${good[@]}" --materials licence --today 2025-09-29
check "gaps exit 0" rc_is 0
# Accepted Monday 2025-09-29; 3 working days: 09-30, 10-09 (10-01..08 off), 10-10.
check "gap deadline" has "hand in by 2025-10-10"
check "gaps outcome" has "acceptable with gaps"
run $CAT validate XK00099001 "${good[@]}" --materials licence --today 2025-09-29 --no-gaps
check "ineligible applicant: not acceptable" has "not acceptable"
run $CAT validate XK00099001 org_name=某某 org_uscc=91430111MA4L41YT1A legal_rep=王1 \
    rep_id=110105194912310021 mobile=12345 by=agent lease_start=2025-05-01 lease_end=2025-04-01 \
    colour=red --today 2025-09-29
check "errors exit 1" rc_is 1
check "USCC warning with the right check" has "expected U"
check "ID check character" has "it should be X"
check "mobile error" has "Contact mobile must be an 11-digit mobile number"
check "agent required" has "Agent's name is required"
check "lease rule" has "Lease end must be later than Lease start"
check "unknown field" has "colour is not a field of this matter"
check "name error" has "Legal representative may contain only Chinese or Latin letters"
check "all materials missing" has "missing licence"
check "power of attorney missing" has "missing poa"
run $CAT validate XK00099001 "${good[@]}" --materials licence,plan --today 2025-09-29 --json
check "validate --json outcome" has '"outcome": "complete"'
check "validate --json canonical ID" has '"rep_id": "11010519491231002X"'
run $CAT validate XK00099001 notakeyvalue
check "a bad KEY=VALUE is a usage error" rc_is 2

# --- working days
run workdays add 2025-09-29 10
# 09-30, 10-09, 10-10, 10-11 (Saturday worked), 10-13..10-17, 10-20.
check "add across National Day" out_is "2025-10-20"
run workdays between 2025-01-24 2025-02-07
# 01-26 (Sunday worked), 01-27, then 01-28..02-04 off, 02-05, 02-06, 02-07.
check "between across the Spring Festival" out_is "5"
run workdays between 2025-02-07 2025-01-24
check "between backwards is negative" out_is "-5"
run workdays is 2025-10-11
check "make-up Saturday is a working day" has "working day"
run workdays is 2025-10-03 --json
check "holiday --json" has '"workday": false'
run workdays add 2026-12-30 5
check "beyond the calendar exits 1" rc_is 1
check "beyond the calendar says so" has "no calendar data"
run workdays add 2025-13-01 5
check "a bad date is a usage error" rc_is 2
run workdays add 2025-01-01 -3
check "a negative count is a usage error" rc_is 2

# --- deadlines
run $CAT deadline XK00099001 --accepted 2025-09-29 --today 2025-10-15
check "deadline exits 0" rc_is 0
check "promised due" has "Promised due date: 2025-10-20"
# Legal 20: after 10-20 (10th): 10-21..24, 10-27..31, 11-03.
check "legal due" has "Legal due date:    2025-11-03"
# Used by 10-15: 09-30, 10-09, 10-10, 10-11, 10-13, 10-14, 10-15 = 7 of 10.
check "yellow at 70%" has "yellow (700‰"
run $CAT deadline XK00099001 --accepted 2025-09-29 --today 2025-10-15 --extended 10 --json
check "extension moves the promised date" has '"promised_due": "2025-11-03"'
check "json level" has '"level": "green"'
run $CAT deadline XK00099001 --accepted 2025-09-29 --today 2025-10-21 --paused 2025-10-09:2025-10-13
# Paused (10-09, 10-13]: 10-10, 10-11, 10-13 not counted -> promised due 10-23.
check "a pause moves the due date" has "Promised due date: 2025-10-23"
run $CAT deadline XK00099001 --accepted 2025-09-29 --today 2025-10-21
check "past the promised date is overdue" has "overdue"
run $CAT deadline XK00099001 --accepted 2025-09-29 --extended 15
check "15 days needs joint handling" rc_is 2
run $CAT deadline XK00099001 --accepted 2025-10-10 --today 2025-10-01
check "today before acceptance is refused" rc_is 2

# --- notices
run $CAT notice XK00099001 "${good[@]}" by=agent --materials licence --today 2025-09-29 \
    --case-no SZ01-20250929-0001 --applicant 深圳市某某餐饮有限公司
check "notice exits 0" rc_is 0
check "one-time notice for a missing primary material" has "One-Time Notice of Materials to Supplement"
check "it lists the power of attorney" has "Power of attorney: original, 1 copy"
check "it lists the agent's name" has "Agent's name is required"
check "it carries the case number" has "Case number: SZ01-20250929-0001"
check "it carries a verification code" grep -qE 'Verification code: [0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}' <<<"$out"
run $CAT notice XK00099001 "${good[@]}" --materials licence,plan --today 2025-09-29 --case-no X1
check "acceptance notice" has "Notice of Acceptance"
run $CAT notice XK00099001 "${good[@]}" --today 2025-09-29 --case-no X1 --refuse 不属于本机关职权范围
check "refusal notice" has "Reason: 不属于本机关职权范围"
run $CAT notice XK00099001 "${good[@]}" --today 2025-09-29
check "a notice needs a case number" rc_is 2

# --- near the end of the calendar, and bad bytes
run $CAT validate GG00099002 name=张三 id=11010519491231002X --materials id_card --today 2026-12-31
check "validation still works at the calendar's end" rc_is 0
check "it says acceptable" has "Outcome: acceptable"
run $CAT validate XK00099001 "${good[@]}" --materials licence --today 2026-12-31
check "gap dates beyond the calendar are left out, with a warning" has "does not reach the due dates"
run $CAT validate XK00099001 $'org_name=\xff' --today 2025-09-29
check "invalid UTF-8 arguments are refused" rc_is 2
check "and named" has "not valid UTF-8"

# --- calendar
run calendar coverage
check "coverage" out_is "2024..2026"
if [ -d "$SRC/../shared/data/holiday-cn" ]; then
  for y in 2024 2025 2026; do
    run calendar convert "$SRC/../shared/data/holiday-cn/$y.json"
    check "converted $y equals the bundled file" [ "$out" = "$(cat "$SRC/forms/calendar/$y.json")" ]
  done
fi

# --- Chinese
LANGUAGE=zh_CN run $CAT validate XK00099001 mobile=123 --today 2025-09-29
check "Chinese messages" has "联系电话"
LANGUAGE=zh_CN run workdays is 2025-10-03
check "Chinese day off" has "休息日"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
