#!/usr/bin/env bash
# Install what is missing, build twice (plain, and with ASan+UBSan), and run
# every test suite in both builds.  Safe to rerun.  Exit status: 0 only if all passed.
#
#   tests/run.sh                 everything
#   tests/run.sh --suite unit    only some suites (arguments go to `meson test`)
set -uo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

tb_install_deps || exit 1
echo "==> building build/ and build-san/ (ASan+UBSan)"
tb_build build || exit 1
tb_build build-san -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug || exit 1

status=0
echo "==> meson test (plain build)"
meson test -C build --print-errorlogs "$@" || status=1
echo "==> meson test (ASan+UBSan build)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    meson test -C build-san --print-errorlogs "$@" || status=1
[ $status -eq 0 ] && echo "==> all tests passed in both builds" || echo "==> FAILED (see above)"
exit $status
