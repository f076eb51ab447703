#!/usr/bin/env bash
# A hall's disk dies; it is restored from a backup and catches up from its
# peer, losing nothing that was acknowledged after the backup:
#
#   hall-a <-> hall-b over mutual TLS. hall-a takes cases, `ow-ctl backup
#   create`, `backup list`, `backup verify`; takes more cases and acts on an
#   old one (acknowledged, replicated to hall-b); is killed with SIGKILL
#   and its data directory removed. `ow-node restore` makes a new one from
#   the backup; started while hall-b is down, it refuses changes
#   (CM_ERECOVERING); once hall-b is back it takes back its own later ops,
#   then every acknowledged case is there again, new case ids do not clash
#   with the ones it got back, digests are equal and `audit verify` passes.
#
#   restore_test.sh OW-NODE OW-CTL MAKE-CERTS
set -u
NODE=${1:?usage: restore_test.sh OW-NODE OW-CTL MAKE-CERTS}
CTL=${2:?}
CERTS=${3:?}
work=$(mktemp -d /tmp/ow-restore.XXXXXX)
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
trap halls_cleanup EXIT

hall_init hall-a HA || exit 1
hall_init hall-b HB || exit 1
hall_start hall-a
hall_start hall-b
peer hall-a hall-b
peer hall-b hall-a
OW_NEW_PASSWORD=$USER_PW ctl hall-a user add c1 --role clerk --hall HA >/dev/null
check "the clerk reaches hall-b" wait_for 20 as c1 hall-b status
: >"$work/acked"
for i in 1 2 3; do create_case hall-a "$(citizen_id "$i")" >>"$work/acked"; done
first=$(head -n 1 "$work/acked")

echo "== backups"
check "no backups yet" bash -c "OW_PASSWORD=$ADMIN_PW '$CTL' -d '$work/hall-a' backup list --dir '$work/backups' | grep -q 'No backups'"
check "backup create" ctl hall-a backup create --dir "$work/backups"
nb() { ctl hall-a --json backup list --dir "$work/backups" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["backups"]))'; }
check "backup list shows it" [ "$(nb)" = 1 ]
id=$(ctl hall-a --json backup list --dir "$work/backups" | python3 -c 'import json,sys; print(json.load(sys.stdin)["backups"][0]["id"])')
check "backup verify $id" ctl hall-a backup verify "$id" --dir "$work/backups"
check "an unknown backup does not verify" bash -c "! OW_PASSWORD=$ADMIN_PW '$CTL' -d '$work/hall-a' backup verify 99 --dir '$work/backups'"
check "a relative backup directory is refused" bash -c "! OW_PASSWORD=$ADMIN_PW '$CTL' -d '$work/hall-a' backup list --dir backups"
check "a clerk may not make backups" bash -c "! OW_PASSWORD=$USER_PW '$CTL' -d '$work/hall-a' -u c1 backup create --dir '$work/backups'"
check "restore through the running node into a new directory" ctl hall-a backup restore 0 "$work/copy" --dir "$work/backups"
check "the copy has a store and the key" [ -d "$work/copy/db" -a -f "$work/copy/node.key" ]
check "never over an existing directory" bash -c "! '$NODE' restore '$work/backups' '$work/copy' 2>/dev/null"

echo "== after the backup: acknowledged at hall-a, replicated to hall-b"
for i in 4 5 6 7; do create_case hall-a "$(citizen_id "$i")" >>"$work/acked"; done
check "an old case moves on after the backup" as c1 hall-a case act "$first" start_review
check "hall-b has it all" wait_for 30 same_vectors hall-a hall-b
n_acked=$(wc -l <"$work/acked")

echo "== the disk dies"
hall_kill hall-a
rm -rf "$work/hall-a"
hall_stop hall-b
check "ow-node restore from the newest backup" "$NODE" restore "$work/backups" "$work/hall-a"
hall_start hall-a
refused() {
  ! OW_PASSWORD=$USER_PW "$CTL" -d "$work/hall-a" -u c1 case create --matter GG00032001 \
    --applicant-id "$(citizen_id 9)" --field applicant_name=张三 --field "applicant_id=$(citizen_id 9)" \
    --field applicant_mobile=13800138000 --field 'applicant_address=深圳市福田区福华路1号' \
    --field bank=icbc --field is_minor=no --materials id_card >"$work/refused.out" 2>&1 &&
    grep -q "restored from a backup" "$work/refused.out"
}
check "while its peer is away the restored hall refuses changes" refused
check "and says so in its log" grep -q "repl.recovering" "$work/hall-a.log"
hall_start hall-b
recovered() { grep -q "repl.recovered" "$work/hall-a.log"; }
check "with hall-b back it recovers" wait_for 30 recovered
check "the vectors meet" wait_for 30 same_vectors hall-a hall-b
missing=0
while read -r cid; do
  reader hall-a case get "$cid" >/dev/null 2>&1 || { missing=$((missing + 1)); echo "missing: $cid"; }
done <"$work/acked"
check "all $n_acked acknowledged cases are back ($missing missing)" [ "$missing" -eq 0 ]
check "the change made after the backup is back" [ "$(case_field hall-a "$first" state)" = in_review ]
new=$(create_case hall-a "$(citizen_id 8)")
check "a new case ($new) takes an id none of the old ones has" bash -c "[ -n '$new' ] && ! grep -qx '$new' '$work/acked'"
check "it reaches hall-b" wait_for 20 reader hall-b case get "$new"
same_digest() { [ "$(digest hall-a)" = "$(digest hall-b)" ]; }
check "equal digests" wait_for 10 same_digest
check "peer verify" ctl hall-a peer verify hall-b
check "audit verify at hall-a" ctl hall-a audit verify
check "audit verify at hall-b" ctl hall-b audit verify
for h in hall-a hall-b; do hall_stop "$h"; done
check "no hall crashed or leaked (sanitizers)" bash -c "! grep -l 'Sanitizer\|runtime error' $work/*.log"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
