# doorstep: one GNU Makefile. `make help` lists the targets.

PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR    = $(PREFIX)/bin
DATADIR   = $(PREFIX)/share/doorstep
LOCALEDIR = $(PREFIX)/share/locale
MANDIR    = $(PREFIX)/share/man/man1
# The system config ($(SYSCONFDIR)/doorstep/config.yaml) is compiled in.
SYSCONFDIR ?= $(PREFIX)/etc
SYSCONF_BUILTIN = $(SYSCONFDIR)
# A team install: `make install DATA_GROUP=doorstep-data` installs the
# program setgid to that group (see README, "Running a team server").
DATA_GROUP ?=
VERSION   = 0.1.0

CC      ?= cc
# libcurl is compiled against but loaded with dlopen() only for --upload.
PKGS     = ncursesw sqlite3 yaml-0.1 jansson nettle libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) libcurl 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
CURL_LIBS  := $(shell pkg-config --libs libcurl 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN = -Wall -Wextra -Werror -Wshadow -Wconversion -Wformat=2 \
       -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wvla \
       -Wundef -Wno-sign-conversion
DEFS = -D_GNU_SOURCE -DDOORSTEP_VERSION='"$(VERSION)"' \
       -DDOORSTEP_FORMS_DIR='"$(DATADIR)/forms"' \
       -DDOORSTEP_LOCALE_DIR='"$(LOCALEDIR)"' \
       -DDOORSTEP_SYSCONF_DIR='"$(SYSCONF_BUILTIN)"'
BASE_CFLAGS = -std=c11 $(WARN) $(DEFS) $(PKG_CFLAGS)
CFLAGS ?= -O2 -g
SAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
            -fno-sanitize-recover=all

CORE_SRC = $(wildcard core/*.c)
TUI_SRC  = $(wildcard tui/*.c)
APP_SRC  = $(CORE_SRC) $(TUI_SRC) main.c
TESTS    = $(patsubst tests/%.c,%,$(wildcard tests/test_*.c))

B  = build
BA = build/asan

.PHONY: all run check stress deps install uninstall clean help lint fuzz pot catalogs bench
.SECONDARY:

all: doorstep catalogs

LANGS    = zh_CN
CATALOGS = $(LANGS:%=locale/%/LC_MESSAGES/doorstep.mo)
catalogs: $(CATALOGS)
locale/%/LC_MESSAGES/doorstep.mo: locale/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

## pot             refresh locale/doorstep.pot from the sources
pot:
	xgettext --keyword=_ --keyword=N_ --from-code=UTF-8 --no-location \
	  --package-name=doorstep -o locale/doorstep.pot $(APP_SRC)

## doorstep        the program (optimised)
doorstep: $(APP_SRC:%.c=$(B)/%.o)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/%.o: %.c $(wildcard core/*.h tui/*.h)
	@mkdir -p $(dir $@)
	@echo "CC $<"; $(CC) $(BASE_CFLAGS) $(CFLAGS) -c -o $@ $<

## build/asan/doorstep  the program with AddressSanitizer and UBSan
$(BA)/doorstep: $(APP_SRC:%.c=$(BA)/%.o)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS)

# The test builds read no installed system config: on a team server
# (a config in $(SYSCONFDIR)) every test would otherwise run as a team.
# Theirs is a folder of the build tree that nothing creates.
TEST_SYSCONFDIR = $(CURDIR)/$(BA)/no-system-config
$(BA)/%.o: SYSCONF_BUILTIN = $(TEST_SYSCONFDIR)
$(BA)/%.o: %.c $(wildcard core/*.h tui/*.h tests/*.h)
	@mkdir -p $(dir $@)
	@echo "CC [asan] $<"; $(CC) $(BASE_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

# The same program but for its system config, etc/doorstep/config.yaml
# under the folder it runs in: tests/e2e/access.sh sets up a team there.
$(BA)/doorstep-systest: $(BA)/main-systest.o \
    $(filter-out $(BA)/main.o,$(APP_SRC:%.c=$(BA)/%.o))
	$(CC) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS)
$(BA)/main-systest.o: SYSCONF_BUILTIN = etc
$(BA)/main-systest.o: main.c $(wildcard core/*.h tui/*.h)
	@mkdir -p $(dir $@)
	@echo "CC [asan] $< (systest)"; $(CC) $(BASE_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(BA)/tests/test_%: $(BA)/tests/test_%.o $(CORE_SRC:%.c=$(BA)/%.o)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS) $(CURL_LIBS)

# The key reader is terminal code, tested without a terminal.
$(BA)/tests/test_keys: $(BA)/tests/test_keys.o $(BA)/tui/keys.o $(CORE_SRC:%.c=$(BA)/%.o)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS) $(CURL_LIBS)

## run             build, then start the interview program on ./forms
run: doorstep $(CATALOGS)
	./doorstep --forms forms

## check           every test: unit tests, terminal tests and the stress runs,
##                 under ASan+UBSan
check: $(TESTS:%=$(BA)/tests/%) $(BA)/doorstep $(BA)/doorstep-systest \
       $(BA)/tests/stress/writer $(CATALOGS)
	@tests/run-all $(BA) $(TESTS)

## stress          only the stress runs: 20 writers at once beside exports,
##                 reports and uploads; 50 kills with SIGKILL mid-interview
stress: $(BA)/doorstep $(BA)/tests/stress/writer $(CATALOGS)
	@export LANG=C.UTF-8 LC_ALL=C.UTF-8; status=0; \
	for s in tests/stress/*.sh; do \
	  DOORSTEP_BIN=$(BA)/doorstep sh $$s || status=1; \
	done; exit $$status

# The writer the stress runs drive: the interview code, as the program uses it.
$(BA)/tests/stress/writer: $(BA)/tests/stress/writer.o $(CORE_SRC:%.c=$(BA)/%.o)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS)

## fuzz            run the libFuzzer targets (form loader, expressions),
##                 FUZZ_SECONDS each (default 60); findings land in build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CORE  = $(filter-out core/formdir.c,$(CORE_SRC))
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(CORE_SRC) $(wildcard core/*.h)
	@mkdir -p $(dir $@)
	clang -std=c11 -D_GNU_SOURCE $(PKG_CFLAGS) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_CORE) $(PKG_LIBS)

fuzz: build/fuzz/fuzz_form build/fuzz/fuzz_expr
	@for t in form expr; do \
	  mkdir -p build/fuzz/corpus-$$t build/fuzz/findings-$$t; \
	  cp -n tests/fuzz/corpus/$$t/* build/fuzz/corpus-$$t/ 2>/dev/null; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -rss_limit_mb=2048 -max_len=$$([ $$t = form ] && echo 65536 || echo 4096) \
	    -artifact_prefix=build/fuzz/findings-$$t/ -print_final_stats=1 \
	    build/fuzz/corpus-$$t 2>&1 | grep -E '^stat::number_of_executed_units|^stat::new_units_added|^==|ERROR|SUMMARY' ; \
	  if ls build/fuzz/findings-$$t/* >/dev/null 2>&1; then \
	    echo "fuzz_$$t found a problem: build/fuzz/findings-$$t/"; exit 1; fi; \
	done

## bench           measure bytes on the wire, start-up, form scale, store and
##                 upload against baselines; writes bench/results.md. The
##                 scale rows run at each of SIZES records (default
##                 SIZES="10000 100000 1000000"; SIZES_ANSWERS: those of the
##                 report and export rows, default SIZES; databases kept in
##                 build/bench)
SIZES ?= 10000 100000 1000000
build/bench/bench_core: bench/bench_core.c $(CORE_SRC:%.c=$(B)/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

build/bench/writer: tests/stress/writer.c $(CORE_SRC:%.c=$(B)/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

bench: doorstep $(CATALOGS) build/bench/bench_core build/bench/writer
	SIZES="$(SIZES)" SIZES_ANSWERS="$(or $(SIZES_ANSWERS),$(SIZES))" python3 bench/run.py

## deps            install the Debian packages needed to build and test
deps:
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y --no-install-recommends gcc make pkg-config libncurses-dev libsqlite3-dev libyaml-dev libjansson-dev nettle-dev libssl-dev libcmocka-dev libcurl4-openssl-dev gettext tmux sqlite3 jq clang libclang-rt-14-dev python3 curl openssl dialog openssh-server openssh-client

## install         install to $(PREFIX) (DESTDIR for staging)
install: doorstep $(CATALOGS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/forms $(DESTDIR)$(MANDIR)
	install -m 755 doorstep $(DESTDIR)$(BINDIR)/doorstep
	$(if $(DATA_GROUP),chgrp $(DATA_GROUP) $(DESTDIR)$(BINDIR)/doorstep && \
	  chmod 2755 $(DESTDIR)$(BINDIR)/doorstep)
	install -m 644 forms/*.yaml $(DESTDIR)$(DATADIR)/forms/
	install -m 644 doorstep.1 $(DESTDIR)$(MANDIR)/doorstep.1
	for l in $(LANGS); do \
	  install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES; \
	  install -m 644 locale/$$l/LC_MESSAGES/doorstep.mo \
	    $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/doorstep.mo; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/doorstep $(DESTDIR)$(MANDIR)/doorstep.1
	rm -rf $(DESTDIR)$(DATADIR)

## lint            cppcheck and clang-tidy over the sources
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --suppress=missingIncludeSystem -D_GNU_SOURCE $(APP_SRC)
	clang-tidy --quiet $(APP_SRC) -- $(BASE_CFLAGS)

## clean           remove what the build made
clean:
	rm -rf $(B) doorstep locale/*/

## help            this list
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)
