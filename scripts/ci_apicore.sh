#!/usr/bin/env bash
# The API core checked from outside (issue 17): Schemathesis over the people, structure,
# organisation and "me" resources of a running server, with a real organisation service token
# and the demo organisation's data. No 5xx, every answer matches the schema.
#
#   scripts/ci_apicore.sh                 # a fresh SQLite database in a temporary directory
#   DATABASE_URL=postgres://… scripts/ci_apicore.sh   # or the database the environment gives
#
# Exits non-zero when Schemathesis finds a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "${SERVER_PID}" ]; then kill "${SERVER_PID}" 2>/dev/null || true; wait "${SERVER_PID}" 2>/dev/null || true; fi
  rm -rf "${WORK}"
}
trap cleanup EXIT

export DJANGO_SETTINGS_MODULE=config.settings.test
export DATABASE_URL="${DATABASE_URL:-sqlite:///${WORK}/api.sqlite3}"
PY=.venv/bin/python

$PY manage.py migrate --noinput -v0
$PY manage.py createcachetable
$PY manage.py seed_demo --no-accounts >/dev/null
SLUG="$($PY manage.py shell -c 'from upward.organisations.models import Organisation; print(Organisation.objects.order_by("id").first().slug)' | tail -n 1)"
TOKEN="$($PY manage.py api_token create --organisation "${SLUG}" --name "Schemathesis" \
  --scope people:read --scope people:write)"

PORT="$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
$PY manage.py runserver "127.0.0.1:${PORT}" --noreload --nothreading >"${WORK}/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:${PORT}/healthz" >/dev/null 2>&1; then break; fi
  sleep 1
done
curl -fsS "http://127.0.0.1:${PORT}/healthz" >/dev/null

status=0
ROOT="$(pwd)"
# Run from the temporary directory, so Schemathesis's own cache does not land in the checkout.
(cd "${WORK}" && "${ROOT}/.venv/bin/schemathesis" run "http://127.0.0.1:${PORT}/api/schema/?format=json" \
  -H "Authorization: Bearer ${TOKEN}" \
  --include-path-regex '^/api/v1/(people|levels|departments|teams|organisation|me)/' \
  --checks all --exclude-checks positive_data_acceptance --max-examples "${API_EXAMPLES:-25}" --request-timeout 60) || status=$?
if [ "${status}" -ne 0 ]; then
  echo "--- server log (last 80 lines) ---"; tail -80 "${WORK}/server.log"
fi
exit "${status}"
