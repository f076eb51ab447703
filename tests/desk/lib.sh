# lib.sh: what the desk's tmux tests share: a temporary directory, a
# private tmux server, a real ow-node, and helpers that poll the screen
# (never sleep a fixed time). Sourced after DESK, NODE and CTL are set;
# the caller sets hall (the node's data directory) before start_node.
# Everything started here goes away at exit, also when a check fails.
command -v tmux >/dev/null || { echo "desk_test: tmux is not installed: skipped"; exit 77; }
export LC_ALL=C.UTF-8
unset LANGUAGE NO_COLOR OW_DATADIR OW_WINDOW OW_USER TMUX

tmp=$(mktemp -d /tmp/ow-desk-test.XXXXXX)
sock=ow-desk-test-$$
hall=$tmp/hall
node_pid=""
pass=0
fail=0
# Sanitizer reports of the desks go to files, not into the panes.
desk_asan="${ASAN_OPTIONS:-}:log_path=$tmp/asan"

cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null
  stop_node
  rm -rf "$tmp"
}
trap cleanup EXIT

stop_node() {
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    kill -TERM "$node_pid"
    wait "$node_pid" 2>/dev/null
  fi
  node_pid=""
}

start_node() { # start_node DAY
  OW_TODAY=$1 "$NODE" run "$hall" --set tick_seconds=1 2>>"$tmp/node.log" &
  node_pid=$!
  for _ in $(seq 100); do
    OW_PASSWORD=admin-pass-1 "$CTL" -d "$hall" status >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the node did not start:"; cat "$tmp/node.log"
  exit 1
}

ctl() { OW_PASSWORD=clerk-pass-1 "$CTL" -d "$hall" -u clerk1 "$@"; }

t() { tmux -L "$sock" "$@"; }
screen() { t capture-pane -p -t "$1" 2>/dev/null; }
cursor() { t display -p -t "$1" '#{cursor_x},#{cursor_y}'; }
keys() { local s=$1; shift; t send-keys -t "$s" "$@"; }
text() { t send-keys -t "$1" -l "$2"; }

# poll SESSION TEXT [SECONDS]: wait until the screen shows TEXT.
poll() {
  local i
  for ((i = 0; i < ${3:-10} * 20; i++)); do
    screen "$1" | grep -qF -- "$2" && return 0
    sleep 0.05
  done
  return 1
}
# poll_re SESSION REGEX [SECONDS]: wait until a line matches REGEX (ERE).
poll_re() {
  local i
  for ((i = 0; i < ${3:-10} * 20; i++)); do
    screen "$1" | grep -qE -- "$2" && return 0
    sleep 0.05
  done
  return 1
}
# poll_re_gone SESSION REGEX [SECONDS]: wait until no line matches REGEX.
poll_re_gone() {
  local i
  for ((i = 0; i < ${3:-10} * 20; i++)); do
    screen "$1" | grep -qE -- "$2" || return 0
    sleep 0.05
  done
  return 1
}
# poll_gone SESSION TEXT [SECONDS]: wait until TEXT is gone.
poll_gone() {
  local i
  for ((i = 0; i < ${3:-10} * 20; i++)); do
    screen "$1" | grep -qF -- "$2" || return 0
    sleep 0.05
  done
  return 1
}
# poll_cursor SESSION X,Y [SECONDS]
poll_cursor() {
  local i
  for ((i = 0; i < ${3:-10} * 20; i++)); do
    [ "$(cursor "$1")" = "$2" ] && return 0
    sleep 0.05
  done
  return 1
}

last_session=""
check() { # check NAME COMMAND...
  local name=$1
  shift
  if "$@"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name"
    if [ -n "$last_session" ]; then
      echo "--- screen of $last_session (cursor $(cursor "$last_session" 2>/dev/null)):"
      screen "$last_session"
      echo "---"
    fi
  fi
}

# The desk runs under a wrapper that says what it left behind: its exit
# status and the terminal's modes (canonical input and echo back on).
cat >"$tmp/run-desk.sh" <<'EOF'
#!/usr/bin/env bash
ulimit -c 0 # the fatal-signal test must leave no core file behind
echo BEFORE-DESK
"$@"
rc=$?
echo "DESK-EXIT rc=$rc"
echo "MODES $(stty -a | tr ' ;' '\n\n' | grep -xE -- '-?(icanon|echo)' | tr '\n' ' ')END"
exec sleep 600
EOF
chmod +x "$tmp/run-desk.sh"

start_desk() { # start_desk SESSION ENV-ASSIGNMENTS... -- DESK-ARGS...
  local s=$1
  shift
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  local cmd
  # Drafts go to the test's directory, never the user's (a later
  # OW_DRAFT_DIR in envs wins).
  cmd=$(printf '%q ' env LC_ALL=C.UTF-8 "ASAN_OPTIONS=$desk_asan" \
    "OW_DRAFT_DIR=$tmp/drafts-$s" "${envs[@]}" \
    "$tmp/run-desk.sh" "$DESK" "$@")
  if t has-session 2>/dev/null; then
    t new-session -d -s "$s" -x 100 -y 30 "$cmd"
  else
    t -f /dev/null new-session -d -s "$s" -x 100 -y 30 "$cmd"
  fi
  last_session=$s
}

desk_pid() { pgrep -P "$(t display -p -t "$1" '#{pane_pid}')" | head -1; }


# finish NAME: sanitizer reports of the desks (an ASan build) fail the
# test; print the count; the exit status says whether all passed.
finish() {
  last_session=""
  reports=$(cat "$tmp"/asan.* 2>/dev/null | grep -v -e '^-*$' -e 'Suppressions used' -e 'count  *bytes template' -e '^ *[0-9]* *[0-9]* libpanelw.so$')
  check "no sanitizer reports from the desks" [ -z "$reports" ]
  [ -n "$reports" ] && echo "$reports" | head -60

  echo "$1: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
