#!/usr/bin/env bash
# The pure modules (common/, forms/) never include an event loop, messaging,
# storage or terminal header: they must stay testable and fuzzable alone.
set -euo pipefail
cd "${OW_SRC_DIR:?}"
bad=$(grep -rnE '#include *[<"](uv\.h|nng/|rocksdb/|curses\.h|ncurses)' common forms || true)
if [ -n "$bad" ]; then
  echo "pure modules include I/O headers:"
  echo "$bad"
  exit 1
fi
echo "common/ and forms/ include no loop, messaging, storage or terminal header"
