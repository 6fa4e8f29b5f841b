#!/usr/bin/env bash
# Smoke test of a running simulated Meta platform (`replydesk sim`), using
# only bash and curl, plus Go to build the tiny webhook listener beside this
# script (testdata/listener). Runs on a bare Debian with Go installed.
#
# Start the simulator with its webhooks pointed at the listener's address:
#   replydesk sim --addr 127.0.0.1:9090 --app-id 123 --app-secret s3cret \
#     --verify-token vt --webhook-url http://127.0.0.1:9091/webhooks/instagram
# then run, from anywhere:
#   SIM_URL=http://127.0.0.1:9090 APP_ID=123 APP_SECRET=s3cret VERIFY_TOKEN=vt \
#     LISTEN_ADDR=127.0.0.1:9091 bash internal/metasim/testdata/smoke.sh
# Optional: LISTENER=/path/to/built/listener skips the `go build`.
# The Go test TestSmokeScript runs it against an in-process simulator.
set -euo pipefail

: "${SIM_URL:?SIM_URL is required}" "${APP_ID:?}" "${APP_SECRET:?}" "${VERIFY_TOKEN:?}" "${LISTEN_ADDR:?}"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
listener_pid=""
cleanup() {
  if [ -n "$listener_pid" ]; then kill "$listener_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "smoke: FAIL: $*" >&2; exit 1; }
step() { echo "smoke: $*"; }
# json_str KEY < JSON: the first string value of KEY.
json_str() { grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | sed "s/^\"$1\":\"//; s/\"\$//"; }

listener=${LISTENER:-}
if [ -z "$listener" ]; then
  listener="$work/listener"
  (cd "$here" && go build -o "$listener" ./listener) || fail "cannot build the listener"
fi
mkdir -p "$work/hooks"
"$listener" -addr "$LISTEN_ADDR" -secret "$APP_SECRET" -verify-token "$VERIFY_TOKEN" -dir "$work/hooks" &
listener_pid=$!
for _ in $(seq 50); do curl -fs "http://$LISTEN_ADDR/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "http://$LISTEN_ADDR/healthz" >/dev/null || fail "the listener did not start"

step "read /control/world"
world=$(curl -fsS "$SIM_URL/control/world")
user_id=$(printf '%s' "$world" | json_str id)
accounts=${world#*\"instagram_accounts\":}
account_id=$(printf '%s' "$accounts" | json_str id)
page_id=$(printf '%s' "$accounts" | json_str page_id)
[ -n "$user_id" ] && [ -n "$account_id" ] && [ -n "$page_id" ] || fail "world: $world"

step "log in as $user_id through the dialog"
redirect="http://localhost/auth/facebook/callback"
scope="email,pages_show_list,pages_read_engagement,pages_manage_metadata,pages_messaging,instagram_basic,instagram_manage_comments"
out=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -G "$SIM_URL/dialog/oauth" \
  --data-urlencode "client_id=$APP_ID" --data-urlencode "redirect_uri=$redirect" \
  --data-urlencode "state=smoke" --data-urlencode "scope=$scope" --data-urlencode "sim_user=$user_id")
[ "${out%% *}" = 302 ] || fail "dialog answered $out"
code=$(printf '%s' "${out#* }" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
[ -n "$code" ] || fail "no code in $out"

step "exchange the code (HTTP Basic client credentials)"
tok=$(curl -fsS -u "$APP_ID:$APP_SECRET" "$SIM_URL/oauth/access_token" \
  --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" --data-urlencode "redirect_uri=$redirect")
short=$(printf '%s' "$tok" | json_str access_token)
[ -n "$short" ] || fail "token: $tok"
long=$(curl -fsS -G "$SIM_URL/v25.0/oauth/access_token" --data-urlencode grant_type=fb_exchange_token \
  --data-urlencode "client_id=$APP_ID" --data-urlencode "client_secret=$APP_SECRET" \
  --data-urlencode "fb_exchange_token=$short" | json_str access_token)
[ -n "$long" ] || fail "no long-lived token"

step "list /me/accounts"
pages=$(curl -fsS -G "$SIM_URL/v25.0/me/accounts" -H "Authorization: Bearer $long" \
  --data-urlencode 'fields=id,access_token,tasks,instagram_business_account{id,username}')
page_token=$(printf '%s' "$pages" | grep -o "\"id\":\"$page_id\",\"access_token\":\"[^\"]*\"" | sed 's/.*"access_token":"//; s/"$//')
[ -n "$page_token" ] || fail "no Page token for $page_id in $pages"

step "install the app on Page $page_id and run the webhook handshake"
curl -fsS -X POST "$SIM_URL/v25.0/$page_id/subscribed_apps" -H "Authorization: Bearer $page_token" \
  --data-urlencode subscribed_fields=feed | grep -q '"success":true' || fail "subscribed_apps"
curl -fsS -X POST "$SIM_URL/control/subscribe" | grep -q '"success":true' || fail "handshake"

step "post a comment and wait for its signed webhook"
comment_id=$(curl -fsS -X POST "$SIM_URL/control/comments" -H 'Content-Type: application/json' \
  -d "{\"account\":\"$account_id\",\"text\":\"Smoke test: prix en € ? 🚀\",\"username\":\"smoke.tester\"}" | json_str id)
[ -n "$comment_id" ] || fail "no comment id"
got=""
for _ in $(seq 100); do
  got=$(grep -l "\"id\":\"$comment_id\"" "$work"/hooks/[0-9]*.json 2>/dev/null | head -n 1 || true)
  [ -n "$got" ] && break
  sleep 0.1
done
[ -n "$got" ] || fail "no webhook for $comment_id"
if ls "$work"/hooks/bad-* >/dev/null 2>&1; then fail "a webhook had a bad signature"; fi
grep -q 'prix en \\u20ac ? \\ud83d\\ude80' "$got" || fail "webhook text not escaped as Meta does: $(cat "$got")"

step "send a private reply"
body="{\"recipient\":{\"comment_id\":\"$comment_id\"},\"message\":{\"text\":\"Merci ! 12 €\"}}"
sent=$(curl -fsS -X POST "$SIM_URL/v25.0/$page_id/messages" -H "Authorization: Bearer $page_token" \
  -H 'Content-Type: application/json' -d "$body")
message_id=$(printf '%s' "$sent" | json_str message_id)
[ -n "$message_id" ] || fail "send: $sent"
curl -fsS "$SIM_URL/control/replies" | grep -q "\"comment_id\":\"$comment_id\"" || fail "reply not in /control/replies"

step "a second reply to the same comment is refused"
again=$(curl -sS -o "$work/again.json" -w '%{http_code}' -X POST "$SIM_URL/v25.0/$page_id/messages" \
  -H "Authorization: Bearer $page_token" -H 'Content-Type: application/json' -d "$body")
[ "$again" = 400 ] && grep -q '"error_subcode":2534025' "$work/again.json" || fail "second reply: $again $(cat "$work/again.json")"

echo "smoke: OK"
