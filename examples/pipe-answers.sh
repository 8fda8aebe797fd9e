#!/usr/bin/env bash
# Pipes answers into `aks-id advise -o json`, one line per question, the way a script or CI job
# would. Scenario: one pod reads a secret from Key Vault (expected recommendation: workload).
#
#   examples/pipe-answers.sh                            # uses aks-id from PATH
#   AKS_ID="cargo run -q --" examples/pipe-answers.sh   # from a checkout
#   examples/pipe-answers.sh -o yaml                    # extra arguments go to `advise`
#
# Each line answers the next question still to be asked, in the order `aks-id questions` lists
# them; questions whose condition is false are skipped (cluster_need is asked only when scope is
# cluster, so it has no line here). A blank line takes the question's default. Prompts go to
# stderr, so stdout carries only the JSON. Exit status: 0 done, 3 no model fits the answers.
set -euo pipefail

# AKS_ID may hold several words ("cargo run -q --"); split it into an array on purpose.
read -r -a aks_id <<< "${AKS_ID:-aks-id}"

answers=(
  "pod"        # scope: one specific pod
  "key-vault"  # targets (comma-separated, or "none")
  "yes"        # isolation: other pods on the node must not use this identity
  ""           # node_os: default (linux)
  "no"         # virtual_nodes: regular node pools
  "current"    # sdk: a current Azure Identity SDK
  "no"         # existing_pod_identity
  "1"          # service_accounts sharing this identity
  "aks"        # platform
  ""           # cross_tenant: default (no)
)

printf '%s\n' "${answers[@]}" | "${aks_id[@]}" advise -o json "$@"
