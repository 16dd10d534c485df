#!/usr/bin/env bash
# SCIM conformance: scim2-tester against a running Upward (docs/integrations.md, SCIM section).
# Makes a fresh database (SQLite in a temp dir; with DATABASE_URL set, a new PostgreSQL database
# on that server, dropped afterwards), migrates, makes an organisation and a scim token, starts
# the server on a free port, runs every check and fails if any check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.test}"
WORK="$(mktemp -d)"
SERVER_PID=""
PG_ADMIN_URL=""
PG_DB=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$PG_DB" ]; then
    "$PY" - "$PG_ADMIN_URL" "$PG_DB" <<'PYEOF' || true
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as c:
    c.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
PYEOF
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -n "${DATABASE_URL:-}" ] && [[ "$DATABASE_URL" == postgres* ]]; then
  PG_DB="upward_scim_ci_$$_$RANDOM"
  PG_ADMIN_URL="$DATABASE_URL"  # the database CI gave us: connect there to create ours
  "$PY" - "$PG_ADMIN_URL" "$PG_DB" <<'PYEOF'
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as c:
    c.execute(f'CREATE DATABASE "{sys.argv[2]}"')
PYEOF
  export DATABASE_URL="${DATABASE_URL%/*}/$PG_DB"
else
  export DATABASE_URL="sqlite:///$WORK/scim.sqlite3"
fi

"$PY" manage.py migrate --no-input -v 0
TOKEN="$("$PY" manage.py scim_token --organisation scim-ci --create-org --name "scim2-tester")"
PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$PY" manage.py runserver --noreload --nothreading "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
  if "$PY" -c "import httpx,sys; sys.exit(0 if httpx.get('http://127.0.0.1:$PORT/healthz').status_code < 500 else 1)" 2>/dev/null; then break; fi
  sleep 0.5
done
if ! "$PY" -m upward.scim.tests.conformance "http://127.0.0.1:$PORT/scim/v2/" "$TOKEN"; then
  echo "--- server log (tail) ---"; tail -50 "$WORK/server.log"
  exit 1
fi
