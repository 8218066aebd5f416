#!/bin/sh
# A team install's access rules and its trail, in a real terminal at
# 80x24. alice, on her own machine (a single-user run under
# --interviewer), registers a household and leaves two drafts; a
# supervisor moves her database into the team's with --adopt. Then an
# interviewer (this login, not named a supervisor) sees "in progress by
# alice" on the household's page, never its answers, is asked before a
# second interview of the same round, cannot resume it, nor export, nor
# see the trail, nor pass for another login. A supervisor (this login,
# named in the system config) reads the trail on the household's page and
# of one interview (t on its timeline), reads alice's newest draft read
# only, hands it over to themselves and resumes it, and discards her
# other draft with a reason, which must be typed; --trail writes the
# trail as CSV.
#
# The team settings are read from the system config only, whose path is
# compiled in: the test runs build/asan/doorstep-systest (make builds it
# from the same objects as $DOORSTEP_BIN, but for main.c), whose system
# config is etc/doorstep/config.yaml under the folder it runs in: $WORK.
# No root is needed: the data folder is this user's, mode 2770.
. tests/e2e/lib.sh

SYS="${BIN}-systest"
if ! make -s "$SYS" >"$WORK/make.log" 2>&1; then
	not_ok "make $SYS (the test build of $BIN)"
	cat "$WORK/make.log"
	exit 1
fi
case $SYS in
/*) ;;
*) SYS="$PWD/$SYS" ;;
esac
FORMS="$PWD/tests/forms/rounds"
cd "$WORK" || exit 1
mkdir -p etc/doorstep team config/doorstep
chmod 2770 team
DB="$WORK/team/d.db"
ME=$(id -un)
TODAY=$(date +%Y-%m-%d)
CFG="$WORK/etc/doorstep/config.yaml"
team_config() {	# team_config SUPERVISORS
	cat > "$CFG" <<YAML
team: true
database: $DB
forms: $FORMS
site: beijing
code_prefix: BJ
round: R1
supervisors: [$1]
YAML
}
RUN="$SYS --lang en"

# alice, on her own (no system config yet): a household and two drafts
# of round R1.
printf 'site: beijing\ncode_prefix: BJ\nround: R1\n' > "$WORK/config/doorstep/config.yaml"
start 80 24 "$RUN --db $WORK/alice.db --forms $FORMS --interviewer alice"
expect "Households (0 open)"
keys 3
expect "+ Register a new household"
keys Enter
expect "Register a household"
typed "刘建华"
keys Down Down Down Down Down Down
expect "[ Save ]"
keys Enter
expect "Household BJ-0001 saved."
expect "1. New interview"
keys Enter
answer "People in the household" TEXT:7 Enter
expect "Does the main earner have work"
keys C-x
expect "Resume the draft (1 answered, R1)"
expect "3. New interview"
keys 3
answer "People in the household" TEXT:5 Enter
expect "Does the main earner have work"
keys C-x
expect "Resume the draft (1 answered, R1)"
keys C-x C-x C-x
expect "[exit 0]"

# A team install: a supervisor moves alice's database in.
team_config "$ME"
$RUN --adopt "$WORK/alice.db" >/dev/null 2>"$WORK/adopt.err"
check "a supervisor adopts alice's database: exit 0" [ $? -eq 0 ]
check "with its records and household" grep -q "2 record(s), 1 household(s)" "$WORK/adopt.err"
check "the team's database is the data group's, mode 660" [ "$(stat -c %a "$DB")" = 660 ]

# This login is an interviewer, not a supervisor.
team_config doorstep-nobody
start 80 24 "$RUN"
expect "Resume a draft (0)"
keys 3
expect "1 found"
keys Down Enter
expect "in progress by alice since $TODAY (round R1)"
check "an interviewer is offered no trail" not_shown "Trail: who did what"
check "nor alice's draft" not_shown "alice's draft"
check "nor its answers" not_shown "7"
keys Enter
expect "alice has an interview of BJ-0001 in progress since $TODAY (round R1)."
expect "Start a second one?"
keys n
expect "No interview started."
keys C-x C-x
expect "Resume a draft (0)"
keys 2
expect "There is no draft to resume."
keys C-x
expect "[exit 0]"

$RUN --export >/dev/null 2>"$WORK/export.err"
check "an interviewer cannot export: exit 2" [ $? -eq 2 ]
check "and is told why" grep -q "only a supervisor can export" "$WORK/export.err"
$RUN --trail - >"$WORK/trail.out" 2>"$WORK/trail.err"
check "nor read the trail: exit 2" [ $? -eq 2 ]
check "which stays unwritten" [ ! -s "$WORK/trail.out" ]
$RUN --upload http://127.0.0.1:9/ >/dev/null 2>"$WORK/upload.err"
check "nor upload: exit 2" [ $? -eq 2 ]
$RUN --interviewer wang --export >/dev/null 2>"$WORK/who.err"
check "nor pass for another login: exit 2" [ $? -eq 2 ]
check "and is told the interviewer is the login" grep -q "each interviewer is their own login" "$WORK/who.err"
$RUN --db "$WORK/alice.db" --export >/dev/null 2>"$WORK/db.err"
check "nor export another database: exit 2" [ $? -eq 2 ]
check "and is told --db cannot be given" grep -q -- "--db cannot be given" "$WORK/db.err"
$RUN --import /dev/null >/dev/null 2>"$WORK/import.err"
check "nor import: exit 2" [ $? -eq 2 ]
check "and is told why" grep -q "only a supervisor can import" "$WORK/import.err"
$RUN --report >"$WORK/report.out" 2>"$WORK/report.err"
check "nor run the report: exit 2" [ $? -eq 2 ]
check "which stays unwritten" [ ! -s "$WORK/report.out" ]
check "and is told it is a supervisor's" grep -q -- "--report: .*is not a supervisor" "$WORK/report.err"

# The same install, this login now a supervisor.
team_config "wang, $ME"
start 80 24 "$RUN"
expect "Resume a draft (2)"
keys 3
expect "1 found"
keys Down Enter
expect "in progress by alice since $TODAY (round R1)"
expect "8. Trail: who did what"
keys 8
expect "Trail of BJ-0001"
expect "alice  registered the household"
expect "alice  answered size: 7"
keys C-x
# alice's draft, read only: the answer shows, nothing can change.
expect "5. Read alice's draft (read only)"
keys 5
expect "Read only: this draft is another interviewer's"
expect "Does the main earner have work"
keys 1
expect "open for reading only"
keys C-x
expect "6. Hand alice's draft over to another interviewer"
keys 6
expect "Hand alice's draft over to (a login):"
typed "$ME"
keys Enter
expect "The draft is $ME's now; the trail keeps the hand-over."
expect "Resume the draft (1 answered, R1)"
# alice's other draft: discarded with a reason, which must be typed.
expect "9. Discard alice's draft (with a reason)"
keys 9
expect "Why is alice's draft discarded?"
keys Enter
expect "Type the reason the draft is discarded: the trail keeps it."
typed "left the team"
keys Enter
expect "Draft discarded; the trail keeps the reason."
check "no longer in progress by alice" not_shown "in progress by alice"
keys 7
expect "Trail of BJ-0001"
expect "$ME  handed the draft over alice -> $ME"
expect "$ME  discarded the draft (left the team)"
keys C-x
# The trail of one interview, from the household's timeline.
keys 5
expect "t: the trail of the highlighted interview"
keys t
expect "Trail of uuid:"
expect "alice  answered size: 5"
check "only that interview's" not_shown "size: 7"
keys C-x C-x
expect "1. Resume the draft"
keys 1
expect "Does the main earner have work"
keys C-p
expect "> 5"
keys C-x
expect "Resume the draft (1 answered, R1)"
keys C-x C-x C-x
expect "[exit 0]"

$RUN --export --out "$WORK/out.jsonl" --all 2>/dev/null
check "a supervisor exports" [ $? -eq 0 ]
$RUN --import "$WORK/out.jsonl" 2>/dev/null
check "and imports" [ $? -eq 0 ]
$RUN --trail - >"$WORK/trail.csv" 2>"$WORK/trail.err"
check "a supervisor exports the trail: exit 0" [ $? -eq 0 ]
check "as CSV with a header" grep -q "^id,at,login,what,household,instance_id,question,old,new,detail" "$WORK/trail.csv"
check "with alice's answer" grep -q ",alice,answer,BJ-0001,uuid:[-0-9a-f]*,size,,7," "$WORK/trail.csv"
check "and the hand-over" grep -q ",$ME,hand_over,BJ-0001,uuid:[-0-9a-f]*,,alice,$ME," "$WORK/trail.csv"
check "and the export, with its file and count" grep -q ",$ME,export,,,,,$WORK/out.jsonl,1" "$WORK/trail.csv"
check "and the import, with its file and count" grep -q ",$ME,import,,,,,$WORK/out.jsonl,0" "$WORK/trail.csv"
check "and says how many" grep -q "trail entries written" "$WORK/trail.err"
$RUN --trail "$WORK/hh.csv" --household bj-0001 2>/dev/null
check "--trail FILE --household: exit 0" [ $? -eq 0 ]
check "the household's trail has the hand-over" grep -q ",hand_over,BJ-0001," "$WORK/hh.csv"
check "not the export, of no household" sh -c "! grep -q ',export,' '$WORK/hh.csv'"
check "the household's file is private" [ "$(stat -c %a "$WORK/hh.csv")" = 600 ]
$RUN --trail "$WORK/none.csv" --household BJ-9999 2>/dev/null
check "another household's trail is empty" [ "$(wc -l < "$WORK/none.csv")" -eq 1 ]
$RUN --household BJ-0001 --export >/dev/null 2>"$WORK/hh.err"
check "--household without --trail: exit 2" [ $? -eq 2 ]
finish
