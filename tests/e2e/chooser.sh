#!/bin/sh
# The household list of a large register, in a real terminal at 80x24: it
# is read a page at a time, yet shows every household in order as the
# highlight moves past a page, counts the whole register, and says "more
# than 1000 found" for a search that finds more than it counts.
. tests/e2e/lib.sh

DB="$WORK/d.db"
"$BIN" --db "$DB" --export >/dev/null 2>&1	# the schema, as doorstep makes it
# 1,500 households written straight into the database: the counts follow.
sqlite3 "$DB" "INSERT INTO households (code, head, created_at, updated_at)
    WITH RECURSIVE c(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM c WHERE k < 1499)
    SELECT printf('HH-%04d', k), 'Head ' || k, 'x', 'x' FROM c"

start 80 24 "$BIN --db $DB --forms forms --lang en --interviewer liu"
expect "Households (1500 open)"
keys 3
expect "1500 found"
expect "HH-0000"
# Down past the first page (64 households): the 70th is HH-0069.
keys -N 70 Down
expect "HH-0069"
check "the highlighted row is HH-0069" sh -c \
    "tmux -L '$SOCK' -f /dev/null capture-pane -p -e | grep 'HH-0069' | grep -q '\[7m'"
typed "HH"
expect "more than 1000 found"
typed "-14"
expect "100 found"
expect "HH-1400"
keys Enter
expect "Head 1400"
keys C-x
expect "100 found"
keys C-x
expect "Households (1500 open)"
keys C-x
finish
