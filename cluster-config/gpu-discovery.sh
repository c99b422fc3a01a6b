#!/usr/bin/env bash
# GPU discovery script for Spark executors (and drivers) on machines with NVIDIA GPUs.
#
# Spark runs it when an executor starts, if configured with:
#   spark.executor.resource.gpu.amount           1
#   spark.executor.resource.gpu.discoveryScript  /opt/radlab/cluster-config/gpu-discovery.sh
#   spark.task.resource.gpu.amount               1
# (standalone workers use spark.worker.resource.gpu.amount / .discoveryScript the same way).
#
# It prints one line of JSON in the shape Spark's ResourceInformation expects:
#   {"name":"gpu","addresses":["0","1"]}
# The addresses are the GPU indices that `nvidia-smi --query-gpu=index --format=csv,noheader`
# lists. With no nvidia-smi, or when it fails (no driver, no device), it prints an empty list,
# {"name":"gpu","addresses":[]}, and still exits 0, so a GPU-less node reports zero GPUs
# instead of failing the executor.
set -u

addresses=""
if command -v nvidia-smi >/dev/null 2>&1; then
  if listing=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null); then
    while IFS= read -r line; do
      index="${line//[[:space:]]/}"
      # keep only plain indices; ignore blank lines and any message nvidia-smi prints instead
      [[ "$index" =~ ^[0-9]+$ ]] || continue
      addresses+="${addresses:+,}\"${index}\""
    done <<< "$listing"
  fi
fi
printf '{"name":"gpu","addresses":[%s]}\n' "$addresses"
