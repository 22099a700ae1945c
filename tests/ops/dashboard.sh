#!/usr/bin/env bash
# ops/grafana/sipedge-dashboard.json is importable as is and shows only what sipedge exports:
# it parses (jq), has the ${DS_PROMETHEUS} input every panel uses, every PromQL expression in
# it (panels and template variables) parses (promtool check rules over a recording rule per
# expression), and every sipedge_* series it selects exists, with the labels it matches and
# groups by and the label values it matches, in a real scrape of a daemon that placed calls
# with XDP attached (or is one of the TLS series userspace/metrics/README.md documents).
# The checks are first shown to fail on a broken expression and on a misspelled series.
# Usage: dashboard.sh BUILD_DIR. Needs root (the lab's namespaces and XDP).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$root/tests/integration/lib/lab.sh"
# shellcheck source=tests/ops/lib/live_scrape.sh
source "$here/lib/live_scrape.sh"
command -v promtool >/dev/null || { echo "promtool is not installed (apt-get install prometheus)" >&2; exit 77; }
lab_init opd "${1:?usage: dashboard.sh BUILD_DIR}"
dash=$root/ops/grafana/sipedge-dashboard.json
check_py() { /usr/bin/python3 "$here/lib/promql_check.py" "$@"; }
# parses EXPRS_FILE: promtool accepts every expression of the file.
parses() {
  check_py rules-file "$1" >"$1.rules.yml" && promtool check rules "$1.rules.yml" >"$1.promtool" 2>&1
}

# --- the JSON --------------------------------------------------------------------------------------
check "the dashboard is JSON" jq -e . "$dash" >/dev/null
check "schemaVersion 39" eq "$(jq .schemaVersion "$dash")" 39
check "it asks for a Prometheus data source on import (DS_PROMETHEUS)" \
  eq "$(jq -r '.__inputs[] | select(.type == "datasource") | "\(.name) \(.pluginId)"' "$dash")" "DS_PROMETHEUS prometheus"
# shellcheck disable=SC2016 # a literal ${DS_PROMETHEUS}, as Grafana wants it
check "every panel and target uses that data source" \
  eq "$(jq '[.panels[] | select(.type != "row") | .datasource.uid, .targets[].datasource.uid] | unique' -c "$dash")" '["${DS_PROMETHEUS}"]'
check "every panel has at least one query" \
  eq "$(jq '[.panels[] | select(.type != "row") | select((.targets // []) | map(.expr // "") | all(. == ""))] | length' "$dash")" 0
check "panel ids are unique" eq "$(jq '[.panels[].id] | (length == (unique | length))' "$dash")" true
for title in "Requests in by transport and method" "Responses by class" "Forwarding latency" "DNS latency" \
  "Policy refusals by rule" "XDP packets by class" "XDP drops by reason" "DNS cache" "Connections" "Failovers" \
  "TLS handshake failures by reason"; do
  # shellcheck disable=SC2016 # $t is jq's
  check "a panel '$title'" jq -e --arg t "$title" 'any(.panels[]; .title == $t)' "$dash" >/dev/null
done
check "latency panels are p50 and p99 over the _bucket series" \
  eq "$(jq -r '[.panels[] | select(.title | test("latency$")) | .targets[].expr | capture("histogram_quantile\\((?<q>[0-9.]+), .*(?<m>sipedge_[a-z_]+_bucket)") | "\(.q) \(.m)"] | join(",")' "$dash")" \
  "0.5 sipedge_forward_latency_seconds_bucket,0.99 sipedge_forward_latency_seconds_bucket,0.5 sipedge_dns_latency_seconds_bucket,0.99 sipedge_dns_latency_seconds_bucket"

# --- the expressions parse -------------------------------------------------------------------------
exprs=$LAB_TMP/dashboard.exprs
check_py extract-dashboard "$dash" >"$exprs"
count=$(wc -l <"$exprs")
echo "# $count expressions in the dashboard"
check "the dashboard has expressions to check" ge "$count" 30
printf 'sum by (instance (rate(sipedge_failovers_total[1m]))\n' >"$LAB_TMP/broken.exprs"
fails() { ! "$@"; }
check "the parse check fails on a broken expression (control)" fails parses "$LAB_TMP/broken.exprs"
if parses "$exprs"; then lab_ok "promtool parses every expression ($count)"; else
  lab_bad "promtool parses every expression"
  cat "$exprs.promtool" >&2
fi

# --- the series exist ------------------------------------------------------------------------------
scrape=$LAB_TMP/scrape.txt
ops_live_scrape "$scrape"
documented=$here/lib/documented_series.txt
printf 'sum(rate(sipedge_sip_request_total{direction="in"}[1m]))\nsum by (reason) (rate(sipedge_xdp_drops_total{reason="flood"}[1m]))\n' \
  >"$LAB_TMP/misspelled.exprs"
check_py names "$scrape" "$documented" "$LAB_TMP/misspelled.exprs" >"$LAB_TMP/misspelled.out" || true
check "the series check names a misspelled series and a label value that does not exist (control)" \
  eq "$(grep -c . "$LAB_TMP/misspelled.out")" 2
if check_py names "$scrape" "$documented" "$exprs" >"$LAB_TMP/names.out"; then
  lab_ok "every series, label and label value the dashboard uses is exported (or documented for TLS)"
else
  lab_bad "series the dashboard uses that sipedge does not export:"
  sed 's/^/#   /' "$LAB_TMP/names.out" >&2
fi
lab_finish
