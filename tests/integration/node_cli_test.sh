#!/usr/bin/env bash
# Integration tests of a real ow-node driven through ow-ctl: init, run,
# status, users and lockout, intake with every outcome, reads, the
# workflow, deadlines (checked against ow-forms for the same matter and
# day), edits, reassignment, notes, search and paging, history, the queue,
# the catalog, the audit of the log, SIGTERM and restart, --json.
#
# Each run makes its own temporary directory (short, under /tmp: the ipc
# socket path must fit in sun_path), fixes the node's date with OW_TODAY,
# and kills its node on exit whatever happens (trap). A node that stops
# must exit 0, log node.stopped and leave no sanitizer report in its log.
set -u
NODE=${1:?usage: node_cli_test.sh PATH/TO/ow-node PATH/TO/ow-ctl [PATH/TO/ow-forms]}
CTL=${2:?usage: node_cli_test.sh PATH/TO/ow-node PATH/TO/ow-ctl [PATH/TO/ow-forms]}
FORMS=${3:-${OW_BUILD_DIR:-}/forms/ow-forms}
SRC=${OW_SRC_DIR:?}
export LC_ALL=C.UTF-8
unset LANGUAGE OW_USER OW_PASSWORD OW_NEW_PASSWORD OW_DATADIR OW_NOW \
  OW_CATALOG_DIR OW_CALENDAR_DIR
TODAY=2025-09-29
export OW_TODAY=$TODAY

TMP=$(mktemp -d /tmp/owcli.XXXXXX) || exit 1
D=$TMP/d
LOG=$TMP/node.log
NODE_PID=
cleanup() {
  if [ -n "$NODE_PID" ]; then
    kill -KILL "$NODE_PID" 2>/dev/null
    wait "$NODE_PID" 2>/dev/null
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass=0
fail=0
out=""
err=""
rc=0

# run CMD ARGS...: run a command, keep its output and exit status.
run() {
  local o e
  o=$(mktemp -p "$TMP") e=$(mktemp -p "$TMP")
  "$@" >"$o" 2>"$e"
  rc=$?
  out=$(cat "$o")
  err=$(cat "$e")
  rm -f "$o" "$e"
}
# ctl USER PASSWORD ARGS...: ow-ctl against the node of $D as USER.
ctl() {
  local user=$1 pw=$2 o_rc o_out o_err
  shift 2
  OW_PASSWORD=$pw run "$CTL" -d "$D" -u "$user" "$@"
  if [ "$rc" -eq 3 ] && [ -n "$NODE_PID" ] && ! kill -0 "$NODE_PID" 2>/dev/null; then
    # The node died under this command: say so with its report, and
    # start it again so that the rest still runs.
    o_rc=$rc o_out=$out o_err=$err
    wait "$NODE_PID"
    NODE_PID=
    out="" err="$(node_report)"
    check "the node survives: ow-ctl $*" false
    mv "$LOG" "$LOG.dead.$(date +%s%N)"
    start_node "$OW_TODAY"
    rc=$o_rc out=$o_out err=$o_err
  fi
}
ADMIN_PW=admin-pass-1
CLERK_PW=clerk-pass-1
SUP_PW=super-pass-1
AUD_PW=audit-pass-1
admin() { ctl admin "$ADMIN_PW" "$@"; }
clerk() { ctl clerk1 "$CLERK_PW" "$@"; }
sup() { ctl sup1 "$SUP_PW" "$@"; }
aud() { ctl aud1 "$AUD_PW" "$@"; }

check() { # check NAME CONDITION...
  local name=$1
  shift
  if "$@"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name"
    echo "  rc=$rc"
    echo "  stdout: ${out:0:1500}"
    echo "  stderr: ${err:0:1500}"
  fi
}
has() { grep -qF -- "$1" <<<"$out$err"; }
lacks() { ! grep -qF -- "$1" <<<"$out$err"; }
rc_is() { [ "$rc" -eq "$1" ]; }
out_is() { [ "$out" = "$1" ]; }
is() { [ "$1" = "$2" ]; }
# line PREFIX: the rest of the first stdout line that starts with PREFIX.
line() { sed -n "s/^$1//p" <<<"$out" | head -n 1; }

# JSON: python3 when there is one, else a syntax-free grep.
if command -v python3 >/dev/null 2>&1; then
  HAVE_PY=1
else
  HAVE_PY=0
fi
json_ok() {
  if [ "$HAVE_PY" -eq 1 ]; then
    python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$out"
  else
    grep -q '^[[{]' <<<"$out" && grep -q '[]}]$' <<<"$out"
  fi
}
# jq_py EXPR: evaluate a Python expression over the parsed JSON as `d`.
jq_py() {
  python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" <<<"$out" 2>/dev/null
}

# --- the node process

# When this script is killed outright (a ctest timeout), the trap does not
# run: setpriv makes the kernel kill the node with us.
DIE_WITH_US=()
if command -v setpriv >/dev/null 2>&1 && setpriv --pdeathsig KILL true 2>/dev/null; then
  DIE_WITH_US=(setpriv --pdeathsig KILL --)
fi

# start_node [OW_TODAY] [ARGS...]: run the node in the background (with the
# environment entries of NODE_ENV too), wait for one more node.ready in its
# log.
NODE_ENV=()
start_node() {
  local today=${1:-$TODAY} ready i
  shift || true
  ready=$(grep -c 'event=node.ready' "$LOG" 2>/dev/null)
  ready=${ready:-0}
  env OW_TODAY="$today" "${NODE_ENV[@]}" "${DIE_WITH_US[@]}" "$NODE" run "$D" "$@" >>"$LOG" 2>&1 &
  NODE_PID=$!
  for i in $(seq 1 1200); do
    if [ "$(grep -c 'event=node.ready' "$LOG")" -gt "$ready" ]; then
      export OW_TODAY=$today
      return 0
    fi
    if ! kill -0 "$NODE_PID" 2>/dev/null; then
      break
    fi
    sleep 0.05
  done
  echo "FATAL: ow-node did not start; its log:"
  cat "$LOG"
  exit 1
}

# node_report: the sanitizer's report in the log, or its last lines.
node_report() {
  if grep -qE 'Sanitizer|runtime error:' "$LOG"; then
    grep -vE '^ts=' "$LOG" | head -n 40
  else
    tail -n 20 "$LOG"
  fi
}

# stop_node: SIGTERM, then checks: exit 0, node.stopped, a clean log.
stop_node() {
  local stopped st
  stopped=$(grep -c 'event=node.stopped' "$LOG")
  kill -TERM "$NODE_PID"
  wait "$NODE_PID"
  st=$?
  NODE_PID=
  rc=$st out="" err=$(tail -n 20 "$LOG")
  check "SIGTERM: the node exits 0" rc_is 0
  check "SIGTERM: the node logs node.stopped" \
    [ "$(grep -c 'event=node.stopped' "$LOG")" -eq $((stopped + 1)) ]
  err=$(grep -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$LOG")
  check "no sanitizer report in the node's log" [ -z "$err" ]
  if [ -n "$err" ]; then
    err=$(node_report)
    echo "$err"
    # One report per run of the node: keep the next one apart.
    mv "$LOG" "$LOG.$(date +%s%N)"
  fi
}

restart_node() {
  stop_node
  start_node "$@"
}

# Deadlines of a matter as ow-forms computes them: sets DUE_P and DUE_L.
forms_deadline() {
  local o
  o=$("$FORMS" deadline "$@")
  DUE_P=$(sed -n 's/^Promised due date: *//p' <<<"$o")
  DUE_L=$(sed -n 's/^Legal due date: *//p' <<<"$o")
}

# The fields of a complete XK00013001 (food business licence) application.
F=(--field org_name=深圳市某某餐饮有限公司 --field org_uscc=91430111MA4L41YT1U
   --field org_legal_rep=王芳 --field org_address=深圳市福田区福华路1号
   --field business_kind=catering --field business_items=热食类食品制售
   --field premises_region=440304 --field premises_address=深圳市福田区福华路1号
   --field premises_area=120 --field safety_manager=李四
   --field safety_manager_mobile=13800138000 --field handled_by=self)
APP=(--applicant-id 91430111MA4L41YT1U --applicant-name 深圳市某某餐饮有限公司
     --applicant-mobile 13800138000 --enterprise)
ALL=application_form,business_licence,layout_docs,safety_rules
FOOD=XK00013001
# create WHO ARGS...: case create as WHO; ID gets the new case id.
create() {
  local who=$1
  shift
  "$who" case create --matter "$FOOD" "$@"
  ID=$(head -n 1 <<<"$out")
}
# state_of ID [WHO]: the case's state (wire name) from --json case get.
state_of() {
  "${2:-clerk}" --json case get "$1"
  if [ "$HAVE_PY" -eq 1 ]; then
    jq_py 'd["case"]["state"]'
  else
    sed -n 's/^    "state": "\(.*\)",$/\1/p' <<<"$out" | head -n 1
  fi
}

# ============================================================== help, init
run "$NODE" --help
check "ow-node --help exits 0" rc_is 0
check "help shows init" has "ow-node init DATADIR --node-id ID --hall NAME"
check "help shows run" has "ow-node run DATADIR [--config FILE] [--set KEY=VALUE]"
check "help names SIGTERM" has "SIGTERM"
run "$NODE"
check "ow-node without a command is a usage error" rc_is 2
run "$NODE" frobnicate
check "an unknown command is a usage error" rc_is 2
run "$NODE" --version
check "ow-node --version" has "ow-node (OneWindow) 0.1.0"

export OW_ADMIN_PASSWORD=$ADMIN_PW
run "$NODE" init "$TMP/bad1" --node-id Hall_FT --hall 福田大厅 --hall-code FT01
check "a bad node id is refused (exit 2)" rc_is 2
check "the message names the node id" has "check the node id"
check "nothing is made for a bad id" [ ! -e "$TMP/bad1" ]
run "$NODE" init "$TMP/bad2" --node-id hall-ft --hall 福田大厅 --hall-code ft01
check "a bad hall code is refused (exit 2)" rc_is 2
check "the message names the hall code" has "the hall code (e.g. FT01)"
check "nothing is made for a bad code" [ ! -e "$TMP/bad2" ]
run "$NODE" init "$TMP/bad3" --node-id 1hall --hall 福田大厅 --hall-code FT01
check "a node id starting with a digit is refused" rc_is 2
OW_ADMIN_PASSWORD=short run "$NODE" init "$TMP/bad4" --node-id hall-ft --hall 福田大厅 --hall-code FT01
check "a short admin password is refused" rc_is 2
check "the message names the password" has "the password (at least 8 characters"
check "nothing is made for a bad password" [ ! -e "$TMP/bad4" ]
run "$NODE" init "$TMP/bad5" --node-id hall-ft --hall-code FT01
check "init without --hall is a usage error" rc_is 2
check "init says what it needs" has "init needs DATADIR, --node-id"
run "$NODE" init "$TMP/dflt" --node-id ft-01 --hall 福田大厅
check "without --hall-code the code comes from the node id" has "initialised: node ft-01, hall 福田大厅 (FT01)"

run "$NODE" init "$D" --node-id hall-ft --hall 福田大厅 --hall-code FT01
check "init exits 0" rc_is 0
check "init says what it made" has "initialised: node hall-ft, hall 福田大厅 (FT01)"
check "init writes the key pair and the store" [ -f "$D/node.key" ] && [ -f "$D/node.pub" ] && [ -d "$D/db" ]
check "the secret key is private" [ "$(stat -c %a "$D/node.key")" = 600 ]
run "$NODE" init "$D" --node-id hall-ft --hall 福田大厅 --hall-code FT01
check "init refuses an existing data directory (exit 1)" rc_is 1
check "init says it will not touch it" has "already exists; init refuses to touch it"
mkdir "$TMP/empty"
run "$NODE" init "$TMP/empty" --node-id hall-ft --hall 福田大厅 --hall-code FT01
check "init refuses an existing empty directory too" rc_is 1
check "the empty directory stays empty" [ -z "$(ls -A "$TMP/empty")" ]
unset OW_ADMIN_PASSWORD

run "$NODE" run "$TMP/empty"
check "run on a directory that is not a data directory fails" rc_is 1
check "run says so" has "is not a data directory (run ow-node init)"

# ====================================================== no node, run, status
OW_PASSWORD=x run "$CTL" -d "$D" status
check "ow-ctl with no node running exits 3" rc_is 3
check "ow-ctl says it cannot reach the node" has "cannot reach the node"
OW_PASSWORD=x run "$CTL" -d "$TMP/nowhere" status
check "ow-ctl against a directory with no node exits 3" rc_is 3
OW_PASSWORD=x run "$CTL" status
check "ow-ctl without -d or -n is a usage error" rc_is 2
run "$CTL" --help
check "ow-ctl --help exits 0" rc_is 0
check "ow-ctl --help names the exit statuses" has "3 node unreachable"

start_node "$TODAY"
admin status
check "status exits 0" rc_is 0
check "status: node id" has "Node:       hall-ft"
check "status: hall" has "Hall:       福田大厅"
PK=$(line 'Public key: ')
check "status: public key is 64 hex digits" grep -qxE '[0-9a-f]{64}' <<<"$PK"
check "status: public key is the one in node.pub" is "$PK" "$(tr -d '\n' <"$D/node.pub")"
# init signed 19 catalog ops and the admin account: the log holds 20 ops.
check "status: version vector" has "Version:    hall-ft 20"
check "status: log ops" has "Log ops:    20"
check "status: 19 matters" has "Matters:    19"
check "status: calendar 2024..2026" has "Calendar:   2024..2026"
check "status: software" has "Software:   ow-node 0.1.0"
admin --json status
check "status --json parses" json_ok
if [ "$HAVE_PY" -eq 1 ]; then
  check "status --json: node id, key, matters, calendar, version" is \
    "$(jq_py 'd["node_id"], len(d["public_key"]), d["matters"], d["calendar_first_year"], d["calendar_last_year"], d["version"]["hall-ft"]')" \
    "hall-ft 64 19 2024 2026 20"
fi

run "$NODE" run "$D"
check "a second ow-node on the same directory is refused (exit 1)" rc_is 1
check "it says another ow-node is running" has "another ow-node is running on $D"
admin status
check "the first node still serves" rc_is 0

# ===================================================================== users
OW_NEW_PASSWORD=$CLERK_PW admin user add clerk1 --role clerk --display 张小明
check "add a clerk" rc_is 0
check "add says so" has "user added"
# The account went through group commit: status counts the batch synced.
admin status
check "status: the group commit's syncs" grep -qE '^Syncs: +[1-9][0-9]* since the start, [0-9.]+ ops and [0-9.]+ replies a sync, [0-9.]+ ms a sync$' <<<"$out"
if [ "$HAVE_PY" -eq 1 ]; then
  admin --json status
  check "status --json: syncs, the ops and replies in them, their time" is \
    "$(jq_py 'd["syncs"] >= 1, d["synced_ops"] >= 1, d["synced_replies"] >= 1, d["sync_us"] > 0')" \
    "True True True True"
fi
OW_NEW_PASSWORD=$SUP_PW admin user add sup1 --role supervisor
check "add a supervisor" rc_is 0
OW_NEW_PASSWORD=$AUD_PW admin user add aud1 --role auditor
check "add an auditor" rc_is 0
OW_NEW_PASSWORD=clerk-pass-2 admin user add clerk2 --role clerk
OW_NEW_PASSWORD=lock-pass-1 admin user add lock1 --role clerk
OW_NEW_PASSWORD=clerk-pass-9 admin user add clerk1 --role clerk
check "adding an existing user fails" rc_is 1
check "and says it exists" has "already exists"
OW_NEW_PASSWORD=short admin user add weak1 --role clerk
check "a weak password is refused" rc_is 1
check "as an invalid argument" has "invalid argument"
OW_NEW_PASSWORD=weak2weak2 admin user add weak2weak2 --role clerk
check "a password equal to the user name is refused" rc_is 1
OW_NEW_PASSWORD=boss-pass-1 admin user add boss1 --role boss
check "an unknown role is refused" rc_is 1
OW_NEW_PASSWORD=x admin user add norole
check "user add without --role is a usage error" rc_is 2
admin user list
check "user list exits 0" rc_is 0
check "list: admin is ops" grep -qE '^admin +ops +FT01' <<<"$out"
check "list: clerk1 is a clerk with its display name" grep -qE '^clerk1 +clerk +FT01 +张小明' <<<"$out"
check "list: sup1 is a supervisor" grep -qE '^sup1 +supervisor +FT01' <<<"$out"
check "list: aud1 is an auditor" grep -qE '^aud1 +auditor +FT01' <<<"$out"
check "list: no weak users" lacks "weak"
admin --json user list
check "user list --json parses" json_ok

clerk status
check "the clerk logs in" rc_is 0
ctl clerk1 wrong-password status
check "a wrong password exits 1" rc_is 1
check "and says so" has "login as clerk1 failed: wrong user name or password"
ctl nobody some-password status
check "an unknown user gets the same answer" has "login as nobody failed: wrong user name or password"
check "and exits 1" rc_is 1

# Five failures lock the account; the sixth try, with the right password,
# is refused as locked.
for i in 1 2 3 4 5; do
  ctl lock1 wrong-pass-$i status
  check "failure $i is refused as a wrong password" has "wrong user name or password"
done
ctl lock1 lock-pass-1 status
check "after 5 failures the right password is refused" rc_is 1
check "as locked" has "account locked after repeated failures"
admin user list
check "user list shows the lock" grep -qE '^lock1 .* locked' <<<"$out"

admin user disable clerk2
check "disable a user" rc_is 0
check "disable says so" has "user disabled"
ctl clerk2 clerk-pass-2 status
check "a disabled user cannot log in" rc_is 1
check "and gets the wrong-password answer" has "wrong user name or password"
admin user list
check "user list shows disabled" grep -qE '^clerk2 .* disabled' <<<"$out"
admin user enable clerk2
check "enable a user" has "user enabled"
ctl clerk2 clerk-pass-2 status
check "an enabled user logs in again" rc_is 0
admin user disable admin
check "ops cannot disable themselves" rc_is 1

OW_NEW_PASSWORD=clerk-pass-3 ctl clerk2 clerk-pass-2 user passwd clerk2
check "a clerk changes their own password" rc_is 0
check "passwd says so" has "password changed"
ctl clerk2 clerk-pass-2 status
check "the old password no longer works" rc_is 1
ctl clerk2 clerk-pass-3 status
check "the new one does" rc_is 0
OW_NEW_PASSWORD=clerk-pass-4 ctl clerk2 clerk-pass-3 user passwd sup1
check "a clerk cannot change someone else's password" rc_is 1
check "denied" has "not allowed for this role"
OW_NEW_PASSWORD=clerk-pass-5 admin user passwd clerk2
check "ops change a clerk's password" rc_is 0
ctl clerk2 clerk-pass-5 status
check "which then works" rc_is 0
OW_NEW_PASSWORD=clerk-pass-6 clerk user add clerk3 --role clerk
check "a clerk cannot add users (exit 1)" rc_is 1
check "the node says DENIED" has "not allowed for this role"
clerk --json user list
check "a refusal in --json parses" json_ok
check "and carries the error's name" has '"name": "CM_EDENIED"'
sup user list
check "a supervisor cannot list users" has "not allowed for this role"

# ============================================================ intake outcomes
forms_deadline "$FOOD" --accepted "$TODAY" --today "$TODAY"
P0=$DUE_P L0=$DUE_L
check "ow-forms gives the deadlines" [ -n "$P0" ] && [ -n "$L0" ]

create clerk "${APP[@]}" "${F[@]}" --materials "$ALL"
C_ACC=$ID
check "accepted: exit 0" rc_is 0
check "accepted: the id is hall, date, sequence" grep -qxE 'FT01-20250929-[0-9]{4}' <<<"$C_ACC"
check "accepted: the state" has "State: accepted"
check "accepted: the acceptance notice" has "Notice of Acceptance"
check "accepted: the notice has the case number" has "Case number: $C_ACC"
check "accepted: promised date as ow-forms says" has "Promised completion date: $P0"
check "accepted: legal date as ow-forms says" has "Statutory completion date: $L0"
check "accepted: a verification code" grep -qE 'Verification code: [0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}' <<<"$out"

create clerk "${APP[@]}" "${F[@]}" --materials application_form,business_licence,layout_docs
C_GAPS=$ID
check "gaps: exit 0" rc_is 0
check "gaps: the state" has "State: accepted with materials to follow"
check "gaps: the 容缺 notice" has "Notice of Acceptance with Materials to Follow"
# The secondary material is due 3 working days after 09-29: 09-30, then
# 10-01..10-08 are the National Day holidays, 10-09, 10-10.
check "gaps: the missing material with its date" has "List of food safety rules (self-inspection, staff health, purchase checks, incident handling): original, 1 copy; hand in by 2025-10-10"

create clerk "${APP[@]}" "${F[@]}" --materials application_form
C_SUP=$ID
check "supplement: exit 0" rc_is 0
check "supplement: the state" has "State: waiting for supplementary materials"
check "supplement: the one-time notice" has "One-Time Notice of Materials to Supplement"
NODE_NOTICE=$out
FV=()
for ((i = 1; i < ${#F[@]}; i += 2)); do FV+=("${F[i]}"); done
FORMS_NOTICE=$("$FORMS" notice "$FOOD" "${FV[@]}" --materials application_form --today "$TODAY" --case-no X 2>/dev/null)
items() { grep -E '^  [0-9]+\. |^Please supplement them by: ' <<<"$1"; }
out=$(items "$NODE_NOTICE") err=""
check "supplement: the notice lists all three missing materials" [ "$(grep -c '^  [0-9]\.' <<<"$out")" -eq 3 ]
check "supplement: business licence listed" has "1. Business licence or other proof of legal status: copy or e-licence, 1 copy"
check "supplement: layout documents listed" has "2. Main equipment, layout and process-flow documents: original, 1 copy"
check "supplement: safety rules listed" has "3. List of food safety rules"
check "supplement: the list equals what ow-forms prints for the same application" is "$out" "$(items "$FORMS_NOTICE")"
# 5 working days after 09-29: 09-30, 10-09, 10-10, 10-11 (a worked
# Saturday), 10-13.
check "supplement: the date to come back" has "Please supplement them by: 2025-10-13"

create clerk "${APP[@]}" --refuse "不属于本机关职权范围"
C_REF=$ID
check "refused: exit 0" rc_is 0
check "refused: the state" has "State: not accepted"
check "refused: the refusal notice with the reason" has "Reason: 不属于本机关职权范围"

clerk status
SEQ_BEFORE=$(line 'Version:    hall-ft ')
create clerk --applicant-id 91430111MA4L41YT1U --field org_name=某 --field org_uscc=91430111MA4L41YT1A \
  --field safety_manager_mobile=12345 --field handled_by=agent --field premises_area=abc --field colour=red
check "field errors block intake (exit 1)" rc_is 1
check "problem: a required field" has "org_legal_rep: Legal representative (person in charge) is required"
check "problem: the USCC check character" has "org_uscc: Unified social credit code fails the check-character test (expected U)"
check "problem: the mobile number" has "safety_manager_mobile: Food safety manager's mobile phone must be an 11-digit mobile number"
check "problem: the agent's name (handled by an agent)" has "agent_name: Agent's name is required"
check "problem: the agent's ID" has "agent_id: Agent's citizen ID number is required"
check "problem: a whole number" has "premises_area: Floor area of the premises (m²) must be a whole number"
check "problem: an unknown field" has "colour is not a field of this matter"
check "problem: the business kind" has "business_kind: Type of business is required"
clerk status
check "a blocked intake writes nothing" is "$(line 'Version:    hall-ft ')" "$SEQ_BEFORE"

BADUSCC=("${F[@]/91430111MA4L41YT1U/91430111MA4L41YT1A}")
create clerk "${APP[@]}" "${BADUSCC[@]}" --materials "$ALL"
check "a USCC warning blocks a clerk" rc_is 1
check "the warning is named" has "fails the check-character test (expected U); early pilot codes do, a supervisor may accept it"
create clerk "${APP[@]}" "${BADUSCC[@]}" --materials "$ALL" --override-warnings
check "a clerk cannot override it" rc_is 1
create sup "${APP[@]}" "${BADUSCC[@]}" --materials "$ALL"
check "a supervisor must say --override-warnings" rc_is 1
create sup "${APP[@]}" "${BADUSCC[@]}" --materials "$ALL" --override-warnings
C_WARN=$ID
check "a supervisor's override takes the case in" rc_is 0
check "as accepted" has "State: accepted"

create clerk "${APP[@]}" "${F[@]}" --materials "$ALL"
C_NEXT=$ID
check "the next id follows without a gap" is "${C_NEXT: -4}" "$(printf '%04d' $((10#${C_WARN: -4} + 1)))"
clerk case create --matter XX00000000 --applicant-id 110105194912310021
check "an unknown matter is refused" rc_is 1
check "as not found" has "not found"
aud case create --matter "$FOOD" "${APP[@]}" "${F[@]}" --materials "$ALL"
check "an auditor cannot take in a case" has "not allowed for this role"
clerk case create --matter "$FOOD"
check "case create needs an applicant id" rc_is 2

clerk --json case create --matter "$FOOD" "${APP[@]}" "${F[@]}" --materials "$ALL"
check "case create --json parses" json_ok
if [ "$HAVE_PY" -eq 1 ]; then
  check "case create --json: kind, state, deadline" is \
    "$(jq_py 'd["notice_kind"], d["case"]["state"], d["deadline"]["promised_due"]')" "acceptance accepted $P0"
fi

# ================================================================= case get
clerk case get "$C_ACC"
check "case get exits 0" rc_is 0
check "get: promised date as ow-forms says" has "Promised:  $P0 (5 working days left)"
check "get: legal date as ow-forms says" has "Legal:     $L0 (10 working days left)"
check "get: green" has "Warning:   green"
check "get: the clerk's menu" has "Actions:   start_review, request_supplement, withdraw"
check "get: the fields" grep -qE '^  org_uscc +91430111MA4L41YT1U$' <<<"$out"
check "get: the materials" has "material  safety_rules"
sup case get "$C_ACC"
check "get: the supervisor's menu in accepted" has "Actions:   start_review, request_supplement, withdraw"
aud case get "$C_ACC"
check "an auditor reads the case" rc_is 0
check "with no actions" lacks "Actions:"
admin case get "$C_ACC"
check "ops may not read cases" has "not allowed for this role"
clerk case get "$C_GAPS"
check "get gaps: the material to follow" has "to follow safety_rules=2025-10-10"
check "get gaps: the menu" has "Actions:   request_supplement, gaps_filled, withdraw"
clerk case get "$C_SUP"
check "get supplement: not accepted yet" has "Accepted:  -"
check "get supplement: no deadline yet" lacks "Promised:"
check "get supplement: the menu" has "Actions:   supplement_received, withdraw, refuse"
clerk case get "$C_REF"
check "get refused: no actions" lacks "Actions:"
check "get refused: the reason" has "Reason:    不属于本机关职权范围"
clerk --json case get "$C_ACC"
check "case get --json parses" json_ok
if [ "$HAVE_PY" -eq 1 ]; then
  check "case get --json: state, dates, menu" is \
    "$(jq_py 'd["case"]["state"], d["deadline"]["promised_due"], d["deadline"]["legal_due"], d["deadline"]["level"], ",".join(d["allowed_actions"])')" \
    "accepted $P0 $L0 green start_review,request_supplement,withdraw"
fi
clerk case get FT01-20250929-9999
check "an unknown case is not found" has "not found"

# ================================================================ lifecycle
L=$C_GAPS
clerk case act "$L" gaps_filled
check "gaps_filled exits 0" rc_is 0
check "gaps_filled: accepted" is "$(state_of "$L")" accepted
clerk case get "$L"
check "gaps_filled: nothing left to follow" lacks "to follow"
clerk case act "$L" start_review
check "start_review: in review" is "$(state_of "$L")" in_review
clerk case get "$L"
check "in review: the clerk's menu" has "Actions:   request_supplement, withdraw"
sup case get "$L"
check "in review: the supervisor's menu" has "Actions:   request_supplement, suspend, approve, reject, withdraw"
clerk case act "$L" approve
check "a clerk cannot approve (exit 1)" rc_is 1
check "denied, not a state error" has "not allowed for this role"
sup case act "$L" reject
check "reject without a reason is refused" rc_is 1
check "as an invalid argument" has "invalid argument"
check "still in review" is "$(state_of "$L")" in_review
sup case act "$L" approve
check "a supervisor approves" rc_is 0
check "approved" is "$(state_of "$L")" approved
clerk case get "$L"
check "approved: the deadline clock stopped, delivery is next" has "Actions:   deliver"
clerk case act "$L" start_review
check "start_review from approved is a state error" has "not allowed in the case's current state"
clerk case act "$L" deliver
check "deliver" rc_is 0
check "delivered" is "$(state_of "$L")" delivered
clerk case get "$L"
check "the delivery is recorded: today, at a window" has "Delivered: $TODAY at a window"
clerk case act "$L" withdraw --reason "申请人撤回"
check "nothing leaves delivered" has "not allowed in the case's current state"
sup case act "$L" frobnicate
check "an unknown action is refused" has "invalid argument"

W=$C_NEXT
clerk case act "$W" withdraw
check "withdraw needs a reason" has "invalid argument"
clerk case act "$W" withdraw --reason "申请人书面撤回"
check "withdraw with a reason" is "$(state_of "$W")" withdrawn

# History: every op of the lifecycle case with its actor.
clerk case history "$L"
check "history exits 0" rc_is 0
check "history: 6 ops (a delivery is the action and its record)" [ "$(grep -c 'hall-ft#' <<<"$out")" -eq 6 ]
check "history: created by the clerk" grep -qE 'clerk1 +hall-ft#[0-9]+ +OP_CASE_CREATE' <<<"$out"
check "history: gaps filled by the clerk" grep -qE 'clerk1 .*OP_CASE_ACT +gaps_filled: accepted_gaps -> accepted' <<<"$out"
check "history: review started by the clerk" grep -qE 'clerk1 .*start_review: accepted -> in_review' <<<"$out"
check "history: approved by the supervisor" grep -qE 'sup1 .*approve: in_review -> approved' <<<"$out"
check "history: delivered by the clerk" grep -qE 'clerk1 .*deliver: approved -> delivered' <<<"$out"
check "history: the delivery record by the clerk" grep -qE 'clerk1 .*OP_CASE_DELIVER' <<<"$out"
aud --json case history "$L"
check "history --json parses (auditor)" json_ok
if [ "$HAVE_PY" -eq 1 ]; then
  check "history --json: actors in order" is \
    "$(jq_py '" ".join(e["actor"] for e in d)')" "clerk1 clerk1 clerk1 sup1 clerk1 clerk1"
fi
clerk case history FT01-20250929-9999
check "history of an unknown case" has "not found"

# ===================================================================== edit
clerk case edit "$C_ACC" --field premises_area=１２５ --field safety_manager_mobile=１３９００１３９０００
check "an edit with full-width digits is taken" rc_is 0
check "stored as ASCII digits (area)" grep -qE '^  premises_area +125$' <<<"$out"
check "stored as ASCII digits (mobile)" grep -qE '^  safety_manager_mobile +13900139000$' <<<"$out"
clerk case edit "$C_ACC" --field premises_area=abc
check "an invalid value is refused (exit 1)" rc_is 1
check "with the problem" has "premises_area: Floor area of the premises (m²) must be a whole number"
clerk case get "$C_ACC"
check "and the stored value is unchanged" grep -qE '^  premises_area +125$' <<<"$out"
clerk case edit "$C_ACC" --field handled_by=agent
check "an edit that makes other fields required is refused" has "agent_name: Agent's name is required"
clerk case edit "$C_ACC" --materials not_a_material
check "an unknown material is refused" rc_is 1
clerk case edit "$C_REF" --field premises_area=130
check "a final case cannot be edited" has "not allowed in the case's current state"
aud case edit "$C_ACC" --field premises_area=130
check "an auditor cannot edit" has "not allowed for this role"
# A case a supervisor took in over a USCC warning stays editable by the
# clerk who handles it: correcting the phone number must not be blocked by
# the warning the supervisor already accepted.
clerk case edit "$C_WARN" --field safety_manager_mobile=13700137000
check "a clerk edits a case taken in over an accepted warning" rc_is 0

# =================================================================== assign
clerk case assign "$C_ACC" --hall FT01 --assignee clerk2 --reason 调岗
check "a clerk cannot reassign (exit 1)" rc_is 1
check "denied" has "not allowed for this role"
sup case assign "$C_ACC" --hall FT01 --assignee clerk2 --reason 工作调整 --handover 已电话告知申请人
check "a supervisor reassigns" rc_is 0
check "to the new clerk" has "Hall:      FT01, clerk clerk2"
sup case assign "$C_ACC" --hall FT01 --assignee clerk2
check "assign without --reason is a usage error (exit 2)" rc_is 2
check "which says so" has "case assign needs --hall and --reason"
sup case assign "$C_ACC" --hall ft-1 --assignee clerk2 --reason 工作调整
check "a bad hall code is refused" has "invalid argument"
sup case history "$C_ACC"
check "the reassignment is in the history" grep -qE 'sup1 .*OP_CASE_ASSIGN +-> FT01 clerk2' <<<"$out"

# ===================================================================== note
clerk case note "$C_ACC" "申请人来电询问进度"
check "a note" rc_is 0
check "shows with its author" has "note (clerk1): 申请人来电询问进度"
clerk case note "$C_ACC" ""
check "an empty note is refused" has "invalid argument"
aud case note "$C_ACC" "审计"
check "an auditor cannot add notes" has "not allowed for this role"

# ================================================= supplement pauses the clock
# A case accepted on 09-29 is asked for a supplement on 10-09 and gets it
# on 10-15: the pause moves both due dates, as ow-forms works them out.
create clerk "${APP[@]}" "${F[@]}" --materials "$ALL"
PZ=$ID
restart_node 2025-10-09
clerk case act "$PZ" request_supplement --reason "营业执照复印件不清晰"
check "request_supplement" rc_is 0
check "waiting for the supplement" is "$(state_of "$PZ")" supplement
clerk case get "$PZ"
forms_deadline "$FOOD" --accepted "$TODAY" --paused 2025-10-09: --today 2025-10-09
check "paused: the clock says so" has ", clock paused"
check "paused: promised date as ow-forms says" has "Promised:  $DUE_P"
check "paused: legal date as ow-forms says" has "Legal:     $DUE_L"
check "paused: the menu of a supplement" has "Actions:   supplement_received, withdraw, refuse"
restart_node 2025-10-15
clerk case act "$PZ" supplement_received
check "supplement_received" rc_is 0
check "accepted again" is "$(state_of "$PZ")" accepted
clerk case get "$PZ"
forms_deadline "$FOOD" --accepted "$TODAY" --paused 2025-10-09:2025-10-15 --today 2025-10-15
check "resumed: promised date as ow-forms says" has "Promised:  $DUE_P"
check "resumed: legal date as ow-forms says" has "Legal:     $DUE_L"
check "resumed: the promised date moved" [ "$DUE_P" \> "$P0" ]
check "resumed: the clock runs" lacks "clock paused"
# A case that waited for its supplement since intake is accepted the day it
# comes: its clock starts then.
clerk case act "$C_SUP" supplement_received
clerk case get "$C_SUP"
forms_deadline "$FOOD" --accepted 2025-10-15 --today 2025-10-15
check "supplemented at intake: accepted today" has "Accepted:  2025-10-15"
check "supplemented at intake: promised date from today" has "Promised:  $DUE_P"
check "supplemented at intake: legal date from today" has "Legal:     $DUE_L"
restart_node "$TODAY"

# =================================================================== search
# srch ARGS...: a --json search as the clerk; HITS gets "id state" lines,
# NHITS their number.
srch() {
  clerk --json case search "$@"
  if [ "$HAVE_PY" -eq 1 ]; then
    HITS=$(jq_py '"\n".join(c["id"] + " " + c["state"] for c in d["cases"])')
  else
    HITS=$(paste -d' ' <(sed -n 's/^      "id": "\(.*\)",$/\1/p' <<<"$out") \
      <(sed -n 's/^      "state": "\(.*\)",$/\1/p' <<<"$out"))
  fi
  NHITS=$(grep -c . <<<"$HITS")
}
# Seven cases of one applicant (refusals need no fields), then every kind.
PID7=110105194912310021
for i in 1 2 3 4 5 6 7; do
  create clerk --applicant-id "$PID7" --applicant-name 王小二 --applicant-mobile 13912345678 --refuse "测试$i"
  SEVEN[$i]=$ID
done
check "seven cases made" [ "${#SEVEN[@]}" -eq 7 ]
srch --by id --value "$C_ACC"
check "search by id" is "$HITS" "$C_ACC accepted"
srch --by applicant --value "$PID7"
check "search by applicant finds the seven" is "$(cut -d' ' -f1 <<<"$HITS")" "$(printf '%s\n' "${SEVEN[@]}")"
check "the applicant id is masked" has "1101**********0021"
check "and never shown whole" lacks "$PID7"
clerk case search --by applicant --value "$PID7"
check "the table lists the seven too" [ "$(grep -c '^FT01-' <<<"$out")" -eq 7 ]
check "the table masks the id too" lacks "$PID7"
srch --by phone --value 13912345678
check "search by phone" [ "$NHITS" -eq 7 ]
srch --by name --value 王小
check "search by a name prefix" [ "$NHITS" -eq 7 ]
srch --by name --value 深圳市某某
check "search by another name prefix" grep -qx "$C_GAPS delivered" <<<"$HITS"
check "which does not find the others" lacks "${SEVEN[1]}"
srch --by state --value refused
check "search by state: the 8 refusals" [ "$NHITS" -eq 8 ]
check "all of them refused" [ "$(grep -c ' refused$' <<<"$HITS")" -eq 8 ]
srch --by state --value approved
check "search by state: nothing approved now" [ "$NHITS" -eq 0 ]
srch --by state --value delivered
check "search by state: the delivered one" is "$HITS" "$L delivered"
srch --by matter --value "$FOOD"
check "search by matter: all 15 cases so far" [ "$NHITS" -eq 15 ]
srch --by date --value "$TODAY"
check "search by date (accepted or received)" has "${SEVEN[7]}"
check "search by date leaves out cases accepted later" lacks "$C_SUP"
srch --by date --value 2025-10-15
check "search by the date of a late acceptance" is "$HITS" "$C_SUP accepted"
srch --by assignee --value clerk2
check "search by assignee: only that clerk's" is "$HITS" "$C_ACC accepted"
clerk case search --by colour --value red
check "an unknown kind is refused" has "invalid argument"
clerk case search --by state --value bogus
check "an unknown state is refused" has "invalid argument"
clerk case search --by applicant
check "search needs --value" rc_is 2
clerk --json case search --by applicant --value "$PID7"
check "search --json parses" json_ok

# Paging: --limit 3 and the cursors until next is empty; every case once.
seen=""
pages=0
after=()
while :; do
  clerk --json case search --by applicant --value "$PID7" --limit 3 "${after[@]}"
  [ "$rc" -eq 0 ] || break
  pages=$((pages + 1))
  if [ "$HAVE_PY" -eq 1 ]; then
    seen+="$(jq_py '"\n".join(c["id"] for c in d["cases"])')"$'\n'
    next=$(jq_py 'd["next"]')
  else
    seen+="$(sed -n 's/^      "id": "\(.*\)",$/\1/p' <<<"$out")"$'\n'
    next=$(sed -n 's/^  "next": "\(.*\)"$/\1/p' <<<"$out")
  fi
  [ -n "$next" ] || break
  after=(--after "$next")
  [ "$pages" -lt 10 ] || break
done
seen=$(grep -v '^$' <<<"$seen")
check "paging: three pages of 3, 3 and 1" [ "$pages" -eq 3 ]
check "paging: seven ids" [ "$(wc -l <<<"$seen")" -eq 7 ]
check "paging: each once" [ "$(sort -u <<<"$seen" | wc -l)" -eq 7 ]
check "paging: exactly the seven" is "$(sort <<<"$seen")" "$(printf '%s\n' "${SEVEN[@]}" | sort)"
clerk case search --by applicant --value "$PID7" --limit 3
check "the table says how to go on" has "more: --after "
clerk case search --by applicant --value "$PID7" --limit 3 --after zz
check "a bad cursor is refused" has "invalid argument"
clerk case search --by applicant --value "$PID7" --limit 7
check "a last page that fits exactly has no cursor" lacks "more:"

# ========================================== extension, rating, post delivery
create clerk "${APP[@]}" "${F[@]}" --materials "$ALL"
X=$ID
clerk case extend "$X" --days 5 --reason 需要现场核查
check "a clerk cannot extend the time limit" has "not allowed for this role"
sup case extend "$X" --days 6 --reason 需要现场核查
check "more than the matter's 5 days is out of range" has "value out of range"
sup case extend "$X" --days 5 --reason 需要现场核查
check "a supervisor extends by the matter's 5 days" rc_is 0
check "shown with its reason" has "Extended:  5 working days (需要现场核查)"
forms_deadline "$FOOD" --accepted "$TODAY" --today "$TODAY" --extended 5
check "extended: promised date as ow-forms says" has "Promised:  $DUE_P"
check "extended: legal date as ow-forms says" has "Legal:     $DUE_L"
sup case extend "$X" --days 2 --reason 再次延长
check "an extension is granted once" has "not allowed in the case's current state"
sup case extend "$C_REF" --days 2 --reason 不予受理的案件
check "no extension for a refused case" rc_is 1
clerk case rate "$L" 5 --comment 满意
check "a clerk records the rating of the delivered case" rc_is 0
check "the rating shows" has "Rating:    5/5 满意"
clerk case rate "$L" 1
check "one rating per case" has "already exists"
aud case rate "$X" 4
check "an auditor cannot rate" has "not allowed for this role"
clerk case rate "$X" 6
check "a rating is 1..5" rc_is 2
sup case act "$X" start_review
sup case act "$X" approve
clerk case act "$X" deliver --post
check "delivery by post needs a tracking number" has "invalid argument"
clerk case act "$X" deliver --post --tracking SF1234567890
check "delivered by post" rc_is 0
check "with its tracking number" has "Delivered: $TODAY by post SF1234567890"

# ==================================================================== queue
clerk queue issue
check "issue a ticket" rc_is 0
check "A001, nobody before" has "A001 individual waiting  (0 waiting before)"
clerk queue issue --category enterprise
check "an enterprise ticket" has "B001 enterprise waiting"
clerk queue issue --priority
check "a priority ticket" has "V001 individual waiting"
clerk queue issue
check "the next individual waits behind the priority one and A001" has "A002 individual waiting  (2 waiting before)"
clerk queue issue --category tourist
check "an unknown category is refused" has "invalid argument"
clerk queue next --window 3
check "the priority lane is called first" has "V001 individual called 3"
clerk queue next --window 3
check "a double press gives the same ticket back" has "V001 individual called 3"
clerk queue skip V001
check "skip" has "V001 individual skipped 3"
clerk queue next --window 3
check "then the longest-waiting individual" has "A001 individual called 3"
clerk queue recall V001 --window 4
check "recall a skipped ticket to another window" has "V001 individual called 4"
clerk queue transfer A001 --window 5
check "transfer" has "A001 individual called 5"
clerk queue link A001 --case "$C_ACC"
check "link to the case" has "A001 individual served 5"
clerk queue skip A001
check "a served ticket cannot be skipped" has "not allowed in the case's current state"
clerk queue skip Z999
check "an unknown ticket" has "not found"
clerk queue next
check "next without a window" rc_is 1
aud queue issue
check "an auditor cannot issue tickets" has "not allowed for this role"
aud queue list
check "anyone may list the queue" rc_is 0
check "list: A001 served at 5 for the case" has "A001 2 5 $C_ACC"
check "list: B001 waiting" has "B001 0"
check "list: V001 called at 4" has "V001 1 4"
clerk --json queue list
check "queue list --json parses" json_ok
QUEUE_BEFORE=$(aud queue list; echo "$out")

# ================================================================== catalog
clerk catalog list
check "catalog list" rc_is 0
check "19 matters" [ "$(grep -c ' v[0-9]' <<<"$out")" -eq 19 ]
check "the food licence, version 1" grep -qE "^$FOOD v1 +Food business licence \\(new\\)" <<<"$out"
clerk --json catalog list
check "catalog list --json parses" json_ok
clerk catalog show "$FOOD"
check "catalog show prints the matter file" has '"code": "XK00013001"'
cmp -s <(printf '%s\n' "$out") "$SRC/forms/catalog/$FOOD.json"
check "catalog show gives the published bytes" [ $? -eq 0 ]
mkdir "$TMP/cat2"
V2=$TMP/cat2/$FOOD.json
sed -e 's/"version": 1,/"version": 2,/' \
  -e 's/"limits": {"legal": 10, "promised": 5, "extension": 5}/"limits": {"legal": 10, "promised": 3, "extension": 5}/' \
  "$SRC/forms/catalog/$FOOD.json" >"$V2"
check "the copy differs in version and promised limit" [ "$(diff "$V2" "$SRC/forms/catalog/$FOOD.json" | grep -c '^>')" -eq 2 ]
clerk catalog publish "$V2"
check "a clerk cannot publish" has "not allowed for this role"
sup catalog publish "$V2"
check "a supervisor publishes version 2" rc_is 0
check "published" has "published"
clerk catalog list
check "the list shows version 2" grep -qE "^$FOOD v2 " <<<"$out"
create clerk "${APP[@]}" "${F[@]}" --materials "$ALL"
C_V2=$ID
"$FORMS" --catalog "$TMP/cat2" deadline "$FOOD" --accepted "$TODAY" --today "$TODAY" >"$TMP/v2.out"
P2=$(sed -n 's/^Promised due date: *//p' "$TMP/v2.out")
check "a new case uses version 2" has "Promised completion date: $P2"
clerk case get "$C_V2"
check "and records it" has "Matter:    $FOOD (version 2)"
clerk case get "$C_NEXT"
check "an older case keeps version 1" has "Matter:    $FOOD (version 1)"
clerk case get "$C_ACC"
check "and its deadline of version 1" has "Promised:  $P0"
check "version 2 promises sooner" [ "$P2" \< "$P0" ]
clerk case edit "$C_ACC" --field premises_area=140
check "an older case is still edited against its version" rc_is 0
admin catalog publish "$V2"
check "publishing the same version again is refused" rc_is 1
check "as existing" has "already exists"
admin catalog publish "$SRC/forms/catalog/$FOOD.json"
check "publishing an older version is refused" has "already exists"
sed -e 's/"version": 1,/"version": 3,/' -e 's/"type": "XK",/"type": "ZZ", "colour": 1,/' \
  "$SRC/forms/catalog/$FOOD.json" >"$TMP/bad.json"
admin catalog publish "$TMP/bad.json"
check "a broken matter file is refused (exit 1)" rc_is 1
check "with line:col of the unknown key" has '6:17: unknown key "colour"'
check "with line:col of the bad type" has '6:11: unknown matter type "ZZ"'
printf '{"code": "XK00013001",\n  "version": 4,\n  "name": oops}\n' >"$TMP/syntax.json"
admin catalog publish "$TMP/syntax.json"
check "a JSON syntax error is refused with line:col" has "3:14: JSON syntax error"
admin --json catalog publish "$TMP/bad.json"
check "the problems in --json parse" json_ok
check "and carry the positions" has '"field": "6:17"'
clerk catalog list
check "nothing broken was published" grep -qE "^$FOOD v2 " <<<"$out"
admin catalog show "$FOOD" 1
check "version 1 stays readable" has '"version": 1,'
admin catalog show "$FOOD"
check "the current version is 2" has '"version": 2,'
admin catalog publish "$TMP/nonexistent.json"
check "a missing file is a usage error" rc_is 2

# ==================================================================== audit
admin audit verify
check "audit verify exits 0" rc_is 0
check "audit verify: no problems" grep -qE '^[0-9]+ ops checked, 0 problems$' <<<"$out"
aud audit verify
check "an auditor may verify" rc_is 0
clerk audit verify
check "a clerk may not" has "not allowed for this role"
aud --json audit verify
check "audit verify --json parses" json_ok
if [ "$HAVE_PY" -eq 1 ]; then
  check "audit --json: one origin, no problems" is "$(jq_py 'd["origins"], len(d["problems"]), d["problems_total"], d["ops"] > 40')" "1 0 0 True"
fi

# =================================================================== paging
# Every list is paged (docs/api.md, "Paging"). First the lists whole, from
# the node as it runs (each fits in one page of its default). Then the
# same node restarted with its lists capped at 3 entries a page (the test
# knob OW_PAGE_MAX): without --limit ow-ctl reads every page and prints
# the same; with --limit 2 and the cursors, the pages add up to the list.
# LISTS: name, JSON key of the entries, their key field, who, the command.
LISTS=(
  "users|users|name|admin|user list"
  "catalog|matters|code|clerk|catalog list"
  "queue|tickets|number|aud|queue list"
  "history|entries|seq|clerk|case history $L"
  "applicant|cases|id|clerk|applicant $PID7"
  "search|cases|id|clerk|case search --by matter --value $FOOD"
)
declare -A WHOLE WHOLE_JSON
for l in "${LISTS[@]}"; do
  IFS='|' read -r name key field who cmd <<<"$l"
  # shellcheck disable=SC2086
  $who $cmd
  WHOLE[$name]=$out
  check "$name: the whole list" rc_is 0
  # shellcheck disable=SC2086
  $who --json $cmd
  WHOLE_JSON[$name]=$out
done
# The defaults hold a hall's catalog and day of tickets: what a desk reads.
clerk --json catalog list --limit 5000
if [ "$HAVE_PY" -eq 1 ]; then
  check "catalog: a limit over the maximum is no error; 19 in one page" \
    is "$(jq_py 'len(d["matters"]), repr(d["next"])')" "19 ''"
fi

NODE_ENV=(OW_PAGE_MAX=3)
restart_node "$TODAY"
CURSOR=() # one cursor of each list, for the cross-list checks below
for l in "${LISTS[@]}"; do
  IFS='|' read -r name key field who cmd <<<"$l"
  # shellcheck disable=SC2086
  $who $cmd
  check "$name: read page by page, the same table" is "$out" "${WHOLE[$name]}"
  check "$name: with no cursor line" lacks "more: --after"
  # shellcheck disable=SC2086
  $who --json $cmd
  check "$name: read page by page, the same JSON" is "$out" "${WHOLE_JSON[$name]}"
  [ "$HAVE_PY" -eq 1 ] || continue
  # The key field of every entry of the whole list, one a line.
  out=${WHOLE_JSON[$name]}
  if [ "$key" = cases ]; then
    want=$(jq_py "'\n'.join(str(e['$field']) for e in d['cases'])")
  else
    want=$(jq_py "'\n'.join(str(e['$field']) for e in d)")
  fi
  total=$(grep -c . <<<"$want")
  # Pages of 2, following "next".
  got="" pages=0 after=()
  while :; do
    # shellcheck disable=SC2086
    $who --json $cmd --limit 2 "${after[@]}"
    [ "$rc" -eq 0 ] || break
    pages=$((pages + 1))
    got+="$(jq_py "'\n'.join(str(e['$field']) for e in d['$key'])")"$'\n'
    next=$(jq_py 'd["next"]')
    [ -n "$next" ] || break
    after=(--after "$next")
    [ "$pages" -le 40 ] || break
  done
  got=$(grep -v '^$' <<<"$got")
  check "$name: pages of 2 ($total entries) end with an empty next" rc_is 0
  check "$name: $(((total + 1) / 2)) pages" [ "$pages" -eq $(((total + 1) / 2)) ]
  check "$name: the pages add up to the list, in order" is "$got" "$want"
  check "$name: every entry once" [ "$(sort <<<"$got" | uniq -d)" = "" ]
  # A limit over the maximum is clamped.
  # shellcheck disable=SC2086
  $who --json $cmd --limit 100
  check "$name: --limit 100 gives the maximum, 3, and a cursor" \
    is "$(jq_py "len(d['$key']), d['next'] != ''")" "3 True"
  CURSOR[${#CURSOR[@]}]=$(jq_py 'd["next"]')
  # The table says how to go on; a bad cursor is refused.
  # shellcheck disable=SC2086
  $who $cmd --limit 2
  check "$name: the table's last line gives the cursor" grep -qE '^more: --after [0-9a-f]+$' <<<"$(tail -n 1 <<<"$out")"
  # shellcheck disable=SC2086
  $who $cmd --limit 2 --after zz
  check "$name: a cursor that is not hex is refused (exit 1)" rc_is 1
  check "$name: as an invalid argument" has "invalid argument"
  check "$name: naming the cursor" has "after: not a cursor this list gave"
  # shellcheck disable=SC2086
  $who --json $cmd --after zz
  check "$name: refused in --json too" has '"code": "CURSOR"'
done
if [ "$HAVE_PY" -eq 1 ]; then
  # CURSOR holds one cursor of each list, in the order of LISTS: none is
  # taken by another list (applicant and search by applicant aside: not
  # the same search here).
  for i in "${!LISTS[@]}"; do
    IFS='|' read -r name key field who cmd <<<"${LISTS[$i]}"
    for j in "${!CURSOR[@]}"; do
      [ "$i" -ne "$j" ] || continue
      # shellcheck disable=SC2086
      $who $cmd --limit 2 --after "${CURSOR[$j]}"
      check "$name refuses the cursor of list $j" has "after: not a cursor this list gave"
    done
  done
  clerk --json case history "$C_ACC" --limit 1
  clerk case history "$L" --limit 2 --after "$(jq_py 'd["next"]')"
  check "a history cursor of another case is refused" has "after: not a cursor this list gave"
  # --after alone: every page after the cursor.
  clerk --json applicant "$PID7" --limit 2
  clerk --json applicant "$PID7" --after "$(jq_py 'd["next"]')"
  check "--after alone reads the rest" is "$(jq_py "' '.join(c['id'] for c in d['cases']), repr(d['next'])")" \
    "$(printf '%s ' "${SEVEN[@]:3}")''"
fi
# A queue cursor is a ticket key of today's queue: another day's is refused.
qcur() { printf 't/%08d/%06d' "$1" "$2" | od -An -tx1 | tr -d ' \n'; }
QDAY=$(($(date -u -d "$TODAY" +%s) / 86400))
aud queue list --limit 10 --after "$(qcur "$QDAY" 2)"
check "a ticket key of today is a cursor" [ "$(grep -c . <<<"$out")" -eq 2 ]
check "the tickets after the second" has "V001 1 4"
aud queue list --limit 10 --after "$(qcur $((QDAY - 1)) 2)"
check "a cursor of yesterday's queue is refused" has "after: not a cursor this list gave"
admin user list --limit 0
check "--limit 0 is a usage error" rc_is 2
check "which says what it wants" has "--limit wants a whole number from 1 up"
admin user list --limit 2x
check "--limit 2x is a usage error" rc_is 2
admin user list --limit -1
check "--limit -1 is a usage error" rc_is 2
NODE_ENV=()
restart_node "$TODAY"

# ========================================================= SIGTERM, restart
clerk --json case search --by date --value "$TODAY" --limit 200
BEFORE=$out
clerk case search --by date --value 2025-10-15
BEFORE_LATE=$out
clerk case get "$C_ACC"
GET_BEFORE=$out
admin status
SEQ=$(line 'Version:    hall-ft ')
stop_node
OW_PASSWORD=$ADMIN_PW run "$CTL" -d "$D" status
check "ow-ctl against the stopped node exits 3" rc_is 3
start_node "$TODAY"
clerk --json case search --by date --value "$TODAY" --limit 200
check "after a restart every case is there, in its state" is "$out" "$BEFORE"
clerk case search --by date --value 2025-10-15
check "also those accepted on another day" is "$out" "$BEFORE_LATE"
clerk case get "$C_ACC"
check "a case reads the same after the restart" is "$out" "$GET_BEFORE"
admin status
check "the op log is where it was" is "$(line 'Version:    hall-ft ')" "$SEQ"
aud queue list
check "the day's queue survives the restart" is "$out" "$QUEUE_BEFORE"
admin audit verify
check "audit verify after the restart: no problems" grep -qE '^[0-9]+ ops checked, 0 problems$' <<<"$out"
ctl lock1 lock-pass-1 status
check "a lock survives the restart" has "account locked"

# With the clock fixed for tests (OW_NOW, 2025-09-30 00:00 UTC), what the
# node reports still makes sense.
NODE_ENV=(OW_NOW=1759190400)
restart_node "$TODAY"
admin --json status
if [ "$HAVE_PY" -eq 1 ]; then
  check "status under OW_NOW: the uptime is not negative" is "$(jq_py 'd["uptime_s"] >= 0')" True
fi
admin status
check "status under OW_NOW still answers" has "Node:       hall-ft"
NODE_ENV=()
stop_node

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
