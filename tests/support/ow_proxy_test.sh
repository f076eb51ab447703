#!/usr/bin/env bash
# ow-proxy in front of a python3 echo server: pass forwards bytes unchanged
# (binary, large, many connections at once); cut resets open connections
# and refuses new ones; pass again works; blackhole swallows data; delay
# holds each chunk; drop 1 resets; stats counts; the --control socket
# answers like stdin; quit exits 0.
set -u
PROXY=${1:?usage: ow_proxy_test.sh OW-PROXY}
export LC_ALL=C.UTF-8
work=$(mktemp -d /tmp/ow-proxy.XXXXXX)
echo_pid=""
proxy2_pid=""
cleanup() {
  [ -n "${PX_PID:-}" ] && kill -TERM "$PX_PID" 2>/dev/null
  [ -n "$proxy2_pid" ] && kill -TERM "$proxy2_pid" 2>/dev/null
  [ -n "$echo_pid" ] && kill -TERM "$echo_pid" 2>/dev/null
  wait 2>/dev/null
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

# The echo server: one thread per connection, prints its port.
cat >"$work/echo.py" <<'EOF'
import socket, sys, threading
def serve(c):
    with c:
        while True:
            try:
                b = c.recv(65536)
            except OSError:
                return
            if not b:
                return
            c.sendall(b)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(512)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF

# The client. client.py PORT echo NBYTES TIMEOUT [CONNS]: send NBYTES of
# every byte value on CONNS connections at once, expect them back.
# Prints the slowest round trip in ms. Exit 0: all came back, 1: timed out,
# 2: closed or reset, 3: could not connect.
# client.py PORT hold READY: one echo round trip, touch READY, then wait
# (10 s at most) for the proxy to close the connection: exit 0 if it does.
cat >"$work/client.py" <<'EOF'
import socket, sys, threading, time
port, what = int(sys.argv[1]), sys.argv[2]
def send(c, data):
    try:
        c.sendall(data)
    except OSError:
        pass  # the reader sees the reset too
def echo(n, timeout, res):
    data = bytes(range(256)) * (n // 256) + bytes(range(n % 256))
    t0 = time.monotonic()
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    except OSError:
        res.append((3, 0)); return
    with c:
        try:
            threading.Thread(target=send, args=(c, data), daemon=True).start()
            got = b""
            while len(got) < n:
                b = c.recv(65536)
                if not b:
                    res.append((2, 0)); return
                got += b
        except socket.timeout:
            res.append((1, 0)); return
        except OSError:
            res.append((2, 0)); return
    res.append((0 if got == data else 4, (time.monotonic() - t0) * 1000))
if what == "echo":
    n, timeout = int(sys.argv[3]), float(sys.argv[4])
    conns = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    res = []
    ts = [threading.Thread(target=echo, args=(n, timeout, res)) for _ in range(conns)]
    for t in ts: t.start()
    for t in ts: t.join()
    print(int(max(ms for _, ms in res)))
    sys.exit(max(rc for rc, _ in res))
c = socket.create_connection(("127.0.0.1", port), timeout=10)
c.sendall(b"hello")
assert c.recv(5) == b"hello"
open(sys.argv[3], "w").close()
try:
    sys.exit(0 if c.recv(1) == b"" else 1)
except ConnectionResetError:
    sys.exit(0)
except socket.timeout:
    sys.exit(1)
EOF

client() { python3 "$work/client.py" "$@"; }

python3 "$work/echo.py" >"$work/echo.port" &
echo_pid=$!
for _ in $(seq 50); do [ -s "$work/echo.port" ] && break; sleep 0.1; done
eport=$(cat "$work/echo.port")

coproc PX { exec "$PROXY" 0 "127.0.0.1:$eport"; }
read -r -t 5 word pport <&"${PX[0]}"
check "first line is 'port N' ($word $pport)" [ "$word" = port ]
# cmd COMMAND...: send a command, the reply into $reply.
cmd() {
  reply=""
  echo "$*" >&"${PX[1]}"
  read -r -t 5 reply <&"${PX[0]}"
}

client "$pport" echo 1000 2 >/dev/null
check "pass forwards data" [ $? -eq 0 ]
client "$pport" echo 1048576 10 >/dev/null
check "1 MiB of all byte values comes back unchanged" [ $? -eq 0 ]
client "$pport" echo 20000 10 100 >/dev/null
check "100 connections at once" [ $? -eq 0 ]

client "$pport" hold "$work/ready" &
hold_pid=$!
for _ in $(seq 50); do [ -e "$work/ready" ] && break; sleep 0.1; done
cmd cut
check "cut answers ok ($reply)" [ "$reply" = ok ]
wait "$hold_pid"
check "cut closes an open connection" [ $? -eq 0 ]
client "$pport" echo 10 2 >/dev/null
rc=$?
check "under cut a new connection is refused ($rc)" eval '[ $rc -eq 2 ] || [ $rc -eq 3 ]'
cmd pass
check "pass answers ok" [ "$reply" = ok ]
client "$pport" echo 1000 2 >/dev/null
check "pass again forwards data" [ $? -eq 0 ]

cmd blackhole
client "$pport" echo 10 1 >/dev/null
rc=$?
check "blackhole: nothing back within 1 s ($rc)" [ $rc -eq 1 ]
cmd pass

cmd delay 200
check "delay answers ok" [ "$reply" = ok ]
ms=$(client "$pport" echo 10 5)
check "delay 200: round trip >= 390 ms, both ways ($ms ms)" [ "${ms:-0}" -ge 390 ]
cmd delay 0
ms=$(client "$pport" echo 10 5)
check "delay 0: round trip fast again ($ms ms)" [ "${ms:-999}" -lt 350 ]

cmd drop 1
client "$pport" echo 10 2 >/dev/null
rc=$?
check "drop 1 resets the connection ($rc)" [ $rc -eq 2 ]
cmd drop 0
client "$pport" echo 10 2 >/dev/null
check "drop 0 forwards again" [ $? -eq 0 ]

cmd stats
read -r _ c0 _ u0 _ d0 <<<"$reply"
check "stats line ($reply)" \
  eval '[[ $reply =~ ^conns\ [0-9]+\ bytes_up\ [0-9]+\ bytes_down\ [0-9]+$ ]]'
client "$pport" echo 12345 5 3 >/dev/null
cmd stats
read -r _ c1 _ u1 _ d1 <<<"$reply"
check "stats counts 3 conns, 3*12345 bytes each way ($reply)" \
  [ "$((c1 - c0)) $((u1 - u0)) $((d1 - d0))" = "3 37035 37035" ]

cmd delay x
check "a bad value is an error ($reply)" eval '[[ $reply == error:* ]]'
cmd drop 1.5
check "drop beyond 1 is an error ($reply)" eval '[[ $reply == error:* ]]'
cmd frobnicate
check "an unknown command is an error ($reply)" eval '[[ $reply == error:* ]]'

# A second proxy, driven through its control socket, stdin at its end.
"$PROXY" 0 "127.0.0.1:$eport" --control "$work/ctl" </dev/null >"$work/p2.out" &
proxy2_pid=$!
for _ in $(seq 50); do [ -s "$work/p2.out" ] && break; sleep 0.1; done
p2port=$(awk '{print $2; exit}' "$work/p2.out")
ctl_out=$(python3 - "$work/ctl" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rw")
for c in ["stats", "cut", "pass", "quit"]:
    f.write(c + "\n"); f.flush()
    print(f.readline().strip())
EOF
)
check "control socket answers ($ctl_out)" \
  [ "$ctl_out" = "$(printf 'conns 0 bytes_up 0 bytes_down 0\nok\nok\nok')" ]
check "the second proxy prints its port ($p2port)" [ -n "$p2port" ]
wait "$proxy2_pid"
check "quit on the socket exits 0" [ $? -eq 0 ]
proxy2_pid=""
check "the control socket is removed at exit" [ ! -e "$work/ctl" ]

pid=$PX_PID
cmd quit
check "quit answers ok" [ "$reply" = ok ]
wait "$pid"
check "quit exits 0" [ $? -eq 0 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
