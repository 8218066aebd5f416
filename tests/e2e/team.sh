#!/bin/sh
# A team server (issue 12 items 1, 2, 3, 7): doorstep built and installed
# setgid to a data group into a temporary prefix, with a system config
# that says team: true; throw-away Unix users (interviewers A and B, a
# supervisor) reach it through a real sshd on a loopback port whose
# sshd_config forces doorstep on the team's group. A cannot read the
# database from a shell, nor point doorstep elsewhere; even a supervisor
# cannot make it write over the database or read /etc/shadow; each login
# is the interviewer on the title line; B continues the household A
# registered, with its round-1 answer carried over. Runs only as root
# (CI); the users, groups, sshd and temporary folders go at the end,
# whatever happens.
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP not root"
	exit 0
fi
for t in /usr/sbin/sshd ssh ssh-keygen useradd groupadd su; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "1..0 # SKIP no $t (make deps)"
		exit 0
	fi
done
. tests/e2e/lib.sh

SUF=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
UA="dsa$SUF" UB="dsb$SUF" US="dss$SUF"
GTEAM="dsteam$SUF" GDATA="dsdata$SUF"
T=$(mktemp -d /tmp/doorstep-team-XXXXXX)
SSHD_PID=""
MADE_RUN_SSHD=""
team_cleanup() {
	[ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null
	for u in "$UA" "$UB" "$US"; do
		pkill -KILL -u "$u" 2>/dev/null	# only these throw-away users
		userdel "$u" 2>/dev/null
	done
	groupdel "$GTEAM" 2>/dev/null
	groupdel "$GDATA" 2>/dev/null
	[ -n "$MADE_RUN_SSHD" ] && rmdir /run/sshd 2>/dev/null
	rm -rf "$T"
	cleanup
}
trap team_cleanup EXIT
trap "exit 1" INT TERM HUP PIPE
# Everything waits for at most a minute: a hang fails, it does not block.
chmod 711 "$T"

groupadd "$GTEAM" && groupadd "$GDATA" || { not_ok "groupadd"; exit 1; }
for u in "$UA" "$UB" "$US"; do
	mkdir -p "$T/home/$u"
	useradd -M -d "$T/home/$u" -s /bin/sh -g "$GTEAM" "$u" &&
	    usermod -p '*' "$u" && chown "$u" "$T/home/$u" ||
	    { not_ok "useradd $u"; exit 1; }
done

# Build and install with the setgid bit, the system config in $T/etc.
mkdir "$T/src"
cp -r Makefile core tui main.c forms locale doorstep.1 "$T/src/"
rm -rf "$T/src/locale/zh_CN"
if make -s -C "$T/src" -j2 install PREFIX="$T/prefix" SYSCONFDIR="$T/etc" \
    DATA_GROUP="$GDATA" CFLAGS="-O0" B="$T/build" >"$T/build.log" 2>&1; then
	ok "make install PREFIX SYSCONFDIR DATA_GROUP"
else
	not_ok "make install"; cat "$T/build.log"; exit 1
fi
DS="$T/prefix/bin/doorstep"
check "the program is installed setgid to the data group" \
    [ "$(stat -c '%A %G' "$DS")" = "-rwxr-sr-x $GDATA" ]

install -d -o root -g "$GDATA" -m 2770 "$T/data"
DB="$T/data/doorstep.db"
mkdir -p "$T/forms" "$T/etc/doorstep"
cat > "$T/forms/visit.yaml" <<'YAML'
form: visit
version: "1"
title: Visit
body:
  - {name: size, type: integer, required: true, prefill: true, label: People in the household}
YAML
chmod -R a+rX "$T/forms" "$T/etc"
config() {	# config ROUND
	cat > "$T/etc/doorstep/config.yaml" <<YAML
team: true
database: $DB
forms: $T/forms
site: beijing
code_prefix: BJ
round: $1
lang: en
team_group: $GTEAM
supervisors: [$US]
YAML
}
config 2020-R1

as() {	# as USER command...: a shell of that user
	u=$1
	shift
	su -s /bin/sh "$u" -c "$*"
}

# The sshd: own host key, own config, key logins, doorstep forced.
mkdir -p "$T/ssh/keys"
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/host" &&
    ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/client" || exit 1
for u in "$UA" "$UB" "$US"; do
	cp "$T/ssh/client.pub" "$T/ssh/keys/$u"
done
chmod -R go-w "$T/ssh"
[ -d /run/sshd ] || { mkdir -p /run/sshd && MADE_RUN_SSHD=1; }
PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000))
cat > "$T/ssh/sshd_config" <<CONF
ListenAddress 127.0.0.1
HostKey $T/ssh/host
PidFile $T/ssh/sshd.pid
AuthorizedKeysFile $T/ssh/keys/%u
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
SetEnv LANG=C.UTF-8
Match Group $GTEAM
	ForceCommand $DS
	AllowTcpForwarding no
	X11Forwarding no
CONF
/usr/sbin/sshd -D -e -f "$T/ssh/sshd_config" -p "$PORT" 2>"$T/sshd.log" &
SSHD_PID=$!
i=0
while ! grep -q "Server listening" "$T/sshd.log" && [ $i -lt 200 ]; do
	kill -0 "$SSHD_PID" 2>/dev/null || break
	sleep 0.05
	i=$((i + 1))
done
check "sshd listens on 127.0.0.1:$PORT" grep -q "Server listening" "$T/sshd.log"
SSH="ssh -F /dev/null -i $T/ssh/client -o StrictHostKeyChecking=no \
 -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR \
 -o ConnectTimeout=20 -t -p $PORT"

# The supervisor moves a single user's database in: its household stays.
"$BIN" --db "$T/old.db" --export >/dev/null 2>&1
sqlite3 "$T/old.db" "INSERT INTO households (code, head, created_at, updated_at) VALUES ('OLD-7', 'Zhao', 'x', 'x')"
chown "$US" "$T/old.db"
as "$US" "$DS --adopt $T/old.db" >"$T/out" 2>&1
check "a supervisor adopts a single user's database, with its household" \
    grep -q "adopted $T/old.db into $DB: 0 record(s), 1 household(s)" "$T/out"
grep -q "adopted" "$T/out" || sed 's/^/# /' "$T/out"
check "and the team's database is the data group's, mode 660" \
    [ "$(stat -c '%a %G' "$DB")" = "660 $GDATA" ]

# A over ssh: doorstep, their login on the title line.
start 100 30 "$SSH $UA@127.0.0.1"
expect "Households (1 open)"
check "the title line shows A's login" sh -c "tmux -L $SOCK capture-pane -p | head -n 1 | grep -qF '$UA @ beijing'"
keys 3
expect "+ Register a new household"
keys Enter
expect "BJ-0001"
typed "Liu Jianhua"
keys Enter
typed "138 0013 8000"
keys Enter
typed "Dongba"
keys Down Down Down Down
expect "[ Save ]"
keys Enter
expect "Household BJ-0001 saved."
keys Enter
answer "People in the household" TEXT:3 Enter
expect "Review"
keys Down Enter y
expect "Interview finalized"
keys C-x C-x C-x C-x
expect "[exit 0]"
check "A's record is in the shared database, by A" \
    [ "$(sqlite3 "$DB" "SELECT interviewer FROM records")" = "$UA" ]
check "the database is the data group's, mode 660" \
    [ "$(stat -c '%a %G' "$DB")" = "660 $GDATA" ]
check "its -wal and -shm too, or none" sh -c "for f in $DB-wal $DB-shm; do \
    [ ! -e \$f ] || [ \"\$(stat -c '%a %G' \$f)\" = '660 $GDATA' ] || exit 1; done"

# A with a shell.
as "$UA" "cat $DB" >"$T/cat.out" 2>&1
check "A cannot read the database from a shell" grep -q "Permission denied" "$T/cat.out"
# Exports and imports are a supervisor's (tests/e2e/access.sh): the
# supervisor cannot misuse them either.
as "$UA" "$DS --export --all --out $T/a.jsonl" >"$T/out" 2>&1
check "A cannot export" grep -q "only a supervisor can export" "$T/out"
SUM=$(sha256sum "$DB")
as "$US" "$DS --export --all --out $DB" >"$T/out" 2>&1
check "--export --out DB: refused" grep -q "Permission denied" "$T/out"
check "and the database is unchanged" [ "$(sha256sum "$DB")" = "$SUM" ]
as "$US" "$DS --import /etc/shadow" >"$T/out" 2>&1
check "--import /etc/shadow: cannot read it" grep -q "cannot read /etc/shadow: Permission denied" "$T/out"
for flag in "--db $T/mine.db" "--config $T/c.yaml" "--forms $T" "--interviewer $UB"; do
	as "$UA" "$DS $flag --export" >"$T/out" 2>&1
	check "$flag is refused in a team install" grep -q "this is a team install ($T/etc/doorstep/config.yaml): ${flag%% *} cannot be given" "$T/out"
done
as "$UA" "DOORSTEP_DB=$T/mine.db $DS --export" >"$T/out" 2>&1
check "DOORSTEP_DB is refused" grep -q "DOORSTEP_DB cannot be set" "$T/out"
as "$UA" "DOORSTEP_FORMS=$T $DS --export" >"$T/out" 2>&1
check "DOORSTEP_FORMS is refused" grep -q "DOORSTEP_FORMS cannot be set" "$T/out"
check "nothing was created where they pointed" [ ! -e "$T/mine.db" ]
as "$UA" "$DS --adopt $T/old.db" >"$T/out" 2>&1
check "an interviewer cannot adopt a database" grep -q "only root or a supervisor can adopt a database" "$T/out"
as nobody "cat $DB" >"$T/out" 2>&1
check "a stranger with a shell cannot read the database" grep -q "Permission denied" "$T/out"
as nobody "ls $T/data" >"$T/out" 2>&1
check "nor list the data folder" grep -q "Permission denied" "$T/out"
as nobody "$DS --export" >"$T/out" 2>&1
check "a user in no team group is told what to do" grep -q "nobody is not in the team group $GTEAM: ask the administrator to add you (usermod -a -G $GTEAM nobody)" "$T/out"
chmod 644 "$DB"
as "$US" "$DS --export" >"$T/out" 2>&1
check "a database of the wrong mode is named, with the fix" grep -q "mode 644; doorstep needs group $GDATA and mode 660: as root, chgrp $GDATA $DB && chmod 660 $DB" "$T/out"
chmod 660 "$DB"
chgrp "$GTEAM" "$DB"
as "$US" "$DS --export" >"$T/out" 2>&1
check "a database of the wrong group is named, with the fix" grep -q "chgrp $GDATA $DB && chmod 660 $DB" "$T/out"
chgrp "$GDATA" "$DB"
cp "$DS" "$T/nosgid"
chmod 755 "$T/nosgid"
as "$US" "$T/nosgid --export" >"$T/out" 2>&1
check "a doorstep without its setgid bit says to reinstall it" grep -q "doorstep is not installed setgid to the team's data group, so it cannot reach $T/data: reinstall it" "$T/out"
chgrp "$GTEAM" "$T/data"
as "$US" "$DS --export" >"$T/out" 2>&1
check "a data folder of the wrong group is named, with the fix" grep -q "must belong to the group $GDATA" "$T/out"
chgrp "$GDATA" "$T/data"

# The supervisor's upload: the data group is held only to open the
# database and the lock file beside it; what the upload reads next
# (server_file, ~/.netrc, --cacert) it reads with the supervisor's own
# rights. A file of the supervisor's in the data folder, where they
# cannot reach it: doorstep cannot read it either.
printf 'http://127.0.0.1:9/v1/projects/1/submission\n' > "$T/data/server"
chown "$US" "$T/data/server"
chmod 600 "$T/data/server"
printf 'server_file: %s\n' "$T/data/server" >> "$T/etc/doorstep/config.yaml"
as "$US" "$DS --upload --dry-run" >"$T/out" 2>&1
check "--upload cannot read a file only the data group reaches" \
    grep -q "cannot read $T/data/server: Permission denied" "$T/out"
config 2020-R1
rm -f "$T/port"
python3 tests/fake_openrosa.py --port-file "$T/port" --lifetime 120 >/dev/null 2>&1 &
SERVER=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt "$POLLS" ]; do sleep 0.05; i=$((i + 1)); done
URL="http://127.0.0.1:$(cat "$T/port")/v1/projects/1/submission"
# Two uploads at once, by two supervisors: each record is sent once.
config 2020-R1
sed -i "s/^supervisors: .*/supervisors: [$US, $UB]/" "$T/etc/doorstep/config.yaml"
( as "$US" "$DS --upload $URL" >"$T/up1" 2>&1 ) &
P1=$!
( as "$UB" "$DS --upload $URL" >"$T/up2" 2>&1 ) &
P2=$!
wait $P1 $P2
stats() { curl -s "${URL%/v1/*}/stats" | jq ".$1"; }
check "two supervisors upload at once: no record sent twice" [ "$(stats sent_twice)" = 0 ]
check "and the server has the record" [ "$(stats instances)" = 1 ]
check "which is marked uploaded" [ "$(sqlite3 "$DB" "SELECT count(*) FROM records WHERE status = 'uploaded'")" = 1 ]
grep -q "1 uploaded" "$T/up1" "$T/up2" || sed 's/^/# /' "$T/up1" "$T/up2"
check "the lock file beside the database is the data group's, 660" \
    [ "$(stat -c '%a %G' "$DB.upload-lock")" = "660 $GDATA" ]
check "so is the writers' queue beside it, which every member's doorstep opens" \
    [ "$(stat -c '%a %G' "$DB.write-queue")" = "660 $GDATA" ]
kill "$SERVER" 2>/dev/null
SERVER=""
config 2020-R1

# A terminal description of A's own (TERMINFO, ~/.terminfo) is not read
# by the setgid program: a single-user doorstep would draw with it.
infocmp vt100 | sed 's/^vt100|/dsevil|/' >"$T/evil.src" &&
    tic -o "$T/ti" "$T/evil.src" 2>/dev/null
cp -r "$T/ti" "$T/home/$UA/.terminfo"
chmod -R a+rX "$T/ti"
chown -R "$UA" "$T/home/$UA/.terminfo"
start 100 30 "env TERMINFO=$T/ti TERM=dsevil $BIN --db $T/single.db --forms $T/forms"
expect "household needs assessment"
stop_session
start 100 30 "su -s /bin/sh $UA -c 'TERMINFO=$T/ti TERM=dsevil $DS'"
expect "cannot use the terminal type 'dsevil'"
start 100 30 "su -s /bin/sh $UA -c 'HOME=$T/home/$UA TERM=dsevil $DS'"
expect "cannot use the terminal type 'dsevil'"
stop_session

# B over ssh, round 2: the household A registered, its answer carried.
config 2020-R2
start 100 30 "$SSH $UB@127.0.0.1"
expect "Households (2 open)"
check "the title line shows B's login" sh -c "tmux -L $SOCK capture-pane -p | head -n 1 | grep -qF '$UB @ beijing'"
keys 1
expect "which household?"
typed "Jianhua"
expect "1 found"
keys Enter
expect "People in the household"
expect "From round 2020-R1: Enter keeps this answer; or change it."
expect "> 3"
keys Enter
expect "Review"
keys Down Enter y
expect "Interview finalized"
keys C-x C-x C-x C-x
expect "[exit 0]"
check "B's round-2 record is B's, of the same household" \
    [ "$(sqlite3 "$DB" "SELECT interviewer || ' ' || round FROM records ORDER BY id" | tr '\n' ,)" = "$UA 2020-R1,$UB 2020-R2," ]

# The supervisor's login is shown as theirs too.
start 100 30 "$SSH $US@127.0.0.1"
check "the title line shows the supervisor's login" wait_for "$US @ beijing"
keys C-x C-x
expect "[exit 0]"
stop_session

[ -s "$WORK/asan" ] && not_ok "no sanitizer report"
echo "1..$N"
[ "$FAILED" -eq 0 ]
