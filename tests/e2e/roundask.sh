#!/bin/sh
# The round is asked before the first interview when nothing says it
# (issue 13 item 5): no --round, no round chosen before, none in the
# config. The prompt lists the rounds that exist; a new one may be typed,
# or an empty line for no round. Once chosen it is not asked again.
. tests/e2e/lib.sh

mkdir -p "$WORK/forms"
cat > "$WORK/forms/two.yaml" <<'YAML'
form: two
version: "1"
title: Two questions
body:
  - {name: q1, type: text, label: Question one}
  - {name: q2, type: text, label: Question two}
YAML
DB="$WORK/r.db"
RUN="$BIN --forms $WORK/forms --lang en --interviewer liu"

start 80 24 "$RUN --db $DB"
expect "Round: none chosen"
keys Enter
wait_for "which household?" && keys Down Enter
expect "Which round is this interview of?"
expect "No interview has a round yet."
check "no interview starts before the round is chosen" not_shown "Question one"
typed "2026 R1"
keys Enter
expect "A round name is one word"
keys C-u
typed "2026-R1"
keys Enter
expect "2026-R1  Section 1 of 1, 1/2"
answer "Question one" TEXT:a Enter
keys C-x
expect "Round: 2026-R1"
stop_session

# The round chosen is kept: the next run does not ask.
start 80 24 "$RUN --db $DB"
expect "Round: 2026-R1"
keys Enter
wait_for "which household?" && keys Down Enter
expect "2026-R1  Section 1 of 1, 1/2"
keys C-x
stop_session

# Another database: ^X on the prompt starts nothing; an
# empty line is no round, and it is not asked again in that run.
"$BIN" --db "$DB" --export >"$WORK/r.jsonl" 2>/dev/null
start 80 24 "$RUN --db $WORK/other.db"
expect "New interview"
keys Enter
wait_for "which household?" && keys Down Enter
expect "Which round is this interview of?"
keys C-x
expect "New interview"
check "^X on the prompt starts no interview" not_shown "Question one"
keys Enter
wait_for "which household?" && keys Down Enter
expect "Which round is this interview of?"
keys Enter
expect "no round  Section 1 of 1, 1/2"
keys C-x
expect "New interview"
keys Enter
wait_for "which household?" && keys Down Enter
expect "no round  Section 1 of 1, 1/2"
keys C-x
stop_session

# A round in the config: nothing to ask.
mkdir -p "$WORK/config/doorstep"
printf 'round: 2026-R3\n' > "$WORK/config/doorstep/config.yaml"
start 80 24 "$RUN --db $WORK/third.db"
expect "Round: 2026-R3"
keys Enter
wait_for "which household?" && keys Down Enter
expect "2026-R3  Section 1 of 1, 1/2"
keys C-x

finish
