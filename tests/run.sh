#!/usr/bin/env bash
# Install what is missing, build twice (plain, and with ASan+UBSan), and run
# every test suite in both builds.  Safe to rerun.  Exit status: 0 only if all passed.
#
#   tests/run.sh                 everything
#   tests/run.sh --suite unit    only some suites (arguments go to `meson test`)
#
# A skipped test fails the run: everything a test needs is installed here, so a
# skip means a part of the suite silently did not run.  The one exception is a
# test that says the machine itself cannot do it (network namespaces in a
# sandbox without CAP_NET_ADMIN); list such tests in TB_ALLOW_SKIP (names,
# space-separated) and the summary still names them loudly.
set -uo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

tb_install_deps $TB_TEST_DEB_PACKAGES || exit 1
echo "==> building build/ and build-san/ (ASan+UBSan), both with the test hooks"
# -Dtest_hooks=true: the fault injection and the injected clock the tests use
# (an existing build dir made without it, say by deploy/demo.sh, is reconfigured).
tb_build build -Dtest_hooks=true || exit 1
tb_build build-san -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug \
    -Dtest_hooks=true || exit 1

# skipped BUILD_DIR: print the tests meson recorded as skipped in the last run.
skipped() {
    jq -r 'select(.result == "SKIP") | .name' "$1/meson-logs/testlog.json" 2>/dev/null
}

# tally BUILD_DIR: add the last meson run's results to the totals.
passed=0 failed=0 skipped_n=0
tally() {
    local log=$1/meson-logs/testlog.json
    [ -f "$log" ] || return 0
    passed=$((passed + $(jq -s '[.[] | select(.result == "OK" or .result == "EXPECTEDFAIL")] | length' "$log")))
    failed=$((failed + $(jq -s '[.[] | select(.result != "OK" and .result != "EXPECTEDFAIL" and .result != "SKIP")] | length' "$log")))
    skipped_n=$((skipped_n + $(jq -s '[.[] | select(.result == "SKIP")] | length' "$log")))
}

status=0
skips=()
# run_build NAME DIR [ENV...]: meson test in DIR; failures and skips are counted.
run_build() {
    local name=$1 dir=$2 t
    shift 2
    echo "==> meson test ($name build)"
    rm -f "$dir/meson-logs/testlog.json"
    # Most tests wait on daemons more than they compute: two per core (the
    # browser suite is is_parallel: false and still runs one at a time).
    env "$@" meson test -C "$dir" --print-errorlogs \
        --num-processes "${TB_TEST_JOBS:-$((2 * $(nproc)))}" "${meson_args[@]}" || status=1
    tally "$dir"
    while IFS= read -r t; do
        [ -n "$t" ] && skips+=("$name: $t")
    done < <(skipped "$dir")
}
meson_args=("$@")
run_build plain build
run_build ASan+UBSan build-san ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# ---- release check: no test hook in a release build ----------------------------
# tests/release-check.sh builds the daemons in build-rel/ (-Dbuildtype=release,
# test hooks off) and fails if `strings` finds TONGBAN_FAULT or TONGBAN_TEST_ in
# one.  With the fuzzing stage: when no suite is named, or 'fuzz' is among them.
if [ ${#meson_args[@]} -eq 0 ] || [[ " ${meson_args[*]} " == *fuzz* ]]; then
    echo "==> release check: test hooks absent from a release build (build-rel/)"
    if tests/release-check.sh build-rel; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        status=1
    fi
fi

# ---- fuzzing stage (tests/fuzz/README.md) -------------------------------------
# A third build, build-fuzz/ (clang, libFuzzer, ASan+UBSan), of the fuzz
# targets only; its suite 'fuzz' replays the corpus and the expectations and
# fuzzes every harness coverage-guided for TB_FUZZ_SECONDS (default 20) each,
# two at a time, growing the corpus kept in build-fuzz/tests/fuzz/state/.
# Runs when no suite is named, or when 'fuzz' is among the arguments.
if [ ${#meson_args[@]} -eq 0 ] || [[ " ${meson_args[*]} " == *fuzz* ]]; then
    echo "==> building build-fuzz/ (clang, libFuzzer) and fuzzing each harness for ${TB_FUZZ_SECONDS:-20} s"
    fuzz_ok=1
    if [ ! -f build-fuzz/build.ninja ]; then
        CC=clang meson setup build-fuzz -Dfuzzing=true -Db_lundef=false >build-fuzz.setup.log 2>&1 ||
            { cat build-fuzz.setup.log >&2; fuzz_ok=0; }
    fi
    if [ $fuzz_ok -eq 1 ]; then
        mapfile -t fuzz_targets < <(meson introspect build-fuzz --targets |
            jq -r '.[] | select(.defined_in | endswith("tests/fuzz/meson.build")) | .filename[]' |
            sed "s|^$PWD/build-fuzz/||")
        ninja -C build-fuzz -j2 "${fuzz_targets[@]}" >build-fuzz.ninja.log 2>&1 ||
            { tail -n 60 build-fuzz.ninja.log >&2; fuzz_ok=0; }
    fi
    if [ $fuzz_ok -eq 1 ]; then
        fuzz_start=$(date +%s)
        rm -f build-fuzz/meson-logs/testlog.json
        meson test -C build-fuzz --no-rebuild --suite fuzz --num-processes 2 --print-errorlogs ||
            fuzz_ok=0
        tally build-fuzz
        # Executions and coverage of each run (libFuzzer's last cov:/ft:).
        jq -r '.stdout' build-fuzz/meson-logs/testlog.json | grep '^fuzz-run-'
        echo "==> fuzzing stage: $(($(date +%s) - fuzz_start)) s"
        while IFS= read -r t; do
            [ -n "$t" ] && skips+=("fuzzing: $t")
        done < <(skipped build-fuzz)
    fi
    [ $fuzz_ok -eq 1 ] || status=1
fi
# ---- end of fuzzing stage -------------------------------------------------------

if [ ${#skips[@]} -gt 0 ]; then
    echo
    echo "!!! SKIPPED TESTS: these parts of the suite did not run !!!"
    for s in "${skips[@]}"; do
        echo "!!!   $s"
        name=${s#*: }
        name=${name##* }
        if [[ " ${TB_ALLOW_SKIP:-} " != *" $name "* ]]; then status=1; fi
    done
    echo "!!! (a skip fails the run unless its test is named in TB_ALLOW_SKIP)"
fi
[ $status -eq 0 ] && echo "==> all tests passed in every build" || echo "==> FAILED (see above)"
echo "tests: $passed passed, $failed failed, $skipped_n skipped"
exit $status
