#!/bin/sh
# The test builds are immune to a team server installed on the machine
# that runs them (issue 12): the system config path compiled into the
# program under test is a folder of its build tree that nothing creates,
# never $(PREFIX)/etc or /etc, so a team config there cannot turn `make
# check` into a run of team installs (tests/e2e/teamreadme.sh shows it
# with a real team config in /etc and /usr/local/etc), while the
# optimised program and `make install` keep SYSCONFDIR.
. tests/e2e/lib.sh

path=$(strings -a "$BIN" | grep -x '/.*/doorstep/config\.yaml' | head -n 1)
check "the test build has its system config path built in" [ -n "$path" ]
case $path in
*/no-system-config/doorstep/config.yaml) ok "it is the build tree's no-system-config ($path)" ;;
*) not_ok "it is the build tree's no-system-config, not '$path'" ;;
esac
check "which does not exist" [ ! -e "${path%/doorstep/config.yaml}" ]
"$BIN" --db "$WORK/d.db" --export >/dev/null 2>"$WORK/err"
check "so the test build runs as a single user's" [ $? -eq 0 ]
make -s -n -B build/main.o SYSCONFDIR=/etc/team >"$WORK/make1" 2>&1
check "the program make install builds keeps SYSCONFDIR" \
    grep -qF "DOORSTEP_SYSCONF_DIR='\"/etc/team\"'" "$WORK/make1"
make -s -n -B build/main.o PREFIX=/opt/ds >"$WORK/make2" 2>&1
check "and PREFIX/etc by default" \
    grep -qF "DOORSTEP_SYSCONF_DIR='\"/opt/ds/etc\"'" "$WORK/make2"
finish
