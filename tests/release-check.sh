#!/usr/bin/env bash
# No test hook in a release build: configure DIR (default build-rel/) with
# -Dbuildtype=release and the test hooks off (the default), build only the
# installed daemons, and fail if `strings` finds in any of them a name a hook
# reads (TONGBAN_FAULT, TONGBAN_TEST_*): that hook would ship.  Run by
# tests/run.sh; by hand: tests/release-check.sh [DIR].  Safe to rerun (about
# 10 s on two cores the first time, under 1 s after).
#
# TB_RELEASE_PENDING: hook names known to be still ungated, space-separated
# (none today: every hook is compiled only with -Dtest_hooks=true).
set -uo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-rel}
pending=${TB_RELEASE_PENDING-}

if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" -Dbuildtype=release >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log" >&2; exit 1; }
fi
hooks=$(meson introspect "$dir" --buildoptions | jq -r '.[] | select(.name == "test_hooks") | .value')
[ "$hooks" = false ] || { echo "release check: $dir has test_hooks=$hooks, want false" >&2; exit 1; }
mapfile -t bins < <(meson introspect "$dir" --targets |
    jq -r '.[] | select(.type == "executable" and .installed) | .filename[]')
[ ${#bins[@]} -ge 4 ] || { echo "release check: only ${#bins[@]} installed executables in $dir" >&2; exit 1; }
ninja -C "$dir" -j2 "${bins[@]#"$PWD/$dir/"}" >"$dir.ninja.log" 2>&1 || { tail -n 60 "$dir.ninja.log" >&2; exit 1; }

status=0
for b in "${bins[@]}"; do
    found=$(strings -a "$b" | grep -oE 'TONGBAN_(FAULT|TEST_[A-Z_]*)' | sort -u |
        grep -vxF -f <(tr ' ' '\n' <<<"$pending" | grep .) | tr '\n' ' ')
    if [ -n "$found" ]; then
        echo "release check: ${b#"$PWD/"} holds test hooks: $found" >&2
        status=1
    fi
done
[ $status -eq 0 ] &&
    echo "release check: ${#bins[@]} release daemons, no TONGBAN_FAULT or TONGBAN_TEST_ in strings (pending: ${pending:-none})"
exit $status
