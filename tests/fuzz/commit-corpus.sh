#!/usr/bin/env bash
# commit-corpus.sh [BUILD_DIR [NAME...]]: bring what fuzzing found into the
# committed corpus.
#
# For each harness NAME (default: every one with a grown corpus), merges the
# corpus kept by the fuzz runs (BUILD_DIR/tests/fuzz/state/corpus/NAME; BUILD_DIR
# defaults to build-fuzz) with libFuzzer -merge=1 against what is committed
# (corpus/NAME and expect/NAME), and copies only the inputs that raise coverage
# over it into tests/fuzz/corpus/NAME/.  Review the sizes it prints, then
# `git add tests/fuzz/corpus`.  Keep the repository lean: the corpus is for
# coverage, not volume.
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
build=${1:-build-fuzz}
[ $# -gt 0 ] && shift
state=${TB_FUZZ_STATE:-$build/tests/fuzz/state}
if [ $# -gt 0 ]; then
    names=("$@")
else
    mapfile -t names < <(ls "$state/corpus" 2>/dev/null)
fi
[ ${#names[@]} -gt 0 ] || { echo "no grown corpus in $state/corpus: run the fuzz suite first" >&2; exit 1; }
for name in "${names[@]}"; do
    fuzzer=$build/tests/fuzz/fuzz-$name
    [ -x "$fuzzer" ] || { echo "$fuzzer: not built (-Dfuzzing=true)" >&2; exit 1; }
    tmp=$(mktemp -d)
    mkdir "$tmp/base"
    for d in "$src/corpus/$name" "$src/expect/$name/accept" "$src/expect/$name/reject"; do
        [ -d "$d" ] && find "$d" -maxdepth 1 -type f ! -name '.*' -exec cp -t "$tmp/base" {} +
    done
    ls -1 "$tmp/base" | sort >"$tmp/before"
    "$fuzzer" -merge=1 -max_len="${TB_FUZZ_MAX_LEN:-4096}" "$tmp/base" "$state/corpus/$name" \
        >"$tmp/log" 2>&1 ||
        { tail -n 30 "$tmp/log" >&2; rm -rf "$tmp"; exit 1; }
    added=0 bytes=0
    mkdir -p "$src/corpus/$name"
    while IFS= read -r f; do
        cp "$tmp/base/$f" "$src/corpus/$name/$f"
        added=$((added + 1))
        bytes=$((bytes + $(stat -c %s "$tmp/base/$f")))
    done < <(ls -1 "$tmp/base" | sort | comm -13 "$tmp/before" -)
    echo "corpus/$name: +$added inputs, +$bytes bytes"
    rm -rf "$tmp"
done
