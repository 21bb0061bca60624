# checklint.awk: finds in test scripts a `check NAME A` followed by
# `&& B`, `|| B` or `| B`.  check (tests/lib.sh) runs A alone and prints
# its verdict; B runs after it and decides nothing (a pipe even takes the
# PASS or FAIL line away from the runner).  Such a condition goes on the
# line before `verdict $? NAME`, or into the one command check runs.
#
# It reads the shell as far as that needs, so that an && inside quotes
# (sh -c '...', eval '...', awk '...'), inside $( ), <( ) or ( ), inside
# [[ ]] or $(( )), in a comment or in a here-document is not one: a check
# begins with the word check where a command begins, and ends at an
# unquoted newline, ; or & at the depth it began; backslash-newline and
# open quotes carry it to the next line.  A [ ] test is a command like
# any other: `check NAME [ a ] && [ b ]` is flagged, as it should be.
#
# awk -f tests/checklint.awk tests/*.t: prints FILE:LINE: for the
# line each such check begins on, and exits 1 if there is one.

function top() { return substr(st, length(st), 1) }
function push(c) { st = st c }
function pop() { st = substr(st, 1, length(st) - 1) }
function flag(op) {
	printf "%s:%d: check%s ... %s: the verdict is out before what " \
	    "follows runs (use verdict, tests/lib.sh)\n", FILENAME, chkline,
	    chkname, op
	bad++
	inchk = -1
}
function endchk() { if (inchk == length(st)) inchk = -1 }
# the next here-document whose << this line had, if any, begins
function nexthd(	k) {
	hd = ""
	if (nhd == 0)
		return
	hd = hdq[1]; hdtab = hdt[1]
	for (k = 1; k < nhd; k++) { hdq[k] = hdq[k + 1]; hdt[k] = hdt[k + 1] }
	nhd--
}

FNR == 1 { st = ""; inchk = -1; atcmd = 1; hd = ""; nhd = 0 }

# inside a here-document: skip to its delimiter
hd != "" {
	l = $0
	if (hdtab) sub(/^\t+/, "", l)
	if (l == hd)
		nexthd()
	next
}

{
	line = $0
	n = length(line)
	cont = 0
	for (i = 1; i <= n; i++) {
		c = substr(line, i, 1)
		t = top()
		if (t == "q") {			# '...'
			if (c == "'") pop()
			continue
		}
		if (t == "d") {			# "..."
			if (c == "\\") i++
			else if (c == "\"") pop()
			else if (substr(line, i, 2) == "$(") {
				push("p"); i++; atcmd = 1
			}
			else if (c == "`") push("b")
			continue
		}
		if (t == "k") {			# [[ ... ]]
			if (substr(line, i, 2) == "]]") { pop(); i++ }
			continue
		}
		if (t == "a") {			# $(( ... ))
			if (substr(line, i, 2) == "))") { pop(); i++ }
			continue
		}
		if (c == "#" && (i == 1 || substr(line, i - 1, 1) ~ /[ \t;&|(]/))
			break
		if (c == "\\") {
			if (i == n) cont = 1
			i++
			continue
		}
		if (c == "'") { push("q"); continue }
		if (c == "\"") { push("d"); continue }
		if (c == "`") { if (t == "b") pop(); else push("b"); continue }
		two = substr(line, i, 2)
		if (substr(line, i, 3) == "$((") { push("a"); i += 2; continue }
		if (two == "$(" || two == "<(" || two == ">(") {
			push("p"); i++; atcmd = 1; continue
		}
		if (c == "(") { push("p"); atcmd = 1; continue }
		if (c == ")") {
			if (t == "p") pop()
			if (inchk > length(st)) inchk = -1
			continue
		}
		if (two == "<<" && substr(line, i, 3) != "<<<") {
			rest = substr(line, i + 2)
			tab = sub(/^-/, "", rest)
			if (match(rest, /^[ \t]*['"]?[A-Za-z_0-9]+/)) {
				w = substr(rest, 1, RLENGTH)
				gsub(/[ \t'"]/, "", w)
				nhd++; hdq[nhd] = w; hdt[nhd] = tab
			}
			i++
			continue
		}
		if (two == "&&" || two == "||") {
			if (inchk == length(st)) flag(two)
			atcmd = 1; i++
			continue
		}
		if (c == "|") {
			if (inchk == length(st)) flag("|")
			atcmd = 1
			continue
		}
		if (c == "&") {
			# >&2, 2>&1 and &> are redirections, not the end of a command
			if (i > 1 && substr(line, i - 1, 1) ~ /[<>]/ ||
			    substr(line, i + 1, 1) == ">")
				continue
			endchk(); atcmd = 1
			continue
		}
		if (c == ";" || c == "{" || c == "}") {
			if (c == ";") endchk()
			atcmd = 1
			continue
		}
		if (c == " " || c == "\t")
			continue
		if (atcmd && two == "[[") { push("k"); i++; continue }
		if (atcmd && match(substr(line, i), /^[^ \t;&|()<>'"`]+/)) {
			w = substr(line, i, RLENGTH)
			i += RLENGTH - 1
			if (w == "check" && (t == "" || t == "p")) {
				inchk = length(st); chkline = FNR
				chkname = ""
				if (match(substr(line, i + 1), /^[ \t]+("[^"]*"|[^ \t]+)/))
					chkname = substr(line, i + 1, RLENGTH)
			}
			if (w !~ /^(if|then|else|elif|do|while|until|!|time)$/)
				atcmd = 0
		}
	}
	t = top()
	if (!cont && t != "q" && t != "d") {
		endchk()
		atcmd = 1
		nexthd()
	}
}

END { exit bad > 0 }
