# postel: one non-recursive Makefile. Programs are cmd/<name>/*.c, shared
# modules lib/*.c (one static library), unit tests t/unit/<module>.c.
# Outputs go to build/ (build-san/ with SAN=1).

PREFIX  ?= /usr/local
LIBEXEC ?= $(PREFIX)/lib/postel
MANDIR  ?= $(PREFIX)/share/man
BINDIR  ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
# The system instance (postel-security(7)): ROOT is the POSTEL_ROOT built
# into the programs, the queue under it; `setup ROOT --system --conf-dir
# CONFDIR` makes ROOT/conf a link to CONFDIR.
ROOT    ?= /var/spool/postel
CONFDIR ?= /etc/postel
# systemd looks in /lib/systemd/system and /usr/local/lib/systemd/system
SYSTEMDDIR ?= $(if $(filter /usr,$(PREFIX)),,$(PREFIX))/lib/systemd/system
# make install keeps enqueue setgid to the group it has, or makes it
# setgid to this group if it exists (postel-security(7))
QUEUE_GROUP ?= postel
# install-sendmail-links: where other programs call sendmail
SENDMAIL_LINK ?= /usr/sbin/sendmail

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wimplicit-fallthrough
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib -I/usr/include/bearssl \
           -DPOSTEL_ROOT_DEFAULT='"$(ROOT)"' -DPOSTEL_LIBEXEC='"$(LIBEXEC)"' \
           -DPOSTEL_SHARE='"$(PREFIX)/share/postel"' -MMD -MP
SANFLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
           -fno-omit-frame-pointer
ifeq ($(SAN),1)
O       ?= build-san
EXTRA    = $(SANFLAGS)
# libasan defines crypt() to intercept it; keep libcrypt linked so that
# the interceptor finds the real one (else a NULL call).
SANLIBS  = -Wl,--push-state,--no-as-needed -lcrypt -Wl,--pop-state
else
O       ?= build
EXTRA    =
endif
ALL_CFLAGS = -std=c11 $(WARN) $(if $(WERROR),-Werror) -fstack-protector-strong $(CFLAGS) $(EXTRA)
LDLIBS  += -lbearssl -lresolv -lcrypt $(SANLIBS)

# smtpd starts once per connection, enqueue once per message. Linked
# statically with musl (Debian musl-tools) they start faster, and smtpd's
# peak RSS is a quarter of a dynamic glibc program's (bench/smtpd-bench,
# bench/smtpd-mem, bench/enqueue-bench). MUSL_CC= builds them like the
# others; so does SAN=1, as the sanitizers need glibc. enqueue looks up
# no users; smtpd's system-users lookups go through musl's getpwnam, which
# loads no NSS modules (postel-smtpd(8), BUILD).
MUSL_CC ?= $(shell command -v musl-gcc 2>/dev/null)
ifeq ($(SAN),1)
override MUSL_CC :=
endif
STATIC_PROGS = $(if $(MUSL_CC),smtpd enqueue)
# lib/ but dns.c (musl has no res_ninit; neither static program looks
# up DNS), and the glibc entry points Debian's libbearssl.a and
# libcrypt.a call (lib/compat/glibc.c)
MUSL_LIB_OBJ = $(patsubst %.c,$(O)/musl/%.o,$(filter-out lib/dns.c,$(wildcard lib/*.c)))
MUSL_LDLIBS  = $(shell $(CC) -print-file-name=libbearssl.a) \
	$(shell $(CC) -print-file-name=libcrypt.a) $(O)/musl/lib/compat/glibc.o
# ... as static-pie, so that they too get a random address (ASLR; enqueue
# is setgid). musl-gcc's specs know only -static: the start files for
# static-pie (musl's rcrt1.o) come from the directory of those specs.
MUSL_LIBDIR := $(if $(MUSL_CC),$(shell sed -n \
	's|.*-specs "*\([^" ]*\)/musl-gcc\.specs.*|\1|p' $(MUSL_CC) 2>/dev/null))
ifneq ($(wildcard $(MUSL_LIBDIR)/rcrt1.o),)
MUSL_LINK  = -Wl,-static,-pie,--no-dynamic-linker,-z,text -nostartfiles \
	$(MUSL_LIBDIR)/rcrt1.o $(MUSL_LIBDIR)/crti.o \
	$(shell $(MUSL_CC) -print-file-name=crtbeginS.o)
MUSL_END   = -lc $(shell $(MUSL_CC) -print-file-name=crtendS.o) \
	$(MUSL_LIBDIR)/crtn.o
else
MUSL_LINK  = -static
MUSL_END   =
endif

PROGS    = $(notdir $(patsubst %/,%,$(wildcard cmd/*/)))
LIB_SRC  = $(wildcard lib/*.c)
LIB_OBJ  = $(LIB_SRC:%.c=$(O)/obj/%.o)
# drivers: C programs a .t script runs with arguments, not tests of
# their own, so that prove does not count them (built without .t)
DRIVER_SRC = t/unit/dnssec_probe.c
DRIVERS  = $(DRIVER_SRC:t/unit/%.c=$(O)/t/drivers/%)
UNIT_SRC = $(filter-out $(DRIVER_SRC),$(wildcard t/unit/*.c))
UNITS    = $(UNIT_SRC:t/unit/%.c=$(O)/t/unit/%.t)
BINS     = $(PROGS:%=$(O)/cmd/%)
MANS     = $(wildcard man/*.[1-8])

all: $(BINS) $(UNITS) $(DRIVERS)

# The paths built into the programs, recorded so that make rebuilds them
# when one changes and make install can refuse a build made for others.
CONFIG = PREFIX=$(PREFIX) LIBEXEC=$(LIBEXEC) ROOT=$(ROOT)
$(O)/.config: FORCE
	@mkdir -p $(@D)
	@[ "$$(cat $@ 2>/dev/null)" = '$(CONFIG)' ] || echo '$(CONFIG)' >$@
FORCE:

$(O)/lib/libpostel.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(O)/obj/%.o: %.c $(O)/.config
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

define PROG_RULE
$(O)/cmd/$(1): $(patsubst %.c,$(O)/obj/%.o,$(wildcard cmd/$(1)/*.c)) $(O)/lib/libpostel.a
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach p,$(filter-out $(STATIC_PROGS),$(PROGS)),$(eval $(call PROG_RULE,$(p))))

$(O)/musl/%.o: %.c $(O)/.config
	@mkdir -p $(@D)
	$(MUSL_CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(O)/musl/libpostel.a: $(MUSL_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

define STATIC_RULE
$(O)/cmd/$(1): $(patsubst %.c,$(O)/musl/%.o,$(wildcard cmd/$(1)/*.c)) $(O)/musl/libpostel.a $(O)/musl/lib/compat/glibc.o
	@mkdir -p $$(@D)
	$$(MUSL_CC) $$(MUSL_LINK) $$(ALL_CFLAGS) $$(LDFLAGS) -o $$@ $$(filter-out %/glibc.o,$$^) $$(MUSL_LDLIBS) $$(MUSL_END)
endef
$(foreach p,$(STATIC_PROGS),$(eval $(call STATIC_RULE,$(p))))

# A module that lives in the one program that uses it (cmd/<prog>/x.c)
# is tested by t/unit/x.c and fuzzed by fuzz/*.c all the same: name its
# sources in UNIT_EXTRA_<test> and FUZZ_EXTRA_<target>; both include its
# header as "<prog>/x.h". (In these prerequisites make puts the stem in
# place of every %, hence addprefix and addsuffix, not patsubst.)
.SECONDEXPANSION:
$(O)/t/unit/%.t: $(O)/obj/t/unit/%.o $$(addprefix $(O)/obj/,$$(addsuffix .o,$$(basename $$(UNIT_EXTRA_$$*)))) $(O)/lib/libpostel.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(O)/obj/t/unit/%.o: CPPFLAGS += -Icmd
$(O)/t/drivers/%: $(O)/obj/t/unit/%.o $(O)/lib/libpostel.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
UNIT_EXTRA_smtpreply = cmd/remote/smtpreply.c
UNIT_EXTRA_instr     = cmd/local/instr.c
FUZZ_EXTRA_smtp_reply  = cmd/remote/smtpreply.c
FUZZ_EXTRA_local_instr = cmd/local/instr.c
UNIT_EXTRA_smtpd_parse = cmd/smtpd/parse.c
FUZZ_EXTRA_smtpd_cmd   = cmd/smtpd/parse.c
FUZZ_EXTRA_smtpd_data  = cmd/smtpd/data.c
FUZZ_EXTRA_bounce      = cmd/qrun/bounce.c
FUZZ_EXTRA_pop3d_cmd   = cmd/pop3d/parse.c cmd/pop3d/drop.c

# The suite finds the programs through POSTEL_BUILD.
# Tests that change the host itself (packages, users, /etc/aliases) run
# alone, before the others (they undo what they change), so that no other
# test sees the host change; the suite's own summary comes last, so the
# final "Result:" line speaks for the whole suite, not for one test that
# may have skipped.
HOST_TESTS = t/0020-host-mta.t
check: all
	POSTEL_BUILD=$(CURDIR)/$(O) prove $(HOST_TESTS)
	POSTEL_BUILD=$(CURDIR)/$(O) prove -j2 -r $(filter-out $(HOST_TESTS),$(wildcard t/*.t)) $(O)/t

lint-man:
	mandoc -Tlint -Wwarning $(MANS)

# Debian 12 packages the build, the tests and the demo use. As root,
# `make deps` installs the missing ones; otherwise it names them.
DEB_PKGS = build-essential clang libbearssl-dev libcrypt-dev perl python3 \
	python3-aiosmtpd ucspi-tcp swaks mandoc dnsmasq-base libresolv-wrapper \
	openssl git git-email mutt spamassassin spamc clamav clamav-daemon cppcheck \
	clang-tools valgrind musl-tools file lintian strace fetchmail \
	dovecot-imapd dovecot-pop3d python3-dkim opendkim-tools python3-spf opendmarc \
	publicsuffix nsd unbound ldnsutils libdb5.3 libicu72 libnsl2 libsasl2-2 libssl3
# What the demo needs: enough to build and to run smtpd under tcpserver.
RUN_PKGS = build-essential libbearssl-dev libcrypt-dev ucspi-tcp musl-tools openssl

# $(call apt_need,PACKAGES,TARGET): install what is missing as root, else
# name it and how to install it. A policy-rc.d (invoke-rc.d(8)) keeps the
# packages' daemons from starting on a machine without systemd: dovecot
# would take ports 110 and 143; tests start their own.
apt_need = @missing=$$(for p in $(1); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	  done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" -ne 0 ]; then \
	  echo "missing Debian packages:" $$missing; \
	  echo "install them with: sudo make $(2)"; exit 1; fi; \
	echo "installing:" $$missing; \
	rc=/usr/sbin/policy-rc.d; made=; \
	if [ ! -e $$rc ] && [ ! -d /run/systemd/system ]; then \
	  printf '\#!/bin/sh\nexit 101\n' >$$rc && chmod 755 $$rc && made=1; fi; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	st=$$?; [ -z "$$made" ] || rm -f $$rc; exit $$st

deps:
	$(call apt_need,$(DEB_PKGS),deps)

deps-run:
	$(call apt_need,$(RUN_PKGS),deps-run)

# The README's demo command: packages, build, then the demo instance.
run: deps-run
	$(MAKE) all
	@sh conf/demo

# The README's test command: packages, then the whole suite.
test: deps
	$(MAKE) WERROR=1 check

BENCHES = $(patsubst bench/%.c,$(O)/bench/%,$(wildcard bench/*.c))
bench: all $(BENCHES)
$(O)/bench/%: bench/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $<

FUZZERS = $(patsubst fuzz/%.c,$(O)/fuzz/%,$(wildcard fuzz/*.c))
fuzz: $(FUZZERS)
# lib/ is compiled once for all targets, instrumented (fuzzer-no-link),
# into an archive each target links; a target's own file and the files
# of a program it names are compiled with it. Dependencies are named
# here (every source and header) rather than in .d files, which would
# name a moved source as a file to be made.
FUZZ_CFLAGS = $(filter-out -MMD -MP,$(CPPFLAGS)) -Icmd -std=c11 $(WARN) -g -O1 -DFUZZING
FUZZ_LIB = $(O)/fuzzlib/libpostel-fuzz.a
$(O)/fuzzlib/%.o: lib/%.c $(wildcard lib/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<
$(FUZZ_LIB): $(patsubst lib/%.c,$(O)/fuzzlib/%.o,$(LIB_SRC))
	rm -f $@
	$(AR) rcs $@ $^
$(O)/fuzz/%: fuzz/%.c $(FUZZ_LIB) $(wildcard cmd/*/*.c lib/*.h cmd/*/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined \
	  -o $@ $< $(FUZZ_EXTRA_$*) $(FUZZ_LIB) $(LDLIBS)

# make install: the programs in LIBEXEC, `postel` in SBINDIR, sendmail,
# mailq and newaliases as links to LIBEXEC/sendmail, the man pages (and
# sendmail.8, mailq.8, newaliases.8 naming postel-sendmail.8), the systemd
# units with the paths of this build, the samples in PREFIX/share/postel.
# make uninstall removes exactly these.
MAN_LINKS  = sendmail.8 mailq.8 newaliases.8
UNIT_FILES = $(notdir $(wildcard conf/*.service conf/*.socket))
SAMPLES    = $(shell cd conf && find . -type f)
CMD_LINKS  = $(SBINDIR)/sendmail $(BINDIR)/mailq $(BINDIR)/newaliases \
	$(if $(filter postel,$(PROGS)),$(SBINDIR)/postel)
SETUP_CMD  = $(LIBEXEC)/setup $(ROOT) --system --conf-dir $(CONFDIR) --libexec $(LIBEXEC)

install: all
	@[ "$$(cat $(O)/.config 2>/dev/null)" = '$(CONFIG)' ] || { \
	  echo "make install: $(O)/ holds programs built for $$(cat $(O)/.config 2>/dev/null || echo 'unknown paths'), not $(CONFIG): run make $(CONFIG) first" >&2; exit 1; }
	@# the default instance moved from /var/lib/postel: an upgrade must not
	@# leave the old queue behind, undelivered and unseen
	@if [ -z '$(DESTDIR)' ] && [ ! -e '$(ROOT)' ] && [ -d /var/lib/postel/queue ]; then \
	  echo "make install: /var/lib/postel holds a postel instance and $(ROOT) does not exist: the programs now default to $(ROOT); move it (postel-security(7)) or build with ROOT=/var/lib/postel" >&2; exit 1; fi
	install -d $(DESTDIR)$(LIBEXEC) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	  $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(PREFIX)/share/postel/conf \
	  $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSTEMDDIR)
	install -m 755 $(filter-out %/enqueue,$(BINS)) conf/syslog-stderr $(DESTDIR)$(LIBEXEC)/
	@e=$(DESTDIR)$(LIBEXEC)/enqueue; g=; \
	if [ -g "$$e" ] && [ ! -L "$$e" ]; then g=$$(stat -c %g "$$e"); \
	elif [ -n '$(QUEUE_GROUP)' ] && getent group '$(QUEUE_GROUP)' >/dev/null; then g='$(QUEUE_GROUP)'; fi; \
	if [ -n "$$g" ] && [ "$$(id -u)" -eq 0 ]; then \
	  echo "install -o root -g $$g -m 2755 $(O)/cmd/enqueue $$e"; \
	  install -o root -g "$$g" -m 2755 $(O)/cmd/enqueue "$$e.new" && mv -f "$$e.new" "$$e"; \
	else \
	  echo "install -m 755 $(O)/cmd/enqueue $$e"; \
	  install -m 755 $(O)/cmd/enqueue "$$e.new" && mv -f "$$e.new" "$$e" || exit 1; \
	  [ -z '$(QUEUE_GROUP)' ] || echo "make install: enqueue is not setgid, so users' sendmail cannot queue: as root, run $(SETUP_CMD)"; \
	fi
	for l in $(CMD_LINKS); do case $$l in */postel) p=postel ;; *) p=sendmail ;; esac; \
	  ln -sfr $(DESTDIR)$(LIBEXEC)/$$p $(DESTDIR)$$l || exit 1; done
	for m in $(MANS); do s=$${m##*.}; d=$(DESTDIR)$(MANDIR)/man$$s; \
	  if [ -L $$m ]; then ln -sf "$$(readlink $$m)" $$d/$${m##*/}; \
	  else install -m 644 $$m $$d/; fi; done
	for m in $(MAN_LINKS); do ln -sf postel-sendmail.8 $(DESTDIR)$(MANDIR)/man8/$$m; done
	for u in $(UNIT_FILES); do \
	  sed -e 's|/usr/local/lib/postel|$(LIBEXEC)|g' -e 's|/var/spool/postel|$(ROOT)|g' \
	    conf/$$u >$(DESTDIR)$(SYSTEMDDIR)/$$u && chmod 644 $(DESTDIR)$(SYSTEMDDIR)/$$u || exit 1; done
	cp -R conf/. $(DESTDIR)$(PREFIX)/share/postel/conf/

# Links and man links only where they are still ours; directories only
# if empty.
uninstall:
	lx=$$(readlink -m $(DESTDIR)$(LIBEXEC)); \
	for l in $(CMD_LINKS) $(SENDMAIL_LINK); do l=$(DESTDIR)$$l; \
	  if [ -L $$l ] && [ "$$(dirname "$$(readlink -m $$l)")" = "$$lx" ]; then rm -f $$l; fi; done
	rm -f $(addprefix $(DESTDIR)$(LIBEXEC)/,$(PROGS) syslog-stderr)
	for m in $(notdir $(MANS)); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$$m; done
	for m in $(MAN_LINKS); do \
	  [ "$$(readlink $(DESTDIR)$(MANDIR)/man8/$$m)" != postel-sendmail.8 ] || rm -f $(DESTDIR)$(MANDIR)/man8/$$m; done
	rm -f $(addprefix $(DESTDIR)$(SYSTEMDDIR)/,$(UNIT_FILES))
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/postel/conf/,$(SAMPLES))
	[ ! -d $(DESTDIR)$(PREFIX)/share/postel ] || \
	  find $(DESTDIR)$(PREFIX)/share/postel -depth -type d -empty -delete
	rmdir --ignore-fail-on-non-empty $(DESTDIR)$(LIBEXEC) 2>/dev/null || true

install-sendmail-links:
	install -d $(DESTDIR)$(dir $(SENDMAIL_LINK))
	ln -sfr $(DESTDIR)$(LIBEXEC)/sendmail $(DESTDIR)$(SENDMAIL_LINK)

# make deb: a Debian package of a build for PREFIX=/usr in build-deb/,
# with dpkg-deb alone (pkg/debian/mkdeb).
DEB_O   ?= build-deb
DEB_OUT ?= $(O)
DEB_VARS = O=$(DEB_O) PREFIX=/usr LIBEXEC=/usr/lib/postel MANDIR=/usr/share/man \
	ROOT=/var/spool/postel CONFDIR=/etc/postel SAN= \
	CFLAGS="-O2 -g -D_FORTIFY_SOURCE=2" LDFLAGS="-Wl,-z,relro,-z,now"
# build-deb/ is made afresh: the flags above are not in .config.
deb:
	rm -rf $(DEB_O)
	$(MAKE) $(DEB_VARS) all
	$(MAKE) -s $(DEB_VARS) install DESTDIR=$(abspath $(DEB_O))/stage QUEUE_GROUP=
	sh pkg/debian/mkdeb $(DEB_O)/stage $(DEB_OUT)

clean:
	rm -rf build build-san build-clang build-fuzz build-vg build-deb

.PHONY: all bench check deps deps-run run test fuzz install uninstall install-sendmail-links deb clean lint-man FORCE
-include $(shell find $(O) -name '*.d' ! -path '$(O)/fuzz/*' ! -path '$(O)/peers/*' 2>/dev/null)
