#!/usr/bin/env bash
# End-to-end tests of the real ow-desk against a real ow-node, driven in
# tmux (the way tmux's own regress/ scripts work): a private server socket
# and no user configuration, keys with send-keys (-l types text literally,
# Chinese too), the screen with capture-pane, the cursor with display -p,
# resizes with resize-window. Every wait polls the screen with a time
# limit; nothing sleeps for a fixed time. The node, the tmux server and
# the temporary directory go away at the end, also when a check fails.
#
# usage: desk_test.sh OW_DESK OW_NODE OW_CTL
set -u
DESK=${1:?usage: desk_test.sh OW_DESK OW_NODE OW_CTL}
NODE=${2:?usage: desk_test.sh OW_DESK OW_NODE OW_CTL}
CTL=${3:?usage: desk_test.sh OW_DESK OW_NODE OW_CTL}
. "$(dirname "$0")/lib.sh"
# The node's day: inside the bundled calendar, a working day, and the
# same on every run; the case created on it is overdue by DAY2.
DAY1=2026-11-02
DAY2=2026-11-27

# ---- Refusals before the screen starts
out=$(LC_ALL=C "$DESK" -d "$tmp/none" 2>&1 </dev/null)
rc=$?
check "a non-UTF-8 locale is refused" [ "$rc" -eq 2 ]
check "the refusal says why" grep -q "not UTF-8" <<<"$out"
out=$("$DESK" -d "$tmp/none" 2>&1 </dev/null)
rc=$?
check "no terminal is refused" [ "$rc" -eq 2 ]
out=$("$DESK" --window 'bad window' -d "$tmp/none" 2>&1)
check "a bad window is refused" grep -q "window" <<<"$out"

# ---- A node with a clerk, a case assigned to the clerk
OW_ADMIN_PASSWORD=admin-pass-1 OW_TODAY=$DAY1 "$NODE" init "$hall" --node-id hall-ft \
  --hall 福田区政务服务大厅 --hall-code FT01 >/dev/null || exit 1
start_node $DAY1
OW_PASSWORD=admin-pass-1 OW_NEW_PASSWORD=clerk-pass-1 "$CTL" -d "$hall" \
  user add clerk1 --role clerk >/dev/null || exit 1
case_id=$(OW_TODAY=$DAY1 ctl --json case create --matter GG00032001 \
  --applicant-id 440308199901101512 --applicant-name 张三 --applicant-mobile 13800138000 \
  --field applicant_name=张三 --field applicant_id=440308199901101512 \
  --field applicant_mobile=13800138000 --field 'applicant_address=深圳市福田区福华路1号' \
  --field bank=icbc --field is_minor=no --materials id_card |
  sed -n 's/^  "id": "\(.*\)",$/\1/p')
check "a case for the clerk" [ -n "$case_id" ]

# ---- The login screen
start_desk main -- -d "$hall" --window 3
check "the login screen shows" poll main "User name:"
before=$(cursor main)
text main 张三
check "typed Chinese shows" poll main "张三"
bx=${before%,*} by=${before#*,}
check "the cursor moved 4 columns after 张三 (was $before)" poll_cursor main "$((bx + 4)),$by"
keys main C-u
check "Ctrl-U empties the field" poll_cursor main "$before"
text main clerk1
keys main Tab
text main wrong-password
check "the password shows as stars" poll main "**************"
check "the password is not shown" poll_gone main "wrong-password" 1
keys main Enter
check "a wrong password is refused on the screen" poll main "wrong user name or password"
text main clerk-pass-1
keys main Enter
check "the right password opens the home screen" poll main "My open cases"
check "the status line names the user" poll main "clerk1 |"
check "the node link is up" poll main "Node: online"
check "my case is listed" poll main "$case_id"
check "the cursor sits on the selected case" poll_cursor main "2,6"

# ---- Live queue: tickets issued elsewhere show without a key
check "nobody waits at first" poll main "Waiting: 0"
ctl queue issue --category individual >/dev/null
ctl queue issue --category enterprise >/dev/null
check "two tickets show without a key (events)" poll main "Waiting: 2"
keys main F2
check "F2 calls A001 to window 3" poll main "Ticket A001"
check "one is left waiting" poll main "Waiting: 1"
ctl queue link A001 --case "$case_id" >/dev/null
check "the served ticket leaves the window" poll main "At window 3: no ticket"
keys main Escape 2
check "Esc 2 calls the next ticket (B001)" poll main "Ticket B001"
check "nobody waits now" poll main "Waiting: 0"

# ---- Help
keys main F1
check "F1 opens the help from the key map" poll main "Call the next ticket to this window"
check "the help names the Esc+digit fallback" poll main "Esc 1 = F1"
keys main Escape
check "Esc closes the help" poll_gone main "Esc 1 = F1"
keys main '?'
check "? opens the help too" poll main "Call the next ticket to this window"
keys main Escape
check "and Esc closes it" poll_gone main "Esc 1 = F1"

# ---- Resize: too small, then back with focus and data
keys main Tab
check "Tab moves the focus to the warnings" poll_cursor main "2,21"
t resize-window -t main -x 70 -y 20
check "70x20 is too small" poll main "terminal too small (need 80x24)"
check "the home screen is hidden" poll_gone main "My open cases"
t resize-window -t main -x 100 -y 30
check "100x30 brings the home screen back" poll main "My open cases"
check "with the data" poll main "$case_id"
check "and the focus where it was" poll_cursor main "2,21"
keys main Tab

# ---- Colour: the normal run uses it
check "the normal run uses colour" grep -qE $'\e\\[[0-9;]*(3[0-7]|4[0-7])[;m]' \
  <<<"$(t capture-pane -p -e -t main)"

# ---- The node restarts two weeks later: the case is overdue, the
# session is gone; the desk locks and takes the password again.
stop_node
start_node $DAY2
keys main F5
check "the ended session locks the desk" poll main "Desk locked" 20
check "the lock says why" poll main "The session has ended"
text main clerk-pass-1
keys main Enter
check "the password unlocks the desk" poll main "My open cases" 15
check "the overdue case shows with its marker" poll main "[X] $case_id" 15
check "and its level in words" poll main "overdue"

# ---- F10 quits: exit 0, the terminal put back
keys main F10
check "F10 quits with exit status 0" poll main "DESK-EXIT rc=0"
check "the shell's screen is back" poll main "BEFORE-DESK"
check "the terminal's modes are back" poll main "MODES icanon echo END"

# ---- NO_COLOR, and the idle lock
start_desk mono NO_COLOR=1 OW_DESK_LOCK_SECONDS=5 -- -d "$hall" --window 4 -u clerk1
check "NO_COLOR: the login screen shows" poll mono "User name:"
text mono clerk-pass-1
keys mono Enter
check "NO_COLOR: the same home screen" poll mono "My open cases"
check "NO_COLOR: the same lists" poll mono "[X] $case_id"
check "NO_COLOR: the same status line" poll mono "clerk1 | FT01 | Window 4 | Node: online"
check "NO_COLOR: no colour escapes" bash -c '! grep -qE $'"'"'\e\[[0-9;]*(3[0-7]|4[0-7]|38|48)[;m]'"'"' <<<"$1"' _ \
  "$(t capture-pane -p -e -t mono)"
check "idle: the desk locks itself" poll mono "Desk locked" 15
check "idle: the home screen is hidden" poll_gone mono "My open cases"
text mono nope
keys mono Enter
check "idle: a wrong password does not unlock" poll mono "wrong user name or password"
text mono clerk-pass-1
keys mono Enter
check "idle: the password unlocks" poll mono "My open cases"
pid=$(desk_pid mono)
kill -TERM "$pid" 2>/dev/null
check "SIGTERM: the desk exits 0" poll mono "DESK-EXIT rc=0"
check "SIGTERM: the terminal's modes are back" poll mono "MODES icanon echo END"

# ---- No node: the login says so
start_desk gone -- -d "$tmp/nowhere" -u clerk1
check "no node: the login screen shows" poll gone "User name:"
text gone x
keys gone Enter
check "no node: the login says it cannot be reached" poll gone "The node cannot be reached"
keys gone Escape 0
check "Esc 0 quits like F10" poll gone "DESK-EXIT rc=0"

# ---- A fatal signal: the terminal is put back before the desk dies
start_desk crash -- -d "$hall" -u clerk1
check "crash: the login screen shows" poll crash "User name:"
pid=$(desk_pid crash)
kill -QUIT "$pid" 2>/dev/null
check "crash: SIGQUIT ends the desk by the signal" poll crash "DESK-EXIT rc=131"
check "crash: the terminal's modes are back" poll crash "MODES icanon echo END"
check "crash: the shell's screen is back" poll crash "BEFORE-DESK"

finish desk_test
