#!/usr/bin/env bash
# Schemathesis over the whole REST API (/api/v1/, as /api/schema/ describes it), with real
# tokens against seeded demo data (docs/integrations.md, "Checking the API"). One script for
# every API resource: people and structure, the organisation, "me", programmes and reports.
#
#   scripts/ci_api.sh                 # a fresh SQLite file in a temporary directory
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres scripts/ci_api.sh
#                                     # a fresh PostgreSQL database next to the one named,
#                                     # created here and dropped at the end
#
# It migrates, seeds the demo organisation, makes an organisation service token with every
# service scope and a personal token for the demo programme manager (API_CHECK_MENTOR=1 adds
# one for a demo mentor), starts the server on a free port (config.settings.test: rate limits
# off) and runs Schemathesis once per token with every check but positive_data_acceptance: no
# server error; responses match the schema (body, status code, content type, headers); bad
# input, a missing or ignored token and an undocumented method get a 4xx; a deleted resource
# is gone. Exits non-zero on any failure.
#
# API_CHECK_EXAMPLES (default 6) bounds the examples per operation in the fuzzing phase; the
# service token also runs the coverage phase (every boundary and bad value of every parameter
# the schema describes). The whole run stays within about four minutes on two loaded cores.
set -euo pipefail

cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
ST=${SCHEMATHESIS:-$PWD/.venv/bin/schemathesis}
EXAMPLES=${API_CHECK_EXAMPLES:-6}
MENTOR=${API_CHECK_MENTOR:-0}
export DJANGO_SETTINGS_MODULE=config.settings.test

WORK=$(mktemp -d)
SERVER_PID=""
PG_DB=""
PG_ADMIN_URL=""

cleanup() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -n "$PG_DB" ]]; then
        "$PY" - "$PG_ADMIN_URL" "$PG_DB" <<'EOF' || true
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
EOF
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [[ -n "${DATABASE_URL:-}" ]]; then
    PG_DB="upward_ci_api_$$"
    PG_ADMIN_URL="$DATABASE_URL"
    DATABASE_URL=$("$PY" - "$DATABASE_URL" "$PG_DB" <<'EOF'
import sys, psycopg
from urllib.parse import urlsplit, urlunsplit
url, name = sys.argv[1], sys.argv[2]
with psycopg.connect(url, autocommit=True) as conn:
    conn.execute(f'CREATE DATABASE "{name}"')
parts = urlsplit(url)
print(urlunsplit(parts._replace(path="/" + name)))
EOF
)
    export DATABASE_URL
    echo "ci_api: PostgreSQL database $PG_DB"
else
    export DATABASE_URL=""
    export SQLITE_PATH="$WORK/api.sqlite3"
    echo "ci_api: SQLite database $SQLITE_PATH"
fi

"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py seed_demo --no-accounts >/dev/null

# Tokens: printed one a line as name=secret.
API_CHECK_MENTOR="$MENTOR" "$PY" manage.py shell -v 0 -c '
import os
from upward.accounts.models import ApiToken
from upward.accounts.tokens import PERSONAL_SCOPES, SERVICE_SCOPES, issue_token
from upward.demo import seed
from upward.organisations.models import Person

manager = Person.objects.get(email=seed.ACCOUNTS[1].email)
mentor = Person.objects.get(email=seed.ACCOUNTS[2].email)
org = manager.organisation
_t, secret = issue_token(
    kind=ApiToken.Kind.SERVICE, organisation=org, name="CI service",
    scopes=sorted(SERVICE_SCOPES), by=None,
)
print(f"service={secret}")
people = [("manager", manager)]
if os.environ["API_CHECK_MENTOR"] == "1":
    people.append(("mentor", mentor))
for label, person in people:
    _t, secret = issue_token(
        kind=ApiToken.Kind.PERSONAL, organisation=org, name="CI " + label,
        scopes=sorted(PERSONAL_SCOPES), by=person.user, user=person.user,
    )
    print(f"{label}={secret}")
' >"$WORK/tokens"

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
"$PY" manage.py runserver --noreload "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    if curl -s -o /dev/null "$BASE/api/v1/"; then break; fi
    sleep 0.2
done

FAILED=0
while IFS='=' read -r name secret; do
    # Coverage (every documented boundary and bad value) once, with the token that may call
    # every operation; fuzzing with each token, for what each caller may see and do.
    phases=fuzzing
    if [[ "$name" == service ]]; then phases=coverage,fuzzing; fi
    echo "ci_api: Schemathesis as the $name token ($phases)"
    # From the temporary directory, so Schemathesis keeps its cache there, not in the checkout.
    if ! (cd "$WORK" && "$ST" run "$BASE/api/schema/" \
        --url "$BASE" \
        -H "Authorization: Bearer $secret" \
        --checks all \
        --exclude-checks positive_data_acceptance \
        --phases "$phases" \
        --max-examples "$EXAMPLES" \
        --workers 1 \
        --seed 17 \
        --generation-database none \
        --request-timeout 20 \
        --no-color </dev/null); then
        FAILED=1
    fi
done <"$WORK/tokens"

if [[ $FAILED -ne 0 ]]; then
    echo "ci_api: FAILED (server log follows)"
    tail -n 60 "$WORK/server.log"
    exit 1
fi
echo "ci_api: every check passed"
