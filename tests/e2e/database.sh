#!/bin/sh
# The database as a team meets it: first starts at the same moment on a
# new or an old database, a database from a newer doorstep, a folder that
# others can write or that this user cannot, a path that points nowhere.
. tests/e2e/lib.sh

run() {	# run ARGS...: stdout to $WORK/out, stderr to $WORK/err, status in $rc
	"$BIN" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
	rc=$?
}
has_err() { grep -qF -- "$1" "$WORK/err"; }

# What a database is made of: its schema version, journal mode, tables,
# indexes and columns, and whether SQLite finds it sound.
shape() {	# shape DB
	sqlite3 "$1" "PRAGMA user_version; PRAGMA journal_mode;
	    SELECT type, name FROM sqlite_master ORDER BY type, name;
	    SELECT m.name, p.name, p.type FROM sqlite_master m
	      JOIN pragma_table_xinfo(m.name) p WHERE m.type = 'table'
	      ORDER BY m.name, p.cid;
	    PRAGMA integrity_check;" 2>&1
}

# The database one start makes alone: what every racing start must leave.
mkdir -p "$WORK/ref"
run --db "$WORK/ref/d.db" --export
check "one first start alone exits 0" [ "$rc" -eq 0 ]
shape "$WORK/ref/d.db" > "$WORK/ref.shape"

# A database of schema 1 (the first doorstep), in rollback-journal mode as
# the sqlite3 shell leaves it, with two drafts of one household.
sqlite3 "$WORK/old.db" <<'EOF'
CREATE TABLE form_versions (  id INTEGER PRIMARY KEY,  form_id TEXT NOT NULL,  version TEXT NOT NULL,  sha256 TEXT NOT NULL UNIQUE,  yaml TEXT NOT NULL,  first_used TEXT NOT NULL);
CREATE TABLE records (  id INTEGER PRIMARY KEY,  instance_id TEXT NOT NULL UNIQUE,  form_version_id INTEGER NOT NULL REFERENCES form_versions(id),  household TEXT, round TEXT, site TEXT,  interviewer TEXT NOT NULL,  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN    ('draft', 'finalized', 'uploaded', 'conflict')),  started_at TEXT NOT NULL,  updated_at TEXT NOT NULL,  finalized_at TEXT,  position TEXT,  xml TEXT,  uploaded_at TEXT,  server_reply TEXT);
CREATE INDEX records_by_status ON records(status);
CREATE TABLE answers (  record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,  name TEXT NOT NULL,  value TEXT,  PRIMARY KEY (record_id, name)) WITHOUT ROWID;
INSERT INTO form_versions VALUES (1, 't', '1', 'x', 'form: t', '2020-01-01');
INSERT INTO records (id, instance_id, form_version_id, household, site,
  interviewer, started_at, updated_at) VALUES
  (7, 'uuid:7', 1, 'BJ-7', 'beijing', 'liu', '2020-01-01', '2020-01-01'),
  (8, 'uuid:8', 1, 'bj-7', 'beijing', 'liu', '2020-01-02', '2020-01-02');
INSERT INTO answers VALUES (7, 'name', '刘丽'), (8, 'name', '王');
PRAGMA user_version = 1;
EOF

# Starts `per` processes at the same moment on each of `rounds` databases
# made by `make_db`. Counts the starts that did not exit 0 ($failed), the
# databases that do not open again ($bricked) and those whose shape is not
# the one a start alone makes ($wrong). The leak check at exit doubles the
# cost of a start: it runs in one start of each round.
race() {	# race rounds per make_db
	rounds=$1 per=$2 make_db=$3
	failed=0 bricked=0 wrong=0
	: > "$WORK/race.err"
	r=0
	while [ $r -lt "$rounds" ]; do
		r=$((r + 1))
		db="$WORK/race-$r/d.db"
		mkdir -p "$WORK/race-$r"
		$make_db "$db"
		pids=""
		k=0
		while [ $k -lt "$per" ]; do
			leaks=$([ $k -eq 0 ] && echo 1 || echo 0)
			ASAN_OPTIONS="log_path=$WORK/asan:detect_leaks=$leaks" \
			    "$BIN" --db "$db" --export >/dev/null 2>>"$WORK/race.err" </dev/null &
			pids="$pids $!"
			k=$((k + 1))
		done
		for p in $pids; do
			wait "$p" || failed=$((failed + 1))
		done
		ASAN_OPTIONS="log_path=$WORK/asan:detect_leaks=0" \
		    "$BIN" --db "$db" --export >/dev/null 2>>"$WORK/race.err" </dev/null ||
		    bricked=$((bricked + 1))
		shape "$db" > "$WORK/race.shape"
		cmp -s "$WORK/ref.shape" "$WORK/race.shape" || wrong=$((wrong + 1))
		rm -rf "$WORK/race-$r"
	done
	echo "# $failed of $((rounds * per)) starts failed; of $rounds databases" \
	    "$bricked do not open again, $wrong have another schema"
	grep -v 'exported 0 record' "$WORK/race.err" |
	    sed 's/race-[0-9]*/race-N/' | sort | uniq -c | sort -rn | head -5 |
	    sed 's/^/# /'
}

new_db() { :; }
old_db() { cp "$WORK/old.db" "$1"; }
old_kept() {	# the drafts of the schema-1 database are all still there
	[ "$(sqlite3 "$1" "SELECT group_concat(record_id || '=' || value, ' ')
	    FROM (SELECT * FROM answers ORDER BY record_id)")" = "7=刘丽 8=王" ] &&
	[ "$(sqlite3 "$1" "SELECT count(*) FROM households")" = 1 ] &&
	[ "$(sqlite3 "$1" "SELECT count(*) FROM households WHERE code = 'BJ-7'")" = 1 ]
}

# 100 first starts on new databases, 10 at the same moment on each.
race 10 10 new_db
check "100 first starts at once (10 on each new database): all exit 0" [ "$failed" -eq 0 ]
check "and each database opens again" [ "$bricked" -eq 0 ]
check "with the schema a start alone makes" [ "$wrong" -eq 0 ]

# 100 starts on databases of schema 1, 10 at the same moment on each: each
# is migrated once, its answers kept.
race 10 10 old_db
check "100 starts at once on schema-1 databases: all exit 0" [ "$failed" -eq 0 ]
check "and each opens again" [ "$bricked" -eq 0 ]
check "migrated to the schema a start alone makes" [ "$wrong" -eq 0 ]
old_db "$WORK/mig.db"
run --db "$WORK/mig.db" --export
check "a migrated database keeps its drafts and registers their household" old_kept "$WORK/mig.db"

# A database from a newer doorstep, in rollback-journal mode, is refused
# and left exactly as it was: the same bytes, the same journal mode.
sqlite3 "$WORK/newer.db" "CREATE TABLE future (x); INSERT INTO future VALUES (1);
    PRAGMA user_version = 999;"
before=$(cksum < "$WORK/newer.db")
run --db "$WORK/newer.db" --export
check "a newer database is refused: exit 2" [ "$rc" -eq 2 ]
check "the message says why" has_err "was written by a newer doorstep (data schema 999"
check "the file is byte for byte as it was" [ "$(cksum < "$WORK/newer.db")" = "$before" ]
check "and still in rollback-journal mode" \
    [ "$(sqlite3 "$WORK/newer.db" "PRAGMA journal_mode")" = "delete" ]
no_journals() { [ ! -e "$1-wal" ] && [ ! -e "$1-shm" ] && [ ! -e "$1-journal" ]; }
check "no journal file left beside it" no_journals "$WORK/newer.db"

# A folder that other users can write: they could put their own database
# (or journal) in its place. Refused, with the fix.
mkdir "$WORK/shared"
chmod 777 "$WORK/shared"
run --db "$WORK/shared/d.db" --export
check "a world-writable data folder is refused: exit 2" [ "$rc" -eq 2 ]
check "the message names the folder and the fix" \
    has_err "other users can write in the folder $WORK/shared"
check "and says how to fix it" has_err "chmod 700 $WORK/shared"
check "no database was created there" [ ! -e "$WORK/shared/d.db" ]
chmod 770 "$WORK/shared"
run --db "$WORK/shared/d.db" --export
check "a group-writable data folder is refused too" has_err "chmod 700 $WORK/shared"
chmod 1777 "$WORK/shared"
run --db "$WORK/shared/d.db" --export
check "a world-writable folder with the sticky bit (as /tmp) is taken" [ "$rc" -eq 0 ]

# A database path that is a symbolic link to nothing: refused, and nothing
# created where it points.
ln -s "$WORK/gone.db" "$WORK/link.db"
run --db "$WORK/link.db" --export
check "a dangling symbolic link is refused: exit 2" [ "$rc" -eq 2 ]
check "the message says where it points" \
    has_err "$WORK/link.db is a symbolic link to $WORK/gone.db, which does not exist"
check "no file was created at its target" [ ! -e "$WORK/gone.db" ]
ln -s "$WORK/ref/d.db" "$WORK/good-link.db"
run --db "$WORK/good-link.db" --export
check "a symbolic link to a database is followed" [ "$rc" -eq 0 ]

# A folder this user cannot write: the database cannot make its journal
# files there. As root permissions do not apply, so run as nobody.
as_user=""
if [ "$(id -u)" -ne 0 ]; then
	as_user="env"
elif id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	as_user="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
fi
if [ -z "$as_user" ]; then
	N=$((N + 1))
	echo "ok $N # skip root, and no user nobody to run as"
	N=$((N + 1))
	echo "ok $N # skip root, and no user nobody to run as"
else
	mkdir "$WORK/ro"
	"$BIN" --db "$WORK/ro/d.db" --export >/dev/null 2>&1
	if [ "$(id -u)" -eq 0 ]; then
		chown nobody "$WORK/ro/d.db"
		chmod 711 "$WORK"
		chmod 755 "$WORK/ro"
	else
		chmod 555 "$WORK/ro"
	fi
	$as_user "$BIN" --db "$WORK/ro/new.db" --export >"$WORK/out" 2>"$WORK/err" </dev/null
	check "a new database in a read-only folder: says which folder, and why" \
	    has_err "cannot write in $WORK/ro: Permission denied (the database needs to create its journal files there)"
	$as_user "$BIN" --db "$WORK/ro/d.db" --export >"$WORK/out" 2>"$WORK/err" </dev/null
	check "an existing database in a read-only folder: the same" \
	    has_err "cannot write in $WORK/ro: Permission denied (the database needs to create its journal files there)"
	chmod 700 "$WORK" "$WORK/ro"
fi

finish
