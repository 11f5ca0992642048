#!/bin/sh
# 0001-man.t: every man page is mandoc -Tlint -Wwarning clean; every
# program in cmd/ has its page postel-PROG.8 (a symlink where one page
# documents several, as postel-filter.8 does the filter-* programs, and
# names each in its NAME section); every postel-* page a page
# cites exists; postel(7), the map, cites every page.
. "$(dirname "$0")/lib.sh"
command -v mandoc >/dev/null 2>&1 || skip_all "mandoc not installed"
M=$TOP/man
pages=$(cd "$M" && for f in postel*.[1-8]; do [ -L "$f" ] || echo "$f"; done)
links=$(cd "$M" && for f in postel*.[1-8]; do [ -L "$f" ] && echo "$f"; done)
progs=$(cd "$TOP/cmd" && ls)
plan $(( $(echo $pages | wc -w) * 2 + $(echo $links | wc -w) + $(echo $progs | wc -w) ))
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
for l in $links; do
	# a link is for a program its target names in NAME
	t=$(readlink "$M/$l")
	n=${l#postel-}
	[ -f "$M/$t" ] && sed -n '/^\.Sh NAME/,/^\.Sh SYNOPSIS/p' "$M/$t" |
	    grep -q "^\.Nm ${n%.*}\( ,\)\{0,1\}$"
	ok $? "$l: links to $t, which names ${n%.*}"
done
for c in $progs; do
	[ -f "$M/postel-$c.8" ]; ok $? "cmd/$c has its page postel-$c.8"
done
done_testing
