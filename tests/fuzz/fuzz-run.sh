#!/usr/bin/env bash
# fuzz-run.sh NAME FUZZER SRC_DIR STATE_DIR: fuzz one harness, coverage-guided,
# for a bounded time; a meson test (suite 'fuzz' of a -Dfuzzing=true build).
#
#   NAME       the harness (env, item, ...)
#   FUZZER     its libFuzzer binary (build-fuzz/tests/fuzz/fuzz-NAME)
#   SRC_DIR    tests/fuzz in the source tree (corpus/NAME, expect/NAME)
#   STATE_DIR  where the grown corpus and the crashes are kept between runs
#              (TB_FUZZ_STATE overrides it)
#
# The run starts from a working copy of the committed seeds (corpus/NAME and
# expect/NAME/{accept,reject}) plus the corpus grown by earlier runs
# (STATE_DIR/corpus/NAME), fuzzes for TB_FUZZ_SECONDS (default 20), and then
# merges what raised coverage into STATE_DIR/corpus/NAME (libFuzzer -merge=1).
# Any crash, leak, timeout or out-of-memory fails the test: the input is kept
# in STATE_DIR/artifacts/NAME, copied into SRC_DIR/corpus/NAME as a regression
# input (unless TB_FUZZ_SAVE_CRASHES=0), and the command to reproduce it is
# printed.
#
# Environment: TB_FUZZ_SECONDS (per harness, default 20), TB_FUZZ_RSS_MB
# (default 2048), TB_FUZZ_TIMEOUT (seconds for one input, default 10),
# TB_FUZZ_MAX_LEN (largest input, default 4096 bytes), TB_FUZZ_STATE,
# TB_FUZZ_SAVE_CRASHES.
set -uo pipefail
if [ $# -ne 4 ]; then
    echo "usage: $0 NAME FUZZER SRC_DIR STATE_DIR" >&2
    exit 2
fi
name=$1 fuzzer=$(realpath "$2") src=$(realpath "$3")
state=${TB_FUZZ_STATE:-$4}
secs=${TB_FUZZ_SECONDS:-20}
rss=${TB_FUZZ_RSS_MB:-2048}
per_input=${TB_FUZZ_TIMEOUT:-10}
max_len=${TB_FUZZ_MAX_LEN:-4096}
keep=$state/corpus/$name
arts=$state/artifacts/$name
mkdir -p "$keep" "$arts" || exit 1
work=$(mktemp -d "$state/work-$name.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" "$work/new"

# The working copy: committed seeds, expectations, what earlier runs found;
# only inputs up to max_len bytes (the 64 KiB limit cases in expect/ are for
# the replay: as seeds they would make every mutation slow and the corpus fat).
for d in "$src/corpus/$name" "$src/expect/$name/accept" "$src/expect/$name/reject" "$keep"; do
    [ -d "$d" ] && find "$d" -maxdepth 1 -type f ! -name '.*' -size -$((max_len + 1))c \
        -exec cp -t "$work/corpus" {} +
done
seeds=$(find "$work/corpus" -type f | wc -l)
kept_before=$(find "$keep" -type f | wc -l)

# libFuzzer writes new inputs to the first directory: a fresh one, so that the
# working copy's seeds and what this run found stay apart.
start=$(date +%s)
timeout --kill-after=10 $((secs * 2 + 120)) \
    "$fuzzer" -max_total_time="$secs" -rss_limit_mb="$rss" -timeout="$per_input" \
    -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$arts/" "$work/new" "$work/corpus" >"$work/log" 2>&1
rc=$?
took=$(($(date +%s) - start))

# libFuzzer's last status line ("#N DONE cov: X ft: Y corp: ...") and its stats.
done_line=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$work/log" | tail -n 1)
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")

if [ $rc -ne 0 ]; then
    echo "--- libFuzzer output (last 80 lines) ---"
    tail -n 80 "$work/log"
    echo "---"
    found=0
    for a in $(grep -oE "(crash|leak|timeout|oom)-[0-9a-f]+" "$work/log" | sort -u); do
        [ -f "$arts/$a" ] || continue
        found=1
        echo "fuzz-run-$name: FAILED: input $arts/$a"
        echo "  reproduce: $fuzzer $arts/$a"
        echo "  or without libFuzzer: $(dirname "$fuzzer")/fuzz-$name-replay $arts/$a"
        if [ "${TB_FUZZ_SAVE_CRASHES:-1}" != 0 ] && [ -d "$src/corpus/$name" ]; then
            cp "$arts/$a" "$src/corpus/$name/$a"
            echo "  saved as a regression input: $src/corpus/$name/$a (commit it with the fix)"
        fi
    done
    [ $found -eq 0 ] && echo "fuzz-run-$name: FAILED (libFuzzer exit $rc, no input saved; see above)"
    exit 1
fi

# Keep what raised coverage, for the next run.
"$fuzzer" -merge=1 -rss_limit_mb="$rss" -timeout="$per_input" -max_len="$max_len" "$keep" "$work/corpus" "$work/new" \
    >"$work/merge.log" 2>&1 || {
    tail -n 40 "$work/merge.log"
    echo "fuzz-run-$name: FAILED: merge into $keep"
    exit 1
}
kept=$(find "$keep" -type f | wc -l)
new=$(find "$work/new" -type f | wc -l)
echo "fuzz-run-$name: ${runs:-?} runs in ${took} s, cov: ${cov:-?} ft: ${ft:-?}," \
    "seeds $seeds, found $new, kept corpus $kept_before -> $kept ($keep)"
exit 0
