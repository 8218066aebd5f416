#!/bin/sh
# The first start after an upgrade: a database of an older schema that
# holds data is updated, and the terminal says so before the work starts,
# then how far it has got, step by step; then the program goes on.
. tests/e2e/lib.sh

# A database as doorstep made it at schema 8 (tests/upgrade/schema-8.sql),
# with `$2` households and a record each.
old_database() {
	rm -f "$1" "$1-wal" "$1-shm"
	{
		cat tests/upgrade/schema-8.sql
		cat <<SQL
INSERT INTO form_versions VALUES (1, 'needs_assessment', '2020-02', 'x',
  readfile('forms/needs_assessment.yaml'), '2020-02-01');
INSERT INTO households (code, site, head, phone, created_at, updated_at)
  WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c WHERE k < $2)
  SELECT printf('H%05d', k), 'beijing', '张伟' || k, '138 0000 ' || k,
    '2020-02-01', '2020-02-01' FROM c;
INSERT INTO records (instance_id, form_version_id, household, interviewer,
  status, started_at, updated_at)
  SELECT 'uuid:' || code, 1, code, 'liu', 'uploaded', '2020-02-01',
    '2020-02-01' FROM households;
SQL
	} | sqlite3 "$1"
}

# Where the program is started, the screen it had before its own: the
# update's lines stay there (tmux keeps it behind the program's screen).
screen_before() { tm capture-pane -a -p 2>/dev/null; }

old_database "$WORK/old.db" 300
start 150 30 "$BIN --db $WORK/old.db --forms forms --lang en"
expect "save+leave"
expect "Households (300 open)"
screen_before > "$WORK/before"
check "said before the home screen: the update, from which version, how many households" \
    grep -q "^Updating the database from version 8 to [0-9]* (300 households); this can take a minute. Do not switch off.$" "$WORK/before"
check "then each step, the search index counted to 100%" \
    grep -q "^step 3 of [0-9]*: the household search index, 100%$" "$WORK/before"
check "and that it is done" grep -q "^The database is up to date (version [0-9]*), in [0-9]* s.$" "$WORK/before"
keys C-x
expect "[exit 0]"

# A command-line mode says it on the terminal it was started from, and
# leaves the message there; in Chinese with --lang zh.
old_database "$WORK/old2.db" 50
start 150 30 "$BIN --db $WORK/old2.db --lang zh --export --out $WORK/export.jsonl"
expect "正在把数据库从版本 8 更新到"
expect "（50 户）"
expect "[exit 0]"
check "and does its work" grep -q "uuid:H00050" "$WORK/export.jsonl"

# Elsewhere than a terminal (cron, a pipe): a line a step, no percent
# counted in place, and nothing in the data on stdout.
old_database "$WORK/old3.db" 50
"$BIN" --db "$WORK/old3.db" --lang en --export >"$WORK/out" 2>"$WORK/err"
check "--export to a pipe: the update on stderr" grep -q "^Updating the database from version 8" "$WORK/err"
check "a line a step, without carriage returns" sh -c "grep -c '^step [0-9]* of' '$WORK/err' | grep -qx \$(( $(grep -o 'to [0-9]*' "$WORK/err" | head -1 | cut -d' ' -f2) - 8 )) && ! grep -q \"\$(printf '\\r')\" '$WORK/err'"
check "and not in the export" sh -c "! grep -q Updating '$WORK/out'"

# Opened again: nothing to update, nothing said.
"$BIN" --db "$WORK/old3.db" --lang en --export >/dev/null 2>"$WORK/err2"
check "the next start says nothing of it" sh -c "! grep -q Updating '$WORK/err2'"

# A new database: nothing said either.
"$BIN" --db "$WORK/new.db" --lang en --export >/dev/null 2>"$WORK/err3"
check "a new database says nothing of it" sh -c "! grep -q Updating '$WORK/err3'"

finish
