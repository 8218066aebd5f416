#!/bin/sh
# The register and the questionnaire agree, in a real terminal at 80x24: a
# household registered with its head and a phone typed with spaces (after
# one that is no phone number is refused) is
# found by the pinyin of the head's name; its interview starts with the
# date of today, the head's name and the phone from the register, marked;
# the phone is corrected (typed with dashes and full-width digits) and,
# once the interview is finalized, the register holds the corrected phone
# and its timeline says what was edited.
. tests/e2e/lib.sh

DB="$WORK/d.db"
mkdir -p "$WORK/config/doorstep"
printf 'site: beijing\ncode_prefix: BJ\n' > "$WORK/config/doorstep/config.yaml"
RUN="$BIN --db $DB --forms tests/forms/register --lang en --interviewer liu --round 2026-R1"
TODAY=$(date +%Y-%m-%d)
sql() { sqlite3 "$DB" "$1"; }

# The XForm a server is given starts the date as today too.
$BIN --xform tests/forms/register/contact.yaml > "$WORK/contact.xml"
check "--xform fills the date with today" \
    grep -qF '<visit_date jr:preload="date" jr:preloadParams="today"/>' "$WORK/contact.xml"

start 80 24 "$RUN"
expect "Households (0 open)"
keys 3
expect "+ Register a new household"
keys Enter
expect "Register a household"
expect "BJ-0001"
typed "张秀英"
keys Enter
# What is not a phone number is refused, saying what one is; the cursor
# goes back to the phone.
typed "12345"
keys Enter
wait_for "[ Save ]" && keys Down Down Down Down
keys Enter
expect "the phone '12345' cannot be kept"
keys C-u
typed "138 1234 5678"
keys Enter
wait_for "[ Save ]" && keys Down Down Down Down
keys Enter
expect "Household BJ-0001 saved."
expect "Phone      13812345678"
keys C-x
expect "+ Register a new household"
keys C-x
expect "Households (1 open)"

# Found by the pinyin of the head's name: initials, then in full.
keys 3
typed "zxy"
expect "1 found"
expect "张秀英"
keys C-u
typed "zhang xiu ying"
expect "1 found"
keys Enter
expect "Head       张秀英"
expect "1. New interview"
keys 1

# Today's date is where the date starts; Enter keeps it.
expect "Date of the visit"
expect "> $TODAY"
answer "Date of the visit" Enter
# The head's name and the phone come from the register, marked.
expect "Name of the head of the household"
expect "> 张秀英"
expect "From the household register: Enter keeps this answer"
answer "Name of the head of the household" Enter
expect "> 13812345678"
expect "From the household register"
# Corrected, typed as a phone's keyboard does.
keys C-u
typed "１３９-8765-4321"
keys Enter
answer "People in the household" "TEXT:３" Enter
expect "Review"
check "the corrected phone is stored in its normal form" \
    [ "$(sql "SELECT value FROM answers WHERE name = 'head_phone'")" = 13987654321 ]
check "the register is not changed by a draft" \
    [ "$(sql "SELECT phone FROM households")" = 13812345678 ]
keys End
expect "[ Finalize this interview ]"
keys Enter
expect "Finalize? Answers cannot change afterwards."
keys y
expect "Interview finalized"

check "the register holds the corrected phone" \
    [ "$(sql "SELECT phone FROM households")" = 13987654321 ]
check "the edit is in the household's history" \
    [ "$(sql "SELECT what || ' ' || detail FROM household_events WHERE what = 'edited'")" = "edited phone: 13812345678 -> 13987654321" ]
check "the visit date is today" \
    [ "$(sql "SELECT value FROM answers WHERE name = 'visit_date'")" = "$TODAY" ]
check "the size typed full-width is a number" \
    [ "$(sql "SELECT value FROM answers WHERE name = 'size'")" = 3 ]

# The household's page and timeline show it.
expect "Next visit to BJ-0001"
keys C-u Enter
expect "Phone      13987654321"
keys 3
expect "edited: phone: 13812345678 -> 13987654321"

finish
