#!/usr/bin/env bash
# Seals and compaction between real halls (docs/replication.md,
# "Compaction"):
#
#   hall-a <-> hall-b <-> hall-c over mutual TLS (a and c reach each other
#   only through b). hall-a seals the final cases it made once they are
#   quiet (seal_after_s=2); every hall keeps a sealed case on its base
#   once every hall holds its ops (the stable vector, gossiped through
#   b), and drops the ops from its log. Then: the same cases and digests
#   everywhere, `audit verify` passes and counts the compacted ops, the
#   report's figures are those of before, the history says what was
#   folded in, a change after the seal replicates and builds on the base.
#   A note made at hall-c while it was cut off from the others, concurrent
#   with the seal, is kept everywhere alike. A hall that joins after the
#   compaction is told that it must re-seed (no run below the floor),
#   takes hall-a's checkpoint and then holds what every hall holds. Last,
#   hall-a's disk dies and it is restored from a backup made before any
#   seal: it takes its own compacted ops back by re-seeding and recovers.
#
#   compact_test.sh OW-NODE OW-CTL MAKE-CERTS
set -u
NODE=${1:?usage: compact_test.sh OW-NODE OW-CTL MAKE-CERTS}
CTL=${2:?}
CERTS=${3:?}
work=$(mktemp -d /tmp/ow-compact.XXXXXX)
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
trap halls_cleanup EXIT

COMPACT=(--set seal_after_s=2 --set compact_every_s=1)
for h in a b c; do hall_init "hall-$h" "H$(echo $h | tr a-z A-Z)" || exit 1; done
for h in a b c; do hall_start "hall-$h" "${COMPACT[@]}"; done
peer hall-a hall-b
peer hall-b hall-a
peer hall-b hall-c
peer hall-c hall-b
peer hall-a hall-c -
peer hall-c hall-a -
OW_NEW_PASSWORD=$USER_PW ctl hall-a user add c1 --role clerk --hall HA >/dev/null
OW_NEW_PASSWORD=$USER_PW ctl hall-a user add s1 --role supervisor --hall HA >/dev/null
check "the accounts reach hall-c through hall-b" wait_for 30 as c1 hall-c status
check "hall-a makes a backup before anything is sealed" ctl hall-a backup create --dir "$work/backups"

compacted() { ctl "$1" --json status | python3 -c 'import json,sys; print(json.load(sys.stdin).get("compacted_cases",0))'; }
compacted_ops() { ctl "$1" --json status | python3 -c 'import json,sys; print(json.load(sys.stdin).get("compacted_ops",0))'; }
history_compacted() {
  reader "$1" case history "$2" | head -n 1 | grep -q 'earlier ops are kept in the case itself'
}
same_everywhere() {
  same_vectors hall-a hall-b hall-c || return 1
  [ "$(digest hall-a)" = "$(digest hall-b)" ] && [ "$(digest hall-b)" = "$(digest hall-c)" ]
}
report_line() {
  as s1 "$1" --json report --from "$(date +%Y)-01-01" --to "$(date +%Y)-12-31" --by hall |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print(json.dumps(r["rows"], sort_keys=True))'
}

echo "== final cases, sealed by the hall that made them"
done_case=$(create_case hall-a "$(citizen_id 1)")
gone_case=$(create_case hall-a "$(citizen_id 2)")
open_case=$(create_case hall-a "$(citizen_id 3)")
check "the case reaches hall-b" wait_for 30 bash -c "OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-b' -u c1 case get '$done_case' >/dev/null 2>&1"
check "hall-b adds a note to it" as c1 hall-b case note "$done_case" "证件已领取"
check "the note reaches hall-a" wait_for 30 bash -c "OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-a' -u c1 --json case get '$done_case' | grep -q 证件已领取"
check "start review" as c1 hall-a case act "$done_case" start_review
check "approve (supervisor)" as s1 hall-a case act "$done_case" approve
check "deliver" as c1 hall-a case act "$done_case" deliver
check "withdraw" as c1 hall-a case act "$gone_case" withdraw --reason "applicant withdrew"
check "the cases reach hall-c" wait_for 30 bash -c "[ \"\$(OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-c' -u c1 --json case get '$gone_case' 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"case\"][\"state\"])')\" = withdrawn ]"
report_before=$(report_line hall-a)

echo "== compaction at every hall"
for h in a b c; do
  check "hall-$h keeps 2 cases on their base" wait_for 60 bash -c "[ \"\$(OW_PASSWORD=$ADMIN_PW '$CTL' -d '$work/hall-$h' --json status | python3 -c 'import json,sys; print(json.load(sys.stdin).get(\"compacted_cases\",0))')\" = 2 ]"
done
check "ops were dropped at hall-b" [ "$(compacted_ops hall-b)" -ge 7 ]
check "the open case is not compacted" bash -c "! OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-a' -u c1 case history '$open_case' | grep -q 'kept in the case itself'"
check "same vectors and digests everywhere" wait_for 30 same_everywhere
for h in a b c; do
  check "hall-$h: the history says what was folded in" history_compacted "hall-$h" "$done_case"
  check "hall-$h: the seal is in the history" bash -c "OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-$h' -u c1 case history '$done_case' | grep -q OP_CASE_SEAL"
  check "hall-$h: the delivered case is still whole" bash -c "OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-$h' -u c1 --json case get '$done_case' | python3 -c 'import json,sys; c=json.load(sys.stdin)[\"case\"]; assert c[\"state\"]==\"delivered\", c; assert any(\"证件已领取\" in n[\"text\"] for n in c.get(\"notes\",[])), c'"
  check "hall-$h: audit verify passes and counts the compacted ops" bash -c "OW_PASSWORD=$ADMIN_PW '$CTL' -d '$work/hall-$h' --json audit verify | python3 -c 'import json,sys; a=json.load(sys.stdin); assert a[\"problems_total\"]==0, a; assert a[\"compacted\"]>0, a'"
done
check "peer verify: hall-a and hall-b" ctl hall-a peer verify hall-b
check "peer verify: hall-c and hall-b" ctl hall-c peer verify hall-b
check "the report counts what it counted before" [ "$(report_line hall-a)" = "$report_before" ]

echo "== after the seal: a change builds on the base"
check "hall-c rates the delivered case" as c1 hall-c case rate "$done_case" 5 --comment 满意
check "the rating reaches hall-a" wait_for 30 bash -c "OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-a' -u c1 --json case get '$done_case' | python3 -c 'import json,sys; assert json.load(sys.stdin)[\"case\"][\"rating\"][\"level\"]==5'"
check "same digests after it" wait_for 30 same_everywhere
check "the case is sealed again and compacted" wait_for 60 bash -c "[ \"\$(OW_PASSWORD=$ADMIN_PW '$CTL' -d '$work/hall-b' --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"compacted_ops\"])')\" -gt $(compacted_ops hall-b) ]"
check "same digests after the second compaction" wait_for 30 same_everywhere

echo "== a note made concurrently with the seal"
late_case=$(create_case hall-a "$(citizen_id 4)")
check "the case reaches hall-c" wait_for 30 bash -c "OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-c' -u c1 case get '$late_case' >/dev/null 2>&1"
hall_stop hall-b
check "withdrawn at hall-a while hall-b is down" as c1 hall-a case act "$late_case" withdraw --reason "applicant withdrew"
check "hall-c (cut off) adds a note meanwhile" as c1 hall-c case note "$late_case" "材料已退还"
check "hall-a seals it alone" wait_for 30 bash -c "OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-a' -u c1 case history '$late_case' | grep -q OP_CASE_SEAL"
hall_start hall-b "${COMPACT[@]}"
check "all halls converge" wait_for 60 same_everywhere
for h in a b c; do
  check "hall-$h: the late note is there" bash -c "OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-$h' -u c1 --json case get '$late_case' | grep -q 材料已退还"
done
check "hall-a compacts it too, once every hall holds it" wait_for 60 bash -c "[ \"\$(OW_PASSWORD=$ADMIN_PW '$CTL' -d '$work/hall-a' --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"compacted_cases\"])')\" = 3 ]"
check "same digests after it" wait_for 30 same_everywhere

echo "== a hall that joins after the compaction re-seeds from a peer"
hall_init hall-d HD || exit 1
hall_start hall-d "${COMPACT[@]}"
peer hall-d hall-a
peer hall-d hall-b -
peer hall-d hall-c -
peer hall-a hall-d
peer hall-b hall-d -
peer hall-c hall-d -
check "hall-d is told that hall-a compacted what it lacks" wait_for 30 grep -q 'event=repl.reseed ' "$work/hall-d.log"
check "hall-d re-seeds from hall-a" wait_for 60 grep -q 'event=repl.reseed.done peer=hall-a' "$work/hall-d.log"
check "then it holds what the others hold" wait_for 60 same_vectors hall-a hall-b hall-c hall-d
check "and builds the same cases" wait_for 30 bash -c "[ \"\$(OW_PASSWORD=$ADMIN_PW '$CTL' -d '$work/hall-d' --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"digest\"])')\" = \"\$(OW_PASSWORD=$ADMIN_PW '$CTL' -d '$work/hall-a' --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"digest\"])')\" ]"
check "peer verify: hall-d and hall-a" ctl hall-d peer verify hall-a
check "hall-d: the delivered case, from its base" bash -c "OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-d' -u c1 --json case get '$done_case' | python3 -c 'import json,sys; c=json.load(sys.stdin)[\"case\"]; assert c[\"state\"]==\"delivered\", c; assert c[\"rating\"][\"level\"]==5, c'"
check "hall-d: the open case, from its ops" bash -c "OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-d' -u c1 case get '$open_case' >/dev/null"
check "hall-d: audit verify passes" bash -c "OW_PASSWORD=$ADMIN_PW '$CTL' -d '$work/hall-d' --json audit verify | python3 -c 'import json,sys; a=json.load(sys.stdin); assert a[\"problems_total\"]==0, a'"
check "hall-d: the clerk account came with the seed" as c1 hall-d status
check "hall-d counts the bases it took" [ "$(compacted hall-d)" -ge 3 ]
d_count=$(compacted hall-d)
hall_stop hall-d
hall_start hall-d "${COMPACT[@]}"
check "and still after a restart" [ "$(compacted hall-d)" = "$d_count" ]
check "hall-d's peer list no longer asks for a re-seed" wait_for 30 bash -c "OW_PASSWORD=$ADMIN_PW '$CTL' -d '$work/hall-d' --json peer list | python3 -c 'import json,sys; p=[x for x in json.load(sys.stdin)[\"peers\"] if x[\"id\"]==\"hall-a\"][0]; assert not p[\"reseed_origin\"], p'"
check "a case taken in at hall-d reaches hall-c" bash -c "id=\$(OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-d' -u c1 --json case create --matter GG00032001 --applicant-id $(citizen_id 9) --applicant-name 李四 --field applicant_name=李四 --field applicant_id=$(citizen_id 9) --field applicant_mobile=13800138000 --field applicant_address=深圳市福田区福华路1号 --field bank=icbc --field is_minor=no --materials id_card | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"id\"])') && for i in \$(seq 300); do OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-c' -u c1 case get \$id >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1"

echo "== hall-a's disk dies; its backup is older than the compaction"
hall_kill hall-a
rm -rf "$work/hall-a"
check "ow-node restore from the backup" "$NODE" restore "$work/backups" "$work/hall-a"
hall_start hall-a "${COMPACT[@]}"
# hall-d was added after the backup: ops add it again.
peer hall-a hall-d
check "it takes its own ops back by re-seeding and recovers" wait_for 90 grep -q 'event=repl.recovered' "$work/hall-a.log"
check "hall-a re-seeded" grep -q 'event=repl.reseed.done' "$work/hall-a.log"
check "the vectors meet" wait_for 60 same_vectors hall-a hall-b hall-c hall-d
check "equal digests" wait_for 30 same_everywhere
check "hall-a: the delivered case is back" bash -c "OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-a' -u c1 --json case get '$done_case' | python3 -c 'import json,sys; c=json.load(sys.stdin)[\"case\"]; assert c[\"state\"]==\"delivered\", c'"
check "hall-a takes a new case in" create_case hall-a "$(citizen_id 10)"
check "audit verify at hall-a" ctl hall-a audit verify
for h in hall-a hall-b hall-c hall-d; do hall_stop "$h"; done
check "no hall crashed or leaked (sanitizers)" bash -c "! grep -l 'Sanitizer\|runtime error' $work/*.log"

echo "compaction: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
