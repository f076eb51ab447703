#!/usr/bin/env bash
# End-to-end tests of taking in and working cases with the real ow-desk
# against a real ow-node, in tmux (helpers in lib.sh): a ticket called, a
# case for 欧阳娜娜 with an ID ending in X and a material missing (the
# one-time notice), printed to a file; the same applicant again, prefilled
# from the register, accepted; the case opened, acted on, its history;
# search by ID number; names with · and 𠮷; a resize in the middle of a
# form; a refusal; leaving a form; the Chinese screens.
#
# usage: desk_case_test.sh OW_DESK OW_NODE OW_CTL
set -u
DESK=${1:?usage: desk_case_test.sh OW_DESK OW_NODE OW_CTL}
NODE=${2:?usage: desk_case_test.sh OW_DESK OW_NODE OW_CTL}
CTL=${3:?usage: desk_case_test.sh OW_DESK OW_NODE OW_CTL}
. "$(dirname "$0")/lib.sh"
DAY=2026-11-16 # a Monday, inside the bundled calendar
ID=11010519491231002X
notices=$tmp/notices

OW_ADMIN_PASSWORD=admin-pass-1 OW_TODAY=$DAY "$NODE" init "$hall" --node-id hall-ft \
  --hall 福田区政务服务大厅 --hall-code FT01 >/dev/null || exit 1
start_node $DAY
OW_PASSWORD=admin-pass-1 OW_NEW_PASSWORD=clerk-pass-1 "$CTL" -d "$hall" \
  user add clerk1 --role clerk >/dev/null || exit 1
OW_PASSWORD=admin-pass-1 OW_NEW_PASSWORD=super-pass-1 "$CTL" -d "$hall" \
  user add sup1 --role supervisor >/dev/null || exit 1
ctl queue issue --category individual >/dev/null

# text_at SESSION TEXT: the column where TEXT starts on the screen, or -1
# (display columns: a Chinese character counts two).
text_at() {
  screen "$1" | python3 -c '
import sys, unicodedata
want = sys.argv[1]
for line in sys.stdin.read().split("\n"):
    i = line.find(want)
    if i >= 0:
        print(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[:i]))
        sys.exit(0)
print(-1)' "$2"
}

start_desk main OW_TODAY=$DAY OW_DRAFT_DIR=$tmp/drafts -- -d "$hall" --window 3 -u clerk1 --notice-dir "$notices"
check "login screen" poll main "User name:"
text main clerk-pass-1
keys main Enter
check "home screen" poll main "My open cases"
keys main F2
check "F2 calls ticket A001" poll main "Ticket A001"

# ---- A new case: the matter by part of its code, the form from the node
keys main F3
check "F3 opens the matter picker" poll main "choose the matter"
text main GG00032
check "typing narrows the matters" poll main "GG00032001"
check "others are gone" poll_gone main "XK00012001"
keys main Enter
check "Enter opens the form" poll main "New case:  GG00032001"
check "the form carries the ticket" poll main "Ticket A001"
check "materials are listed" poll main "[ ] Applicant's resident identity card"

# The ID with a wrong check character: autoskip, the problem stays on
# the row; back on it, the message says what the check character is.
text main 110105194912310020
check "the wrong ID is marked" poll main "! Applicant's citizen ID"
keys main BTab
check "the message names the right check character" poll main "it should be X"
keys main BSpace
text main x
check "x is taken as X" poll main "$ID"
check "the register is asked: a new applicant" poll main "New applicant."
check "the mark is gone" poll_gone main "! Applicant's citizen ID"
before=$(cursor main)
text main 欧阳娜娜
bx=${before%,*} by=${before#*,}
check "欧阳娜娜 moves the cursor 8 columns" poll_cursor main "$((bx + 8)),$by"
keys main Tab
text main 13800138000
text main 深圳市福田区福华路1号
check "Chinese address shows" poll main "深圳市福田区福华路1号"
keys main Tab
keys main Space
check "Space picks the first bank" poll main "< Industrial and Commercial Bank of China >"
keys main Tab
keys main Right
check "Right picks a choice" poll main "< No >"
check "the outcome line: incomplete" poll main "incomplete: one-time notice; 1 missing"
keys main F2
check "F2 asks about the one-time notice" poll main "1 material is missing: issue the one-time notice?"
keys main y
check "the one-time notice" poll main "One-time notice of everything missing"
check "the case id" poll main "FT01-20261116-0001"
check "the missing material is listed" poll main "Applicant's resident identity card"
keys main F6
check "F6 saves the notice" poll main "The notice was saved to"
check "the notice file holds the case" grep -q "FT01-20261116-0001" "$notices"/FT01-20261116-0001-onetime.txt
check "and the applicant" grep -q "欧阳娜娜" "$notices"/FT01-20261116-0001-onetime.txt
keys main Enter
check "Enter goes home" poll main "My open cases"
check "the ticket was served" poll main "At window 3: no ticket"
check "the node linked it to the case" grep -q "^A001 2 3 FT01-20261116-0001" <<<"$(ctl queue list)"

# ---- The ticket at the window: skip, call again, send elsewhere
ctl queue issue --category individual >/dev/null
ctl queue issue --category individual >/dev/null
check "two more wait" poll main "Waiting: 2"
keys main F2
check "A002 called" poll main "Ticket A002"
keys main F6
check "F6: what to do with the ticket" poll main "Skip: the applicant did not come"
keys main 2
check "called again" poll main "Ticket A002 called again."
keys main F6
keys main 1
check "skipped" poll main "Ticket A002 skipped."
keys main F2
check "A003 called" poll main "Ticket A003"
keys main F6
keys main 3
check "the window is asked" poll main "The window:"
text main 7
keys main Enter
check "sent to window 7" poll main "Ticket A003 sent to window 7."
check "this window is free" poll main "At window 3: no ticket"

# ---- The applicant comes back: prefilled from the register, accepted
keys main F3
text main GG00032001
keys main Enter
check "the form again" poll main "New case:  GG00032001"
text main $ID
check "known applicant: fields filled in" poll main "Known applicant: 3 fields filled in"
check "the name came from the register" poll main "欧阳娜娜"
check "the address too" poll main "深圳市福田区福华路1号"
check "one earlier case" poll main "Known applicant: 1 earlier case."
keys main F5
check "F5 lists the applicant's cases" poll main "The applicant's earlier cases"
check "with the first case" poll main "FT01-20261116-0001  waiting for supplementary materials"
keys main Enter
check "Enter opens it" poll main "Case FT01-20261116-0001"
keys main Escape
check "Esc returns to the form, as it was" poll main "Known applicant: 1 earlier case."
for _ in 1 2 3; do keys main Tab; done
keys main Space
keys main Tab
keys main 1
check "a digit picks a choice" poll main "< No >"
keys main Tab
keys main Space
check "Space ticks the material" poll main "[x] Applicant's resident identity card"
check "the outcome line: complete" poll main "Materials: complete; 0 missing"
keys main F2
check "complete: accept?" poll main "The materials are complete: accept the case?"
keys main Enter
check "Enter keeps the safe answer (No)" poll_gone main "accept the case?"
check "still in the form" poll main "New case:  GG00032001"
keys main F2
keys main y
check "the acceptance notice" poll main "Acceptance notice"
check "the second case" poll main "FT01-20261116-0002"

# ---- The case: details, an action, the history
keys main F3
check "F3 opens the case" poll main "Case FT01-20261116-0002  accepted"
check "the labels come from the matter" poll main "Bank for the card's financial account"
check "the choice in words" poll main "Industrial and Commercial Bank of China"
check "the deadline" poll main "Promised: 2026-11-16"
check "the allowed actions" poll main "Start the review"
keys main F4
check "F4 lists the actions" poll main "Act on the case"
keys main 1
check "the first action: under review" poll main "Case FT01-20261116-0002  under review"
keys main F7
check "F7 shows the history" poll main "taken in"
check "with the action" poll main "accepted -> in_review"
keys main F8
check "F8 asks for the rating" poll main "The applicant's rating"
keys main Enter
check "then the comment" poll main "The applicant's comment"
text main 办事很快
keys main Enter
check "the rating is on the case" poll main "Rating: 5/5 办事很快"
keys main F6
check "F6 asks for a note" poll main "The note (for colleagues"
text main 申请人下午来取证
keys main Enter
check "the note is on the case" poll main "clerk1: 申请人下午来取证"
# A supervisor approves it elsewhere; the clerk delivers by post.
OW_PASSWORD=super-pass-1 "$CTL" -d "$hall" -u sup1 case act FT01-20261116-0002 approve >/dev/null
keys main F5
check "F5 shows the approval" poll main "Case FT01-20261116-0002  approved"
keys main F4
check "deliver is offered" poll main "Deliver the result"
keys main 1
check "how is it delivered?" poll main "How is the result delivered?"
keys main 2
check "by post: the tracking number" poll main "The tracking number:"
text main SF1234567890
keys main Enter
check "delivered" poll main "Case FT01-20261116-0002  result delivered"
check "by post, with the number" poll main "Delivered: by post SF1234567890"
keys main Escape
check "Esc goes back home" poll main "My open cases"

# ---- Search by ID number, open from the results
keys main /
check "/ opens the search" poll main "Search cases (any hall)"
keys main F3
check "F3: by ID number" poll main "ID number or USCC:"
text main $ID
keys main Enter
check "both cases found" poll main "2 cases found."
check "the ID is masked in the list" poll main "1101**********002X"
keys main Down
keys main Enter
check "Enter opens a result" poll main "Case FT01-20261116-000"
keys main Escape
check "Esc returns to the search" poll main "Search cases (any hall)"
keys main Escape
check "and home" poll main "My open cases"

# ---- Withdrawing asks for the reason and to confirm
keys main /
check "the search keeps its results" poll main "FT01-20261116-0001"
keys main Up
keys main Enter
check "the first case" poll main "Case FT01-20261116-0001  waiting for supplementary materials"
keys main F4
check "withdraw is offered" poll main "Withdrawn by the applicant"
keys main 2
check "the reason is asked" poll main "The reason, as the applicant will be told:"
text main 申请人主动撤回
keys main Enter
check "it cannot be undone: are you sure?" poll main "cannot be undone"
keys main Enter
check "Enter keeps the safe answer" poll main "Case FT01-20261116-0001  waiting for supplementary materials"
keys main F4
keys main 2
text main 申请人主动撤回
keys main Enter
keys main y
check "withdrawn" poll main "Case FT01-20261116-0001  withdrawn"
keys main Escape
check "back to the search" poll main "Search cases (any hall)"
keys main Escape
check "home after the withdrawal" poll main "My open cases"

# ---- Names with · and 𠮷, a resize in the middle of the form
keys main F3
text main GG00032001
keys main Enter
check "a third form" poll main "New case:  GG00032001"
text main 440308199901101512
check "another new applicant" poll main "New applicant."
text main 买买提·𠮷力
check "the name with · and 𠮷 shows" poll main "买买提·𠮷力"
t resize-window -t main -x 70 -y 20
check "too small in the middle of the form" poll main "terminal too small"
t resize-window -t main -x 100 -y 30
check "the form is back with the name" poll main "买买提·𠮷力"
col=$(text_at main "买买提·𠮷力")
check "the cursor is after the name (col $col)" poll_cursor main "$((col + 11)),$by"
keys main Tab
text main 13900139000
text main 深圳市南山区
keys main Tab Space Tab Right Tab Space
keys main F2
keys main y
check "the case with the rare name" poll main "FT01-20261116-0003"
check "its notice names the applicant" poll main "买买提·𠮷力"
keys main Enter

# ---- A refusal, with the reason
keys main F3
text main GG00032001
keys main Enter
check "a fourth form" poll main "New case:  GG00032001"
keys main F8
check "refusing wants the ID first" poll main "Enter the applicant's ID number first"
text main 440308199901101512
keys main F8
check "the reason is asked" poll main "Refuse the application"
keys main Enter
check "an empty reason is not taken" poll main "Refuse the application"
text main 不属于本机关职权范围
keys main Enter
check "refusing is confirmed" poll main "The applicant gets a written refusal"
keys main y
check "the refusal notice" poll main "Refusal notice"
check "with the reason" poll main "不属于本机关职权范围"
keys main Enter

# ---- A dropped session (SIGHUP) keeps the form on this machine
draft=$tmp/drafts/draft-clerk1.json
keys main F3
text main GG00032001
keys main Enter
check "a form to drop" poll main "New case:  GG00032001"
text main 440308199901101512
check "the register fills it in" poll main "买买提·𠮷力"
keys main Tab Tab Tab Space
check "a bank chosen" poll main "< Industrial and Commercial Bank of China >"
for _ in $(seq 50); do grep -q '"bank"' "$draft" 2>/dev/null && break; sleep 0.1; done
check "the draft is kept, 0600" [ "$(stat -c %a "$draft" 2>/dev/null)" = 600 ]
check "the draft holds no more than the form" grep -q '"matter":"GG00032001"' "$draft"
t kill-session -t main
start_desk main OW_TODAY=$DAY OW_DRAFT_DIR=$tmp/drafts -- -d "$hall" --window 3 -u clerk1 --notice-dir "$notices"
check "after the hang-up: login" poll main "User name:"
text main clerk-pass-1
keys main Enter
check "the desk says a form was kept" poll main "An unfinished form (GG00032001) was kept"
keys main F3
check "F3 brings it back" poll main "The unfinished form is back as it was left."
check "with the ID typed" poll main "440308199901101512"
check "and the choice made" poll main "< Industrial and Commercial Bank of China >"
keys main Escape
check "leaving it asks" poll main "Leave the form?"
keys main y
check "left" poll main "My open cases"
check "the draft is gone" [ ! -e "$draft" ]

# ---- Leaving a form with input asks first; Esc undoes a field first
keys main F3
text main GG00032001
keys main Enter
check "a fifth form" poll main "New case:  GG00032001"
text main 440308
keys main Escape
check "Esc undoes the field" poll_gone main "440308"
text main 440308
keys main Tab
keys main Escape
check "Esc on an unchanged field asks before leaving" poll main "Leave the form?"
keys main n
check "No stays" poll main "New case:  GG00032001"
keys main F10
check "quitting asks too" poll main "Quit ow-desk?"
keys main Escape
check "Esc keeps the desk" poll_gone main "Quit ow-desk?"
keys main Escape
check "asks again" poll main "Leave the form?"
keys main y
check "Yes leaves" poll main "My open cases"
keys main F10
check "F10 quits" poll main "DESK-EXIT rc=0"

# ---- The Chinese screens
start_desk zh LANGUAGE=zh_CN OW_TODAY=$DAY OW_DRAFT_DIR=$tmp/drafts -- -d "$hall" --window 5 -u clerk1 \
  --print "cat > $tmp/printed.txt"
check "zh: login" poll zh "用户名"
text zh clerk-pass-1
keys zh Enter
check "zh: home" poll zh "我的在办案件"
keys zh F3
text zh 社会保障
check "zh: matters by Chinese name" poll zh "社会保障卡申领"
keys zh Enter
check "zh: the form in Chinese" poll zh "申请人身份证号码"
text zh $ID
check "zh: prefilled" poll zh "欧阳娜娜"
keys zh Escape
check "zh: leaving asks in Chinese" poll zh "离开表单？"
keys zh y
check "zh: home again" poll zh "我的在办案件"
# A refusal in Chinese, printed through the print command.
keys zh F3
text zh 社会保障
keys zh Enter
check "zh: a form" poll zh "申请人身份证号码"
text zh 440308199901101512
keys zh F8
check "zh: the reason is asked" poll zh "理由（法律依据）"
text zh 申请事项依法不需要取得行政许可
keys zh Enter
check "zh: refusing is confirmed" poll zh "不予受理此申请？"
keys zh y
check "zh: the refusal notice" poll zh "不予受理通知书"
keys zh F6
check "zh: printed" poll zh "通知书已送打印机。"
check "zh: the print command got the notice" grep -q "申请事项依法不需要取得行政许可" "$tmp/printed.txt"
keys zh Enter
keys zh /
keys zh F3
text zh $ID
keys zh Enter
check "zh: search results" poll zh "找到 2 件"
keys zh F10
check "zh: quits" poll zh "DESK-EXIT rc=0"

finish desk_case_test
