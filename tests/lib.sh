# Sourced by test scripts: check helpers and paths.
# Each check prints one line the runner counts: PASS:, FAIL: or SKIP:.
set -u
NM_TOP=${NM_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
export PATH="$NM_TOP:$PATH"
SHARED=${NM_SHARED:-$NM_TOP/../shared}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nmtest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }
skip() { echo "SKIP: $*"; }
# check NAME CMD...: passes when CMD succeeds
check() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n"; fi; }
# same_file NAME EXPECTED ACTUAL: passes when equal, shows a diff otherwise
same_file() {
	if cmp -s "$2" "$3"; then pass "$1"
	else fail "$1: differs from $2"; diff -u "$2" "$3" | head -n 30; fi
}
