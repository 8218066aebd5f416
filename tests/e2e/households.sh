#!/bin/sh
# A household followed over two rounds in a real terminal at 80x24: it is
# registered, interviewed in round 2020-R1, given a next visit that then
# shows as due; the round is changed on the home screen; its second
# interview starts from the first one's answers, marked, which must be
# confirmed or changed before finalizing; the timeline shows both rounds
# and their needs; the case is closed with a reason and its history stays;
# the report screen and --report show the figures.
. tests/e2e/lib.sh

DB="$WORK/d.db"
mkdir -p "$WORK/config/doorstep"
printf 'site: beijing\ncode_prefix: BJ\n' > "$WORK/config/doorstep/config.yaml"
RUN="$BIN --db $DB --forms tests/forms/rounds --lang en --interviewer liu"
TODAY=$(date +%Y-%m-%d)

# A round name with a space or a slash is refused before anything opens.
$BIN --db "$DB" --round "2020 R1" --export >/dev/null 2>"$WORK/round.err"
check "--round with a space: exit 2" [ $? -eq 2 ]
check "and says why" grep -q "no spaces or slashes" "$WORK/round.err"

start 80 24 "$RUN --round 2020-R1"
expect "Households (0 open)"
expect "Round: 2020-R1"

# Register from the household list: the code comes from the site prefix.
keys 3
expect "+ Register a new household"
keys Enter
expect "Register a household"
expect "BJ-0001"
typed "刘建华"
keys Enter
typed "138 0013 8000"
keys Enter
typed "朝阳区东坝"
keys Down Down Down Down
expect "[ Save ]"
keys Enter
# Its page opens.
expect "Household BJ-0001 saved."
expect "Head       刘建华"
# The phone is kept in its one normal form, as the interview keeps it.
expect "Phone      13800138000"
expect "1. New interview"

# A second household cannot take the same code, in any case.
keys C-x
expect "+ Register a new household"
keys Enter
expect "Register a household"
keys Up
expect "> BJ-0002"
keys C-u
typed "bj-0001"
keys Enter
typed "王芳"
keys Down Down Down Down Down Down
keys Enter
expect "the code BJ-0001 is already the household of 刘建华"
keys C-x C-x
expect "1 found"
keys C-x
expect "Households (1 open)"

# Round 2020-R1, started from the household's page.
keys 3
expect "1 found"
keys Down Enter
expect "1. New interview"
keys Enter
answer "People in the household" TEXT:3 Enter
answer "Does the main earner have work" 1
wait_for "Member 1" && typed 41 && keys Enter
wait_for "Member 2" && typed 39 && keys Enter
wait_for "Member 3" && typed 9 && keys Enter
answer "What changed since the last visit" TEXT:first Enter
expect "Review"
keys Down Enter y
expect "Interview finalized with 6 answers"
# The next visit, today: it is then due.
expect "Next visit to BJ-0001 (YYYY-MM-DD)"
keys C-u
typed "$TODAY"
keys Enter
expect "Next visit to BJ-0001: $TODAY."
# Back on the household's page, where the interview began.
expect "Last visit $TODAY"
keys C-x C-x
expect "Visits due (1)"
expect "Due or overdue:"
expect "$TODAY  BJ-0001  刘建华"

# The round, chosen on the home screen: a bad name is refused.
keys 5
expect "The round of new interviews"
expect "2020-R1 (1)"
keys C-u
typed "2020/R2"
keys Enter
expect "no spaces or slashes"
keys C-u
typed "2020-R2"
keys Enter
expect "New interviews are now of round 2020-R2."
expect "Round: 2020-R2"

# Round 2020-R2: the household found by part of its name; its answers
# come back, marked as carried over.
keys 1
expect "which household?"
typed "建华"
expect "1 found"
keys Enter
expect "People in the household"
expect "From round 2020-R1: Enter keeps this answer; or change it."
expect "> 3"
keys Enter
# Changed: work was yes, is now no.
expect "Does the main earner have work"
expect "From round 2020-R1"
keys 2
wait_for "Member 1" && expect "> 41"
# Leaving a field keeps what it shows: member 1's age is confirmed. The
# others are not, and the interview cannot be finalized so.
keys C-r
expect "Review"
# The review shows a carried answer's value, marked, not a message.
expect "!   Age                                 39 (from round 2020-R1: confirm it)"
keys Down Down Down Down Down Down
keys Enter
expect "Cannot finalize: 2 questions need an answer or a fix"
# The cursor is on the first of them: open it, change it; the review
# comes back, on its row.
keys Enter
wait_for "Member 2" && expect "> 39"
keys C-u
typed 40
keys Enter
expect "Review"
expect "Age                                 40"
keys Down Down
keys Enter
wait_for "Member 3" && expect "> 9"
keys C-u
typed 10
keys Enter
expect "Review"
expect "Age                                 10"
keys Down
keys Enter
# The question alone on its screen (its label is on the review's too).
check "the question chosen opens" wait_gone "Review"
typed "lost work"
keys Enter
expect "Review"
expect "lost work"
keys End Enter y
expect "Interview finalized with 6 answers"
skip_next_visit
# The visit that was due has been made.
expect "Visits due (0)"

# Found by its phone number, however it is spaced.
keys 3
typed "13800138000"
expect "1 found"
keys Enter
# The timeline shows both rounds and the need flagged in the second.
expect "Timeline (2 interviews)"
keys 3
expect "Timeline of BJ-0001"
expect "2020-R2   followup         finalized needs: Livelihood"
expect "2020-R1   followup         finalized no need flagged"
expect "registered"
keys C-x

# Closing the case asks why; its history stays; no new interview.
keys 4
expect "Why is the case closed?"
keys 1
expect "The case of BJ-0001 is closed; its history stays."
expect "closed on $TODAY: hardship resolved"
keys 1
expect "The case is closed: reopen it first."
keys 3
expect "case closed: hardship resolved"
expect "2020-R1   followup         finalized"
keys C-x C-x C-x
expect "Households (0 open)"

# The report of the round chosen, on screen.
keys 6
expect "Needs report: 2020-R2; 1 household(s) assessed"
expect "Livelihood"
# Right: every round, then each round in turn.
keys Right
expect "Needs report: every round; 1 household(s) assessed"
keys Right
expect "Needs report: 2020-R1; 1 household(s) assessed"
# Space: each site in turn.
expect "2020-R1, every site (Space: site)"
keys Space
expect "2020-R1, beijing (Space: site)"
expect "Needs report: 2020-R1; 1 household(s) assessed"
keys C-x
keys C-x
expect "[exit 0]"

# The same figures from the command line, round by round.
$BIN --db "$DB" --forms tests/forms/rounds --report --lang en > "$WORK/r.txt" 2>&1
check "--report exits 0" [ $? -eq 0 ]
check "--report compares the rounds" grep -q "From 2020-R1 to 2020-R2 (1 household(s) in both)" "$WORK/r.txt"
$BIN --db "$DB" --forms tests/forms/rounds --report --format csv --round 2020-R1 --lang en > "$WORK/r1.csv" 2>&1
check "round 2020-R1: nobody flags livelihood" grep -q '^need,all,livelihood,Livelihood,0,1,0.0' "$WORK/r1.csv"
$BIN --db "$DB" --forms tests/forms/rounds --report --format csv --round 2020-R2 --lang en > "$WORK/r2.csv" 2>&1
check "round 2020-R2: the household flags livelihood" grep -q '^need,all,livelihood,Livelihood,1,1,100.0' "$WORK/r2.csv"
check "and gained it since 2020-R1" grep -q '^change,all,livelihood,2020-R1..2020-R2,,1,,1,0,0' "$WORK/r2.csv"

# The export carries household, round and site; the carried answers as
# confirmed or changed.
$BIN --db "$DB" --export --out "$WORK/e.jsonl" 2>/dev/null
check "the second round's answers" [ "$(jq -c 'select(.round == "2020-R2") | [.household, .site, .answers.size, .answers.work, [.answers.members[].age]]' "$WORK/e.jsonl")" = '["BJ-0001","beijing",3,"no",[41,40,10]]' ]
check "the household's case in the database" [ "$(sqlite3 "$DB" "SELECT status || '|' || closed_reason FROM households WHERE code = 'BJ-0001'")" = "closed|hardship resolved" ]
check "no answer is left marked as carried" [ "$(sqlite3 "$DB" "SELECT count(*) FROM answers WHERE carried IS NOT NULL")" = 0 ]

# A case is reopened, and closed again for a reason of one's own; a
# household registered by mistake is deleted; one with interviews is not.
start 80 24 "$RUN"
keys 3
typed "BJ-0001"
expect "1 found"
keys Enter
expect "4. Reopen the case"
check "a case with interviews offers no delete" not_shown 'Delete (registered by mistake)'
keys 4
expect "The case of BJ-0001 is open again."
expect "4. Close the case"
keys 4 6
expect "The reason the case is closed:"
typed "family reunited in hometown"
keys Enter
expect "closed on $TODAY: family reunited in hometown"
# Edit: a next visit that is not a date is refused, and said so.
keys 2
expect "BJ-0001"
keys Down Down Down Down Down
typed "next week"
keys Down Down Enter
expect "Not saved: the next visit must be a date as YYYY-MM-DD, not 'next week'"
keys C-x C-x
keys C-x C-x
expect "Households (0 open)"
keys 3 Enter
expect "Register a household"
typed "typo"
keys Down Down Down Down Down Down Enter
expect "Household BJ-0002 saved."
expect "5. Delete (registered by mistake)"
# Without interviews its code can change; the page follows it.
keys 2
expect "> BJ-0002"
keys C-u
typed "BJ-0009"
keys Down Down Down Down Down Down Down Enter
expect "Household BJ-0009 saved."
expect "5. Delete (registered by mistake)"
keys 5
expect "Delete BJ-0009 and what it says? y: delete, n: keep"
keys y
expect "BJ-0009 deleted."
expect "1 found"
keys C-x C-x
expect "[exit 0]"
check "the reasons are in the history" [ "$(sqlite3 "$DB" "SELECT group_concat(what || ':' || coalesce(detail, ''), ',') FROM (SELECT what, detail FROM household_events ORDER BY id)")" = "registered:,closed:hardship resolved,reopened:,closed:family reunited in hometown" ]

# The connection drops while a household is being registered: what was
# typed is kept.
start 80 24 "$RUN"
expect "Households (0 open)"
keys 3 Enter
expect "Register a household"
typed "陈静"
expect "> 陈静"
stop_session
check "the registration survived the hang-up" [ "$(sqlite3 "$DB" "SELECT head FROM households WHERE code = 'BJ-0002'")" = "陈静" ]
check "and started no interview" [ "$(sqlite3 "$DB" "SELECT count(*) FROM records WHERE household = 'BJ-0002'")" = 0 ]

# A draft left from a household's page is back on that page, and its
# timeline resumes it.
start 80 24 "$RUN"
keys 3
typed "陈静"
expect "1 found"
keys Enter
expect "1. New interview"
keys Enter
answer "People in the household" TEXT:2 Enter
expect "Does the main earner have work"
keys C-x
expect "Timeline (1 interview)"
# The page offers the draft first: Resume, Discard, then New interview.
expect "1. Resume the draft (1 answered, 2020-R2)"
keys 5
expect "followup         draft     (not finalized)"
keys Enter
expect "Does the main earner have work"
keys C-x C-x C-x
expect "Resume a draft (1)"
keys C-x
expect "[exit 0]"

finish
