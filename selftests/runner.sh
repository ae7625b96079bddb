#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the zcopy selftests listed in tests.list (next to this script) in
# order, the way the kselftest runner does: each test under its timeout
# from "settings", its output indented as TAP comments, one top-level
# "ok"/"not ok" line per test. Exit status 0 only if no test failed.
#
# Exit codes of a test: 0 pass, 4 skip (kselftest's KSFT_SKIP), other fail.

dir=$(cd "$(dirname "$0")" && pwd)
timeout=$(sed -n 's/^timeout=//p' "$dir/settings")
timeout=${timeout:-300}
tests=$(cat "$dir/tests.list")
total=$(echo "$tests" | wc -l)

echo "TAP version 13"
echo "1..$total"
n=0
failed=0
for t in $tests; do
	n=$((n + 1))
	echo "# selftests: zcopy: $t"
	rcfile=/tmp/.zcopy-test-rc.$$
	( cd "$dir" && timeout "$timeout" "./$t" 2>&1; echo $? > "$rcfile" ) |
		sed 's/^/# /'
	rc=$(cat "$rcfile")
	rm -f "$rcfile"
	case $rc in
	0) echo "ok $n selftests: zcopy: $t" ;;
	4) echo "ok $n selftests: zcopy: $t # SKIP" ;;
	124) failed=$((failed + 1)); echo "not ok $n selftests: zcopy: $t # TIMEOUT $timeout seconds" ;;
	*) failed=$((failed + 1)); echo "not ok $n selftests: zcopy: $t # exit=$rc" ;;
	esac
done
[ $failed = 0 ]
