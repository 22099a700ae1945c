#!/usr/bin/env bash
# ops/prometheus/sipedge-alerts.yml: `promtool check rules` accepts it, its unit tests
# (sipedge-alerts.test.yml: each alert firing, and quiet below its threshold or before its
# `for`) pass under `promtool test rules`, every alert is tested, and the unit tests catch a
# changed threshold and a dropped `for` (mutants of the rules must fail them). Every sipedge_*
# series an alert uses exists, with the labels and values it matches, in a real scrape of a
# daemon that placed calls with XDP attached (or is a documented TLS series).
# Usage: alerts.sh BUILD_DIR. Needs root for the live scrape (namespaces, XDP).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/integration/lib/lab.sh
source "$root/tests/integration/lib/lab.sh"
# shellcheck source=tests/ops/lib/live_scrape.sh
source "$here/lib/live_scrape.sh"
command -v promtool >/dev/null || { echo "promtool is not installed (apt-get install prometheus)" >&2; exit 77; }
lab_init opa "${1:?usage: alerts.sh BUILD_DIR}"
rules=$root/ops/prometheus/sipedge-alerts.yml
tests=$root/ops/prometheus/sipedge-alerts.test.yml
check_py() { /usr/bin/python3 "$here/lib/promql_check.py" "$@"; }

check "promtool check rules accepts the rules" promtool check rules "$rules"
if (cd "$(dirname "$tests")" && promtool test rules "$(basename "$tests")") >"$LAB_TMP/unit.out" 2>&1; then
  lab_ok "promtool test rules: the unit tests pass"
else
  lab_bad "promtool test rules: the unit tests fail"
  sed 's/^/#   /' "$LAB_TMP/unit.out" >&2
fi
# Every alert fires in some test, and every alert is evaluated where it must not fire.
alerts=$(yq -r '.groups[].rules[].alert' "$rules" | sort -u)
fired=$(yq -r '.tests[].alert_rule_test[] | select(.exp_alerts | length > 0) | .alertname' "$tests" | sort -u)
quiet=$(yq -r '.tests[].alert_rule_test[] | select(.exp_alerts | length == 0) | .alertname' "$tests" | sort -u)
echo "# alerts: $(echo "$alerts" | tr '\n' ' ')"
check "every alert is shown firing in a unit test" eq "$(comm -23 <(echo "$alerts") <(echo "$fired") | tr '\n' ' ')" ""
# The certificate alerts have no `for`: their quiet cases are the other certificates of the same
# evaluation, which exp_alerts must not list (promtool fails on an alert it did not expect).
check "every alert with a 'for' is shown quiet before it" \
  eq "$(comm -23 <(yq -r '.groups[].rules[] | select(.for) | .alert' "$rules" | sort -u) <(echo "$quiet") | tr '\n' ' ')" ""

# mutant NAME SED_EXPR: the unit tests fail on the rules changed by SED_EXPR.
mutant() {
  local d=$LAB_TMP/mutant-$1
  mkdir -p "$d"
  sed -E "$2" "$rules" >"$d/sipedge-alerts.yml"
  cmp -s "$rules" "$d/sipedge-alerts.yml" && { echo "#   the mutation changed nothing" >&2; return 1; }
  cp "$tests" "$d/"
  ! (cd "$d" && promtool test rules sipedge-alerts.test.yml >"$d/out" 2>&1)
}
check "the tests catch a critical certificate threshold of 30 days instead of 3" mutant cert 's/< 3 \* 86400/< 30 * 86400/'
check "the tests catch SipedgeDown without its 'for'" mutant down '/expr: up\{job="sipedge"\} == 0/{n;d}'
check "the tests catch a flood threshold of 5000/s instead of 500" mutant flood 's/^( *)> 500$/\1> 5000/'
check "the tests catch a DNS failure ratio counting static routes" mutant dns 's/outcome=~"targets\|no_targets\|dns_failure"/outcome=~".+"/'

exprs=$LAB_TMP/rules.exprs
check_py extract-rules "$rules" >"$exprs"
scrape=$LAB_TMP/scrape.txt
ops_live_scrape "$scrape"
if check_py names "$scrape" "$here/lib/documented_series.txt" "$exprs" >"$LAB_TMP/names.out"; then
  lab_ok "every series, label and label value the rules use is exported (or documented for TLS)"
else
  lab_bad "series the rules use that sipedge does not export:"
  sed 's/^/#   /' "$LAB_TMP/names.out" >&2
fi
lab_finish
