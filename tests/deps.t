#!/usr/bin/env bash
# tests/deps.sh and the Makefile on a machine that lacks a package: a plain
# `make` says which package and the apt-get command before any compiler
# runs (not a compiler's "pcap/pcap.h: No such file"), and the test
# dependencies name the packages a minimal Debian root lacks.  A stand-in
# dpkg-query that reports libpcap-dev missing plays that machine.
source "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/bin"
cat >"$TMP/bin/dpkg-query" <<'SH'
#!/bin/sh
for a; do :; done
[ "$a" = libpcap-dev ] && { echo "unknown ok not-installed"; exit 1; }
echo "install ok installed"
SH
chmod +x "$TMP/bin/dpkg-query"
PATH=$TMP/bin:$PATH sh "$NM_TOP/tests/deps.sh" check 2>"$TMP/e"
check "deps.sh check: status 1 when a package is missing ($?)" [ $? -ne 0 ]
check "deps.sh check: names it and the command" grep -q \
    'missing packages libpcap-dev;.*apt-get install -y libpcap-dev' "$TMP/e"
# make in a copy of the tree, so nothing here is rebuilt
mkdir "$TMP/tree"
cp -r "$NM_TOP"/Makefile "$NM_TOP"/share "$NM_TOP"/capture "$NM_TOP"/decode \
    "$NM_TOP"/stats "$NM_TOP"/render "$NM_TOP"/monitor "$NM_TOP"/tests \
    "$TMP/tree/" 2>/dev/null
find "$TMP/tree" -name '*.o' -delete
PATH=$TMP/bin:$PATH make -C "$TMP/tree" nm-decode >"$TMP/o" 2>&1
rc=$?
check "make without libpcap-dev: fails ($rc)" [ $rc -ne 0 ]
check "make without libpcap-dev: says what to install" grep -q \
    'apt-get install -y libpcap-dev' "$TMP/o"
check "make without libpcap-dev: no compiler ran" [ "$(grep -c '^cc ' "$TMP/o")" = 0 ]
grep -q '^test=.* netbase ' "$NM_TOP/tests/deps.sh" && grep -q ' mount ' "$NM_TOP/tests/deps.sh"
check "deps.sh test installs netbase and mount (a minimal root lacks them)" [ $? = 0 ]
