#!/usr/bin/env bash
# `cmake --install` and what it lays out (issue "Supervisors and ops":
# systemd unit, /etc/onewindow, /var/lib/onewindow): the programs, the
# bundled data, the translations, ow-node.service, the sysusers.d entry and
# the example configuration; the unit checked by systemd-analyze; then the
# INSTALLED ow-node started with a configuration made from the installed
# example, ow-ctl status against it, the log level changed by SIGHUP
# without a restart, and a clean stop.
#
#   install_test.sh BUILD-DIR
#
# Everything is installed below a temporary directory: DESTDIR=$work/stage
# and --prefix $work/prefix, so that even an absolute OW_SYSTEMD_UNITDIR
# (a distribution's /lib/systemd/system) stays inside it. The relative
# install directories come from tests/install/CMakeLists.txt (OW_INST_*),
# the configured prefix and the packaging cache variables from the build's
# CMakeCache.txt.
set -u
BUILD=${1:?usage: install_test.sh BUILD-DIR}
SRC=${OW_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export LC_ALL=C.UTF-8
work=$(mktemp -d /tmp/ow-install.XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
pass=0
fail=0
check() {
  local name=$1
  shift
  if "$@" >"$work/check.out" 2>&1; then
    pass=$((pass + 1))
    echo "ok: $name"
  else
    fail=$((fail + 1))
    echo "FAIL: $name"
    tail -n 5 "$work/check.out"
  fi
}
cache() { sed -n "s/^$1:[A-Z]*=//p" "$BUILD/CMakeCache.txt"; }
# Where an install directory lands under the stage: relative ones below
# the prefix, absolute ones as they are.
staged() { case $1 in /*) echo "$work/stage$1" ;; *) echo "$root/$1" ;; esac; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

conf_prefix=$(cache CMAKE_INSTALL_PREFIX)
unitdir=$(cache OW_SYSTEMD_UNITDIR)
sysusersdir=$(cache OW_SYSUSERSDIR)
bindir=${OW_INST_BINDIR:-bin}
datadir=${OW_INST_DATADIR:-share}
localedir=${OW_INST_LOCALEDIR:-share/locale}
docdir=${OW_INST_DOCDIR:-share/doc/onewindow}
prefix=$work/prefix
root=$work/stage$prefix

# --- cmake --install ------------------------------------------------------
check "cmake --install into a temporary prefix" \
  env DESTDIR="$work/stage" cmake --install "$BUILD" --prefix "$prefix"
for p in ow-node ow-ctl ow-desk ow-forms; do
  check "$bindir/$p is installed and executable" test -x "$root/$bindir/$p"
done
json_in() { compgen -G "$1/*.json" >/dev/null; }
check "$datadir/onewindow/catalog/*.json" json_in "$root/$datadir/onewindow/catalog"
check "$datadir/onewindow/calendar/*.json" json_in "$root/$datadir/onewindow/calendar"
# The same JSON files in both directories, byte for byte.
same_json() {
  local a=$1 b=$2 f
  [ "$(find "$a" -maxdepth 1 -name '*.json' -printf '%f\n' | sort)" = \
    "$(find "$b" -maxdepth 1 -name '*.json' -printf '%f\n' | sort)" ] || return 1
  for f in "$a"/*.json; do cmp "$f" "$b/${f##*/}" || return 1; done
}
check "the catalog is installed whole" same_json "$SRC/forms/catalog" "$root/$datadir/onewindow/catalog"
check "the calendar is installed whole" same_json "$SRC/forms/calendar" "$root/$datadir/onewindow/calendar"
check "$localedir/zh_CN/LC_MESSAGES/onewindow.mo" \
  test -s "$root/$localedir/zh_CN/LC_MESSAGES/onewindow.mo"
unit=$(staged "$unitdir")/ow-node.service
sysusers=$(staged "$sysusersdir")/onewindow.conf
example=$root/$docdir/examples/ow-node.conf.example
check "the unit: $unitdir/ow-node.service" test -s "$unit"
check "the sysusers.d entry: $sysusersdir/onewindow.conf" test -s "$sysusers"
check "the example configuration: $docdir/examples/ow-node.conf.example" test -s "$example"
check "nothing installed below /etc: the configuration is ops' own" \
  test ! -e "$root/etc" -a ! -e "$work/stage/etc"
check "the installed ow-forms lints the installed catalog" \
  "$root/$bindir/ow-forms" lint "$root/$datadir/onewindow/catalog"

# --- the unit and the sysusers entry ----------------------------------------
has() { grep -qxF -- "$1" "$2"; }
check "no @VARIABLE@ left in the unit or the example" \
  bash -c "! grep -n '@[A-Z_]*@' '$unit' '$example'"
check "ExecStart runs the configured prefix's ow-node on /var/lib/onewindow" \
  has "ExecStart=$conf_prefix/$bindir/ow-node run /var/lib/onewindow --config /etc/onewindow/ow-node.conf" "$unit"
# shellcheck disable=SC2016 # $MAINPID is systemd's, literally.
check "ExecReload sends SIGHUP" has 'ExecReload=/bin/kill -HUP $MAINPID' "$unit"
for l in User=onewindow StateDirectory=onewindow ConfigurationDirectory=onewindow \
  NoNewPrivileges=true ProtectSystem=strict ProtectHome=true PrivateTmp=true \
  Restart=on-failure; do
  check "unit: $l" has "$l" "$unit"
done
check "unit: LimitNOFILE" grep -q '^LimitNOFILE=[0-9]' "$unit"
check "sysusers: the onewindow system user, home /var/lib/onewindow" \
  grep -Eq '^u +onewindow +- +"[^"]+" +/var/lib/onewindow +/usr/sbin/nologin$' "$sysusers"
if command -v systemd-analyze >/dev/null 2>&1; then
  # verify checks that ExecStart's binary exists: the staged one stands in
  # for the configured prefix's.
  mkdir -p "$work/verify"
  sed "s|^ExecStart=$conf_prefix/$bindir/ow-node |ExecStart=$root/$bindir/ow-node |" "$unit" \
    >"$work/verify/ow-node.service"
  verify() {
    systemd-analyze verify --man=no "$work/verify/ow-node.service" >"$work/verify.out" 2>&1
    local rc=$?
    cat "$work/verify.out"
    # Any complaint about our unit fails, even when the exit code is 0.
    [ $rc -eq 0 ] && ! grep -q 'ow-node.service' "$work/verify.out"
  }
  check "systemd-analyze verify ow-node.service" verify
else
  echo "skip: systemd-analyze not found, the unit is not verified"
fi
if command -v systemd-sysusers >/dev/null 2>&1; then
  mkdir -p "$work/sysroot/etc"
  check "systemd-sysusers creates onewindow from the entry (in a scratch root)" \
    bash -c "systemd-sysusers --root='$work/sysroot' '$sysusers' &&
             grep -q '^onewindow:x:[0-9]*:[0-9]*:OneWindow hall node:/var/lib/onewindow:/usr/sbin/nologin$' '$work/sysroot/etc/passwd'"
else
  echo "skip: systemd-sysusers not found, the sysusers entry is not tried"
fi

# --- the example configuration ---------------------------------------------
# Every key node_config_set() knows is in the example, with its default.
keys=$(grep -o 'strcmp(key, "[a-z_]*")' "$SRC/node/src/config.c" | sed 's/.*"\(.*\)")/\1/')
check "node/src/config.c has keys to look for" test -n "$keys"
for k in $keys; do
  check "example: key $k" grep -Eq "^# $k = " "$example"
done
check "example: the data directory /var/lib/onewindow" grep -q '/var/lib/onewindow' "$example"
check "example: the catalog and calendar of the configured prefix" \
  bash -c "grep -q -- '--catalog $conf_prefix/$datadir/onewindow/catalog' '$example' &&
           grep -q -- '--calendar $conf_prefix/$datadir/onewindow/calendar' '$example'"

# --- the installed node ----------------------------------------------------
NODE=$root/$bindir/ow-node
CTL=$root/$bindir/ow-ctl
D=$work/data
# init with the installed data named explicitly, as the example says (the
# binary would take the source tree's while that exists).
check "the installed ow-node init (installed catalog and calendar)" \
  env OW_ADMIN_PASSWORD=admin-pass-1 "$NODE" init "$D" --node-id hall-inst \
  --hall "Install test" --hall-code IT01 \
  --catalog "$root/$datadir/onewindow/catalog" --calendar "$root/$datadir/onewindow/calendar"
# The unit refuses to start until init has made what it asserts.
asserted() {
  local f n=0
  while read -r f; do
    [ -e "$D/$f" ] || return 1
    n=$((n + 1))
  done < <(sed -n 's|^AssertPathExists=/var/lib/onewindow/||p' "$unit")
  [ "$n" -gt 0 ]
}
check "init makes what the unit's AssertPathExists= waits for" asserted
export OW_PASSWORD=admin-pass-1
# The configuration is the installed example with four of its lines
# uncommented: the two local addresses (in $work instead of
# /var/lib/onewindow), /metrics on a free port, and log level warn.
port=$(free_port)
sed -e "s|^# listen = ipc:///var/lib/onewindow/|listen = ipc://$D/|" \
  -e "s|^# events = ipc:///var/lib/onewindow/|events = ipc://$D/|" \
  -e "s|^# metrics_listen = 127.0.0.1:[0-9]*\$|metrics_listen = 127.0.0.1:$port|" \
  -e 's|^# log_level = info$|log_level = warn|' "$example" >"$work/ow-node.conf"
check "the derived configuration has its four lines" \
  test "$(grep -cE '^(listen|events|metrics_listen|log_level) = ' "$work/ow-node.conf")" -eq 4
"$NODE" run "$D" --config "$work/ow-node.conf" >>"$work/node.log" 2>&1 &
pid=$!
up() { for _ in $(seq 100); do "$CTL" -d "$D" status >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }
check "the installed ow-node runs; the installed ow-ctl status answers" up
"$CTL" -d "$D" status >"$work/status.out" 2>&1
check "status: the node id" grep -q 'hall-inst' "$work/status.out"
check "status: the installed calendar's years" grep -q '^Calendar: *2024\.\.2026' "$work/status.out"
check "the installed catalog is in the store" \
  bash -c "'$CTL' -d '$D' catalog list | grep -q GG00032001"
check "/healthz on the example's metrics_listen, port $port" \
  bash -c "curl -sf http://127.0.0.1:$port/healthz | grep -qx ok"
check "log level warn: logins are not logged" bash -c "! grep -q 'event=auth.login' '$work/node.log'"
# systemctl reload: the log level from the file, without a restart.
sed -i 's/^log_level = warn$/log_level = debug/' "$work/ow-node.conf"
kill -HUP "$pid"
leveled() { for _ in $(seq 50); do grep -q 'event=node.log_level level=debug' "$work/node.log" && return 0; sleep 0.1; done; return 1; }
check "SIGHUP: the node logs node.log_level level=debug" leveled
"$CTL" -d "$D" status >/dev/null 2>&1
check "the new level is in force: a login is logged now" grep -q 'event=auth.login' "$work/node.log"
check "the same process: no restart" kill -0 "$pid"
check "no node.reload_failed" bash -c "! grep -q 'event=node.reload_failed' '$work/node.log'"
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=""
check "SIGTERM: the node stops cleanly (exit 0)" test "$rc" -eq 0
check "and says so in its log" grep -q 'event=node.stopping' "$work/node.log"
if [ "$fail" -ne 0 ]; then
  echo "--- node log"
  tail -n 20 "$work/node.log"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
