#!/bin/sh
# Rounds and drafts (issue 13 items 5 and 8). An interview's title shows
# its round ("no round" without one); --report counts a record without a
# round on a line of its own. Drafts do not pile up (item 8): Ctrl-X on the register form saves
# the household and opens its page, no interview; an interview left with
# nothing answered keeps no draft; the household's page offers Resume the
# draft and Discard the draft (with y/n); the drafts list discards too.
. tests/e2e/lib.sh

DB="$WORK/r.db"
mkdir -p "$WORK/forms"
cat > "$WORK/forms/two.yaml" <<'EOF'
form: two
version: "1"
title: Two questions
body:
  - {name: q1, type: text, label: Question one}
  - {name: q2, type: text, label: Question two}
EOF
RUN="$BIN --db $DB --forms $WORK/forms --lang en --interviewer liu"
sql() { sqlite3 "$DB" "$1"; }

start 80 24 "$RUN"
expect "New interview"
keys Enter
wait_for "which household?" || not_ok "the household chooser shows"
typed "BJ-9"
wait_for "Register a new household: BJ-9" || not_ok "searched for BJ-9"
keys Enter
expect "[ Save and start interview ]"
keys C-x
expect "Edit details and next visit"
check "^X on the register form starts no interview" not_shown "Question one"
check "^X on the register form saved the household" \
    [ "$(sql "SELECT count(*) FROM households WHERE code = 'BJ-9'")" = 1 ]

# New interview, then ^X at once: no empty draft is kept. Nothing says
# the round: it is asked first, and an empty line is no round.
keys Enter
expect "Which round is this interview of?"
keys Enter
expect "Question one"
keys C-x
expect "the draft was not kept"
check "an interview left unanswered keeps no record" \
    [ "$(sql "SELECT count(*) FROM records")" = 0 ]
check "the page offers no draft to resume" not_shown "Resume the draft"

# One answer, then ^X: the page offers to resume it.
keys Enter
answer "Question one" TEXT:kept Enter
expect "Question two"
keys C-x
expect "Draft saved"
expect "Resume the draft (1 answered"
keys Enter
expect "Question two"
keys C-x
expect "Discard the draft"

# Discard from the page: n keeps it, y deletes the record and its answers.
keys 2
expect "Discard this draft and its 1 answer? y: discard, n: keep"
keys n
expect "Kept."
check "n keeps the draft" [ "$(sql "SELECT count(*) FROM records")" = 1 ]
keys 2
expect "y: discard, n: keep"
keys y
expect "Draft discarded."
check "y deletes the draft" [ "$(sql "SELECT count(*) FROM records")" = 0 ]
check "and its answers" [ "$(sql "SELECT count(*) FROM answers")" = 0 ]
check "the page no longer offers it" not_shown "Resume the draft"

# The drafts list discards too.
keys Enter
answer "Question one" TEXT:again Enter
keys C-x
expect "Resume the draft"
keys C-x
wait_for "which household?" && keys C-x
expect "Resume a draft (1)"
keys 2
expect "d: discard the highlighted draft"
keys d
expect "y: discard, n: keep"
keys y
expect "Draft discarded."
check "the drafts list discards the draft" \
    [ "$(sql "SELECT count(*) FROM records")" = 0 ]

# The title of an interview shows its round, or that it has none.
keys C-x
expect "Resume a draft (0)"
keys 1
wait_for "which household?" && keys Down Enter
expect "no round  Section 1 of 1, 1/2"
keys C-x
expect "the draft was not kept"
stop_session
start 80 24 "$RUN --round 2026-R1"
expect "Round: 2026-R1"
keys Enter
wait_for "which household?" && keys Down Enter
expect "2026-R1  Section 1 of 1, 1/2"
keys C-x
expect "the draft was not kept"

# A finalized record without a round shows in --report as "no round".
printf '{"instance_id":"uuid:00000000-0000-4000-8000-000000000001","form":"two","form_version":"1","status":"finalized","household":"BJ-9","site":"beijing","interviewer":"liu","started_at":"2026-03-01T10:00:00+08:00","finalized_at":"2026-03-01T10:30:00+08:00","answers":{"q1":"a","q2":"b"}}\n' > "$WORK/none.jsonl"
$BIN --db "$DB" --forms "$WORK/forms" --import "$WORK/none.jsonl" >"$WORK/import.out" 2>&1
check "a record without a round is imported" \
    [ "$(sql "SELECT count(*) FROM records WHERE round IS NULL")" = 1 ]
$BIN --db "$DB" --forms "$WORK/forms" --lang en --report > "$WORK/report.txt" 2>&1
check "--report shows the record with no round" \
    grep -qF "no round: 1 household(s) assessed in an interview without a round" \
    "$WORK/report.txt"
$BIN --db "$DB" --forms "$WORK/forms" --lang en --report --format csv \
    > "$WORK/report.csv" 2>&1
check "the CSV report has a no round row" grep -qF "no round,all,,,1,1,100.0" \
    "$WORK/report.csv"

finish
