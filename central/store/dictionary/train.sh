#!/usr/bin/env bash
# Trains the zstd dictionary that central uses to store each entry's signed bytes compactly.
#
# The dictionary is part of the stored format: entries written with codec 1 need entries-v1.zdict forever, so
# this script is run once per new codec version (v2 -> entries-v2.zdict, a new codec byte), never to replace
# an existing file. Samples are the exact signed bytes (canonical JSON) of simulated visits at every centre
# of the seed catalogue, through the real kiosk services.
#
#   central/store/dictionary/train.sh BUILD_DIR OUT.zdict
set -euo pipefail
build="${1:?build dir}"
out="${2:?output file}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/samples"
seed=1
for centre in DAM-01 DAM-02 ALP-01 HMS-01 LAT-01 RUR-01; do
  for run in 1 2; do
    dir="$work/t-$centre-$run"
    "$build/bin/nafitha-ctl" simulate --data "$dir" --transactions 400 --seed "$seed" --centre "$centre" >/dev/null 2>&1
    seed=$((seed + 1))
    # One file per entry holding its signing bytes: {"id","payload","prev","seq","terminal","time","type"}.
    sqlite3 -batch -noheader "$dir/terminal.db" \
      "SELECT seq, '{\"id\":' || json_quote(id) || ',\"payload\":' || payload || ',\"prev\":' || json_quote(prev_hash)
              || ',\"seq\":' || seq || ',\"terminal\":' || json_quote(terminal) || ',\"time\":' || json_quote(time)
              || ',\"type\":' || json_quote(type) || '}' FROM journal" |
      while IFS='|' read -r seq bytes; do
        printf '%s' "$bytes" >"$work/samples/$centre-$run-$seq.json"
      done
  done
done
zstd -q -f --train "$work"/samples/*.json --maxdict=16384 -o "$out"
echo "trained $out from $(ls "$work/samples" | wc -l) entries"
