#!/bin/sh
# Sites from the config's list (issue 13 item 6): on the Register screen
# the site is chosen from the list, not typed, and the code follows its
# prefix; one site in the list is every household's site by itself;
# --site finds a site of the list in any case, and one not in it is
# refused before the screen opens.
. tests/e2e/lib.sh

DB="$WORK/s.db"
mkdir -p "$WORK/config/doorstep"
CONF="$WORK/config/doorstep/config.yaml"
cat > "$CONF" <<'YAML'
sites:
  - {name: Beijing, prefix: BJ}
  - {name: 江西, prefix: JX}
YAML
RUN="$BIN --db $DB --forms forms --lang en --interviewer liu --round R1"
sql() { sqlite3 "$DB" "$1"; }

start 80 24 "$RUN"
expect "New interview"
keys Enter
wait_for "which household?" || not_ok "the household chooser shows"
typed "Zhang"
wait_for "Register a new household: Zhang" || not_ok "searched for Zhang"
keys Enter
expect "[ Save and start interview ]"
keys Down Down Down
expect "< (none chosen) >  Space or Left/Right: choose"
typed "x"
expect "The site is chosen from the config's list: Space or Left/Right."
keys Space
expect "< Beijing >"
expect "BJ-0001"
keys Right
expect "< 江西 >"
expect "JX-0001"
keys Left
expect "< Beijing >"
keys Left
expect "< 江西 >"
keys C-x
expect "Household JX-0001 saved."
check "the household has the site chosen, and its prefix" \
    [ "$(sql "SELECT code || ' ' || site FROM households")" = "JX-0001 江西" ]
stop_session

# --site in another case finds the site of the list.
start 80 24 "$RUN --site beijing"
expect "liu @ Beijing"
stop_session
"$BIN" --db "$DB" --forms forms --site Shanghai >"$WORK/out" 2>"$WORK/err" </dev/null
check "--site not in the list: exit 2" [ $? -eq 2 ]
check "and the sites are named" grep -qF "the site 'Shanghai' is not in the config's sites: Beijing, 江西" "$WORK/err"

# One site in the list: every new household's, without a word.
printf 'sites:\n  - {name: Jiangxi, prefix: JX}\n' > "$CONF"
start 80 24 "$RUN"
expect "liu @ Jiangxi"
keys Enter
wait_for "which household?" || not_ok "the household chooser shows"
typed "Li"
wait_for "Register a new household: Li" || not_ok "searched for Li"
keys Enter
expect "JX-0002"
keys Down Down Down
expect "< Jiangxi >"

# A broken list is located.
printf 'sites:\n  - {name: Beijing, prefix: BJ}\n  - {nmae: X}\n' > "$CONF"
"$BIN" --db "$DB" --export >"$WORK/out" 2>"$WORK/err"
check "a site without a name: exit 2" [ $? -eq 2 ]
check "and located" grep -qF "config.yaml:3:5: a site is {name: Beijing, prefix: BJ}" "$WORK/err"
printf 'sites:\n  - {name: Beijing}\n  - {name: beijing}\n' > "$CONF"
"$BIN" --db "$DB" --export >"$WORK/out" 2>"$WORK/err"
check "a site listed twice (any case): exit 2" [ $? -eq 2 ]
check "and says so" grep -qF "the site 'beijing' is listed twice" "$WORK/err"

finish
