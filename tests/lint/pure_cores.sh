#!/usr/bin/env bash
# The pure modules (common/, forms/, the node and desk cores, the
# replication core) never include an event loop, messaging,
# storage or terminal header: they must stay testable and fuzzable alone.
set -euo pipefail
cd "${OW_SRC_DIR:?}"
bad=$(grep -rnE '#include *[<"](uv\.h|nng/|rocksdb/|curses\.h|ncurses)' common forms node/src/workflow.c node/src/cases.c node/src/oplog.c node/src/auth.c node/src/queue.c node/src/config.c tui/src/editor.c tui/src/width.c tui/src/keymap.c tui/src/form.c replication/src 2>/dev/null || true)
if [ -n "$bad" ]; then
  echo "pure modules include I/O headers:"
  echo "$bad"
  exit 1
fi
echo "the pure modules (common, forms, the node core, the desk core, the replication core) include no loop, messaging, storage or terminal header"
