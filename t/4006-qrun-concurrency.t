#!/bin/sh
# 4006-qrun-concurrency.t: qrun runs local deliveries in parallel, never
# more than concurrency-local at once; a virtual user with an account in
# conf/users is delivered to.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/4-lib.sh"
plan 4
setup_instance
echo "concurrency-local 3" >"$POSTEL_ROOT/conf/postel.conf"
as_recipients
C=$T/c
mkdir "$C" && chmod 777 "$C"
# each delivery marks itself running, notes how many run, waits a little
printf '|mkdir %s/run.$$; ls -d %s/run.* | wc -l >> %s/seen; sleep 0.3; rmdir %s/run.$$\n' \
    "$C" "$C" "$C" "$C" >"$POSTEL_ROOT/mail/alice/.postel"
own "$POSTEL_ROOT/mail/alice/.postel"
i=0
while [ $i -lt 9 ]; do
	printf 'Subject: c%s\n\nb\n' $i | "$B/enqueue" -f carol@example.org alice@example.test >/dev/null 2>&1
	i=$((i + 1))
done
pass
is "$(wc -l < "$C/seen" | tr -d ' ')" 9 "nine deliveries ran"
max=$(sort -n "$C/seen" | tail -1)
ok "$([ "$max" -le 3 ]; echo $?)" "never more than concurrency-local (3) at once (saw $max)"
ok "$([ "$max" -ge 2 ]; echo $?)" "but more than one at a time"

# conf/users with an account: delivered as that account under root
mkdir -p "$POSTEL_ROOT/mail/dave/Maildir/new" "$POSTEL_ROOT/mail/dave/Maildir/cur" \
    "$POSTEL_ROOT/mail/dave/Maildir/tmp"
acct=$(id -un)
[ "$(id -u)" -eq 0 ] && acct=nobody && chown -R nobody:nogroup "$POSTEL_ROOT/mail/dave"
echo "dave@example.test $POSTEL_ROOT/mail/dave $acct" >>"$POSTEL_ROOT/conf/users"
printf 'Subject: d\n\nb\n' | "$B/enqueue" -f carol@example.org dave@example.test >/dev/null 2>&1
pass
is "$(count_new dave)" 1 "virtual user with an account in conf/users"
done_testing
