#!/usr/bin/env bash
# A standard Bulk Data client against the real server: SMART Fetch (`smart-fetch` on PyPI, the
# SMART Health IT Cumulus bulk export tool) runs a system export, with its default Observation
# _typeFilter, and a Group export; every file it downloads must have as many lines as the
# server's own search finds. pip needs the network, so this is not part of `cargo test`:
#
#   bash tests/bulk_client/run.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
work=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

(cd "$root" && cargo build -j 2 --bin clinic-fhir)
bin=$target/debug/clinic-fhir
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "smart-fetch==1.0.3"

db=$work/clinic.sqlite
"$bin" seed --database-url "$db" --patients 50 >/dev/null
key=$("$bin" keys create --database-url "$db" --name "bulk client" --allow '*=retrieve')
client_id=$(awk '/client id:/ {print $3}' <<<"$key")
secret=$(awk '/client secret:/ {print $3}' <<<"$key")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --database-url "$db" --listen "127.0.0.1:$port" --export-dir "$work/exports" >"$work/server.log" 2>&1 &
server_pid=$!
root_url=http://127.0.0.1:$port
for _ in $(seq 100); do
    curl -fs "$root_url/fhir/r4/metadata" >/dev/null && break
    sleep 0.1
done
curl -fs -u "$client_id:$secret" -d grant_type=client_credentials "$root_url/oauth/token" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"], end="")' >"$work/token"

fetch() {
    "$work/venv/bin/smart-fetch" bulk --fhir-url "$root_url/fhir/r4" --bearer-token "$work/token" \
        --no-compression "$@"
}
fetch "$work/system"
fetch --group branch-1 "$work/group"

python3 "$root/tests/bulk_client/check.py" "$root_url/fhir/r4" "$work/token" "$work/system" ""
python3 "$root/tests/bulk_client/check.py" "$root_url/fhir/r4" "$work/token" "$work/group" branch-1
echo "smart-fetch exports match the server's searches"
