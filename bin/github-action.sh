#!/usr/bin/env bash
# The GitHub Action's step (action.yml): inputs arrive as INPUT_* environment variables, never
# pasted into the script, so no input can inject shell code.
set -euo pipefail

bin="${GITHUB_ACTION_PATH:?}/bin/grpc-probe-migrate.js"
# Paths: one per line when the input has several lines (as actions/cache reads `path`), so that a
# path may hold spaces; else separated by spaces. Blank lines and the spaces around a line go.
paths=()
if [[ "${INPUT_PATHS:-}" == *$'\n'* ]]; then
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    if [ -n "$line" ]; then paths+=("$line"); fi
  done <<< "$INPUT_PATHS"
else
  read -r -d '' -a paths <<< "${INPUT_PATHS:-.}" || true
fi
[ "${#paths[@]}" -gt 0 ] || paths=(.)
opts=()
if [ -n "${INPUT_KUBE_VERSION:-}" ]; then opts+=(--kube-version "$INPUT_KUBE_VERSION"); fi
# Boolean inputs: "true" turns the option on, "false" or empty leaves it off, anything else is a mistake.
flag() {
  case "${2:-false}" in
    true) opts+=("$1") ;;
    false | '') ;;
    *) echo "grpc-probe-migrate action: ${3} must be true or false (got \"${2}\")" >&2; exit 2 ;;
  esac
}
flag --assume-complete "${INPUT_ASSUME_COMPLETE:-}" assume-complete
flag --keep-binary "${INPUT_KEEP_BINARY:-}" keep-binary
flag --grpc-tls-mode "${INPUT_GRPC_TLS_MODE:-}" grpc-tls-mode

case "${INPUT_MODE:-check}" in
  check)
    sarif_status=0
    if [ -n "${INPUT_SARIF:-}" ]; then
      # The SARIF file is written whatever the findings. A file the tool could not read still
      # exits 2 under --exit-zero: carry on, so that the text run below prints why in the log.
      node "$bin" "${opts[@]}" --format sarif --output "$INPUT_SARIF" --exit-zero "${paths[@]}" || sarif_status=$?
      if [ -n "${GITHUB_OUTPUT:-}" ] && [ -f "$INPUT_SARIF" ]; then echo "sarif=$INPUT_SARIF" >> "$GITHUB_OUTPUT"; fi
    fi
    # The text run sets the exit code; a SARIF file that could not be written fails the step too.
    status=0
    node "$bin" "${opts[@]}" "${paths[@]}" || status=$?
    if [ "$status" -eq 0 ]; then status=$sarif_status; fi
    exit "$status"
    ;;
  fix)
    node "$bin" "${opts[@]}" --fix --diff "${paths[@]}"
    ;;
  pr)
    if [ -n "${INPUT_BRANCH:-}" ]; then opts+=(--branch "$INPUT_BRANCH"); fi
    node "$bin" pr "${opts[@]}" "${paths[@]}"
    ;;
  *)
    echo "grpc-probe-migrate action: mode must be check, fix or pr (got \"${INPUT_MODE}\")" >&2
    exit 2
    ;;
esac
