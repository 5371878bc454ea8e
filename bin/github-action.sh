#!/usr/bin/env bash
# The GitHub Action's step (action.yml): inputs arrive as INPUT_* environment variables, never
# pasted into the script, so no input can inject shell code.
set -euo pipefail

bin="${GITHUB_ACTION_PATH:?}/bin/grpc-probe-migrate.js"
paths=()
read -r -d '' -a paths <<< "${INPUT_PATHS:-.}" || true
[ "${#paths[@]}" -gt 0 ] || paths=(.)
opts=()
if [ -n "${INPUT_KUBE_VERSION:-}" ]; then opts+=(--kube-version "$INPUT_KUBE_VERSION"); fi

case "${INPUT_MODE:-check}" in
  check)
    if [ -n "${INPUT_SARIF:-}" ]; then
      # The SARIF file is written whatever the findings; the text run below sets the exit code.
      node "$bin" "${opts[@]}" --format sarif --output "$INPUT_SARIF" --exit-zero "${paths[@]}"
      if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "sarif=$INPUT_SARIF" >> "$GITHUB_OUTPUT"; fi
    fi
    node "$bin" "${opts[@]}" "${paths[@]}"
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
