#!/bin/sh
# 0001-man.t: every man page is mandoc -Tlint -Wwarning clean; every
# program in cmd/ has its page postel-PROG.8, or is named in the NAME
# section of a section 8 page that documents it with others (the
# filter-* programs in postel-filter.8); every postel-* page a page
# cites exists; postel(7), the map, cites every page.
. "$(dirname "$0")/lib.sh"
command -v mandoc >/dev/null 2>&1 || skip_all "mandoc not installed"
M=$TOP/man
pages=$(cd "$M" && ls postel*.[1-8])
progs=$(cd "$TOP/cmd" && ls)
plan $(( $(echo $pages | wc -w) * 2 + $(echo $progs | wc -w) ))
for p in $pages; do
	out=$(mandoc -Tlint -Wwarning "$M/$p" 2>&1)
	rc=$?
	[ -z "$out" ] || echo "$out" | sed 's/^/#   /'
	ok "$rc" "$p: mandoc -Tlint -Wwarning is clean"
	missing=""
	for x in $(sed -n 's/^\.Xr \(postel[a-z-]*\) \([1-8]\).*/\1.\2/p' "$M/$p"); do
		[ -f "$M/$x" ] || missing="$missing $x"
	done
	if [ "$p" != postel.7 ] &&
	    ! grep -q "^\.Xr ${p%.*} ${p##*.}" "$M/postel.7"; then
		missing="$missing (postel.7 does not cite it)"
	fi
	[ -z "$missing" ] || echo "#   missing:$missing"
	ok "$([ -z "$missing" ]; echo $?)" "$p: the postel pages it cites exist, postel(7) cites it"
done
for c in $progs; do
	if [ -f "$M/postel-$c.8" ]; then
		ok 0 "cmd/$c has its page postel-$c.8"
	else
		in=$(grep -l "^\.Nm $c\( ,\)\{0,1\}$" "$M"/postel-*.8 2>/dev/null | head -1)
		[ -n "$in" ] && sed -n '/^\.Sh NAME/,/^\.Sh SYNOPSIS/p' "$in" | grep -q "^\.Nm $c"
		ok $? "cmd/$c has a page (postel-$c.8 or named in ${in:-none})"
	fi
done
done_testing
