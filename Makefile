# postel: one non-recursive Makefile. Programs are cmd/<name>/*.c, shared
# modules lib/*.c (one static library), unit tests t/unit/<module>.c.
# Outputs go to build/ (build-san/ with SAN=1).

PREFIX  ?= /usr/local
LIBEXEC ?= $(PREFIX)/lib/postel
MANDIR  ?= $(PREFIX)/share/man
SBINDIR ?= /usr/sbin
ROOT    ?= /var/lib/postel

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wimplicit-fallthrough
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib -I/usr/include/bearssl \
           -DPOSTEL_ROOT_DEFAULT='"$(ROOT)"' -DPOSTEL_LIBEXEC='"$(LIBEXEC)"' -MMD -MP
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
# lib/ without dns.c (res_n* are glibc's), and the glibc entry points
# Debian's libbearssl.a and libcrypt.a call (lib/compat/glibc.c)
MUSL_LIB_OBJ = $(patsubst %.c,$(O)/musl/%.o,$(filter-out lib/dns.c,$(wildcard lib/*.c)))
MUSL_LDLIBS  = $(shell $(CC) -print-file-name=libbearssl.a) \
	$(shell $(CC) -print-file-name=libcrypt.a) $(O)/musl/lib/compat/glibc.o

PROGS    = $(notdir $(patsubst %/,%,$(wildcard cmd/*/)))
LIB_SRC  = $(wildcard lib/*.c)
LIB_OBJ  = $(LIB_SRC:%.c=$(O)/obj/%.o)
UNIT_SRC = $(wildcard t/unit/*.c)
UNITS    = $(UNIT_SRC:t/unit/%.c=$(O)/t/unit/%.t)
BINS     = $(PROGS:%=$(O)/cmd/%)
MANS     = $(wildcard man/*.[1-8])

all: $(BINS) $(UNITS)

$(O)/lib/libpostel.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(O)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

define PROG_RULE
$(O)/cmd/$(1): $(patsubst %.c,$(O)/obj/%.o,$(wildcard cmd/$(1)/*.c)) $(O)/lib/libpostel.a
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach p,$(filter-out $(STATIC_PROGS),$(PROGS)),$(eval $(call PROG_RULE,$(p))))

$(O)/musl/%.o: %.c
	@mkdir -p $(@D)
	$(MUSL_CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(O)/musl/libpostel.a: $(MUSL_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

define STATIC_RULE
$(O)/cmd/$(1): $(patsubst %.c,$(O)/musl/%.o,$(wildcard cmd/$(1)/*.c)) $(O)/musl/libpostel.a $(O)/musl/lib/compat/glibc.o
	@mkdir -p $$(@D)
	$$(MUSL_CC) -static $$(ALL_CFLAGS) $$(LDFLAGS) -o $$@ $$(filter-out %/glibc.o,$$^) $$(MUSL_LDLIBS)
endef
$(foreach p,$(STATIC_PROGS),$(eval $(call STATIC_RULE,$(p))))

$(O)/t/unit/%.t: $(O)/obj/t/unit/%.o $(O)/lib/libpostel.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The suite finds the programs through POSTEL_BUILD.
check: all
	POSTEL_BUILD=$(CURDIR)/$(O) prove -j2 -r t $(O)/t

lint-man:
	mandoc -Tlint -Wwarning $(MANS)

# Debian 12 packages the build, the tests and the demo use. As root,
# `make deps` installs the missing ones; otherwise it names them.
DEB_PKGS = build-essential clang libbearssl-dev libcrypt-dev perl python3 \
	python3-aiosmtpd ucspi-tcp swaks mandoc dnsmasq-base libresolv-wrapper \
	openssl git git-email mutt spamassassin spamc clamav clamav-daemon cppcheck \
	clang-tools valgrind musl-tools
# What the demo needs: enough to build and to run smtpd under tcpserver.
RUN_PKGS = build-essential libbearssl-dev libcrypt-dev ucspi-tcp musl-tools

# $(call apt_need,PACKAGES,TARGET): install what is missing as root, else
# name it and how to install it.
apt_need = @missing=$$(for p in $(1); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	  done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" -ne 0 ]; then \
	  echo "missing Debian packages:" $$missing; \
	  echo "install them with: sudo make $(2)"; exit 1; fi; \
	echo "installing:" $$missing; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing

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
$(O)/fuzz/%: fuzz/%.c $(LIB_SRC) $(wildcard cmd/*/*.c)
	@mkdir -p $(@D)
	clang $(CPPFLAGS) -Icmd -std=c11 $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined \
	  -DFUZZING -o $@ $< $(LIB_SRC) $(FUZZ_EXTRA_$*) $(LDLIBS)

install: all
	install -d $(DESTDIR)$(LIBEXEC) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	  $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(PREFIX)/share/postel/conf
	install -m 755 $(BINS) conf/syslog-stderr $(DESTDIR)$(LIBEXEC)/
	for m in $(MANS); do s=$${m##*.}; d=$(DESTDIR)$(MANDIR)/man$$s; \
	  if [ -L $$m ]; then ln -sf "$$(readlink $$m)" $$d/$${m##*/}; \
	  else install -m 644 $$m $$d/; fi; done
	cp -R conf/. $(DESTDIR)$(PREFIX)/share/postel/conf/

install-sendmail-links:
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(PREFIX)/bin
	ln -sf $(LIBEXEC)/sendmail $(DESTDIR)$(SBINDIR)/sendmail
	ln -sf $(LIBEXEC)/sendmail $(DESTDIR)$(PREFIX)/bin/mailq

clean:
	rm -rf build build-san build-clang build-fuzz build-vg

.PHONY: all bench check deps deps-run run test fuzz install install-sendmail-links clean lint-man
-include $(shell find $(O) -name '*.d' 2>/dev/null)
