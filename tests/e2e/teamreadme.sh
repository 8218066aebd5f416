#!/bin/sh
# The README's "Running a team server", followed word for word (issue 12,
# "Done when"): the commands are taken from README.md's code blocks, not
# copied here, so that the README cannot drift from what is tested. They
# run as root in a mount and pid namespace of their own, where /etc,
# /usr/local, /var/lib, /srv, /home and /run are overlays whose changes
# live in a tmpfs that goes with the namespace: groupadd and useradd
# write only the overlay's /etc/group and /etc/shadow, make install only
# the overlay's /usr/local. Then, as the README's users: the interviewer
# logs in through ssh (a test sshd on a loopback port, Debian's defaults
# plus the README's Match block) and finalizes an interview; the
# supervisor, with a shell, runs --report, --export, --trail and --upload.
# Afterwards, outside the namespace: the real /etc, /usr/local, /var/lib
# and /srv are as they were. Skips when not root, or when the machine has
# no unshare or overlay mounts. Every process of the namespace ends with
# it (its pid 1 is this script's inner half).
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP not root"
	exit 0
fi
for t in unshare mount /usr/sbin/sshd ssh ssh-keygen useradd groupadd su \
    python3 dpkg-query; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "1..0 # SKIP no $t (make deps)"
		exit 0
	fi
done

# The inner half: inside the namespace.
if [ -n "${TEAMREADME_T:-}" ]; then
	T=$TEAMREADME_T
	# The test's tmux sockets in a folder of its own: in the namespace
	# this script is pid 1, whose names another run would share.
	mkdir -p "$T/tmux"
	export TMUX_TMPDIR="$T/tmux"
	. tests/e2e/lib.sh
	case $BIN in
	/*) ABSBIN=$BIN ;;
	*) ABSBIN=$PWD/$BIN ;;
	esac
	mount --make-rprivate / || { not_ok "mount --make-rprivate /"; exit 1; }
	mount -t tmpfs -o mode=700 teamreadme "$T/ovl" ||
	    { not_ok "a tmpfs for the overlays"; exit 1; }
	for d in /etc /usr/local /var/lib /srv /home /run; do
		n=$(echo "$d" | tr / _)
		mkdir -p "$T/ovl/up$n" "$T/ovl/work$n"
		if ! mount -t overlay overlay -o "lowerdir=$d,upperdir=$T/ovl/up$n,workdir=$T/ovl/work$n" "$d"; then
			echo "# SKIP: no overlay mount over $d"
			echo 0 > "$T/n"
			exit 0
		fi
	done

	# The administrator's source folder: a copy of this one.
	mkdir "$T/src"
	cp -r Makefile core tui main.c forms locale doorstep.1 README.md "$T/src/"
	rm -rf "$T/src/locale/zh_CN"
	# What the administrator got from each user: their public key.
	ssh-keygen -q -t ed25519 -N '' -f "$T/key" || exit 1
	cp "$T/key.pub" "$T/src/liu.pub"
	cp "$T/key.pub" "$T/src/wang.pub"

	# The README's commands, from its code blocks.
	awk '/^## Running a team server/ { on = 1; next }
	    on && /^## / { exit }
	    on && /^```sh$/ { sh = 1; next }
	    on && sh && /^```$/ { exit }
	    sh { print }' README.md > "$T/steps.sh"
	awk '/^## Running a team server/ { on = 1; next }
	    on && /^## / { exit }
	    on && /^```sh$/ { skip = 1; next }
	    skip && /^```$/ { skip = 0; next }
	    skip { next }
	    on && /^```$/ { if (blk) exit; blk = 1; next }
	    blk { print }' README.md > "$T/match.conf"
	check "the README's team section has its commands" grep -q "^make install" "$T/steps.sh"
	check "and its sshd Match block" grep -q "^Match Group" "$T/match.conf"
	# make deps (apt-get) is not run here: its packages must be installed.
	pkgs=$(sed -n 's/.*apt-get install -y --no-install-recommends //p' Makefile)
	check "make deps: its packages are installed (not fetched by the test)" \
	    sh -c "dpkg-query -W $pkgs >/dev/null 2>&1"
	grep -v '^make deps' "$T/steps.sh" > "$T/steps-run.sh"
	# Built unoptimised, two at a time: the same install, sooner.
	if (cd "$T/src" && CFLAGS=-O0 MAKEFLAGS=-j2 sh -ex "$T/steps-run.sh") \
	    >"$T/steps.log" 2>&1; then
		ok "the README's commands run as printed, each with success"
	else
		not_ok "the README's commands run as printed"
		grep -v "^CC " "$T/steps.log" | tail -25 | sed "s/^/# /"
	fi
	DS=/usr/local/bin/doorstep
	DB=/var/lib/doorstep/doorstep.db
	check "doorstep is installed setgid to doorstep-data" \
	    [ "$(stat -c '%A %U %G' $DS)" = "-rwxr-sr-x root doorstep-data" ]
	check "the data folder is doorstep-data's, closed to others" \
	    [ "$(stat -c '%a %G' /var/lib/doorstep)" = "2770 doorstep-data" ]
	check "the supervisor's --report created the database, 660 doorstep-data" \
	    [ "$(stat -c '%a %G' $DB)" = "660 doorstep-data" ]
	su -s /bin/sh liu -c "cat $DB" >"$T/out" 2>&1
	check "liu cannot read the database from a shell" grep -q "Permission denied" "$T/out"
	su -s /bin/sh liu -c "ls /var/lib/doorstep" >"$T/out" 2>&1
	check "nor list the data folder" grep -q "Permission denied" "$T/out"

	# The server's sshd: Debian's defaults, the README's Match block.
	ssh-keygen -q -t ed25519 -N '' -f "$T/host" || exit 1
	mkdir -p /run/sshd
	PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000))
	{
		printf 'ListenAddress 127.0.0.1\nHostKey %s\nPidFile %s/sshd.pid\n' "$T/host" "$T"
		printf 'KbdInteractiveAuthentication no\nUsePAM yes\n'
		printf 'X11Forwarding yes\nPrintMotd no\nAcceptEnv LANG LC_*\n'
		cat "$T/match.conf"
	} > "$T/sshd_config"
	check "sshd -t takes the README's block" /usr/sbin/sshd -t -f "$T/sshd_config"
	/usr/sbin/sshd -D -e -f "$T/sshd_config" -p "$PORT" 2>"$T/sshd.log" &
	i=0
	while ! grep -q "Server listening" "$T/sshd.log" && [ $i -lt "$POLLS" ]; do
		sleep 0.05
		i=$((i + 1))
	done
	check "sshd listens on 127.0.0.1:$PORT" grep -q "Server listening" "$T/sshd.log"
	SSH="ssh -F /dev/null -i $T/key -o StrictHostKeyChecking=no \
	 -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR \
	 -o ConnectTimeout=20 -p $PORT"

	# The interviewer: doorstep, whatever they ask for.
	$SSH liu@127.0.0.1 sh -c id >"$T/out" 2>&1
	check "liu's ssh command runs doorstep, not a shell" sh -c "! grep -q uid= '$T/out'"
	start 100 30 "$SSH -t liu@127.0.0.1"
	expect "Households (0 open)"
	check "the title line shows liu's login" sh -c "tmux -L $SOCK capture-pane -p | head -n 1 | grep -qF 'liu @ beijing'"
	new_interview BJ-0001
	answer "Tell the respondent" Enter
	answer "Does the respondent agree" 2
	answer "The respondent did not agree" Enter
	expect "Review"
	keys Down Enter y
	expect "Interview finalized"
	skip_next_visit
	# No key leaves doorstep for a shell: ^Z and ^\ are keys like
	# others (a stopped or killed doorstep would not take the ^X that
	# follow, nor leave with status 0), and leaving doorstep ends the
	# login.
	keys C-z 'C-\'
	keys C-x C-x C-x C-x
	expect "[exit 0]"
	stop_session

	# The supervisor, with a shell.
	$SSH wang@127.0.0.1 doorstep --report >"$T/out" 2>"$T/err"
	check "wang: --report runs" grep -q "^Needs report: " "$T/out"
	check "and counts liu's refusal as not assessed" grep -q "Not assessed (refused): 1" "$T/out"
	grep -q "Not assessed (refused): 1" "$T/out" || sed 's/^/# /' "$T/out" | head -5
	grep -q . "$T/out" || sed 's/^/# /' "$T/err"
	$SSH wang@127.0.0.1 'doorstep --export --all --out export.jsonl && wc -l < export.jsonl' >"$T/out" 2>"$T/err"
	check "wang: --export writes liu's record" [ "$(cat "$T/out")" = 1 ]
	$SSH wang@127.0.0.1 'doorstep --trail trail.csv && cat trail.csv' >"$T/out" 2>"$T/err"
	check "wang: --trail shows liu registering BJ-0001" grep -q ",liu,registered,BJ-0001," "$T/out"
	check "and liu finalizing" grep -q ",liu,finalize,BJ-0001," "$T/out"
	check "and wang's export" grep -q ",wang,export," "$T/out"
	rm -f "$T/port"
	python3 tests/fake_openrosa.py --port-file "$T/port" --lifetime 120 >/dev/null 2>&1 &
	SERVER=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt "$POLLS" ]; do sleep 0.05; i=$((i + 1)); done
	URL="http://127.0.0.1:$(cat "$T/port")/v1/projects/1/submission"
	$SSH wang@127.0.0.1 "doorstep --upload $URL --dry-run" >"$T/out" 2>"$T/err"
	check "wang: --upload --dry-run lists the record" grep -q "1 record would be sent" "$T/err"
	$SSH wang@127.0.0.1 "doorstep --upload $URL" >"$T/out" 2>"$T/err"
	check "wang: --upload sends it" grep -q "1 uploaded, 0 conflict" "$T/err"
	grep -q "1 uploaded" "$T/err" || sed 's/^/# /' "$T/err"
	$SSH liu@127.0.0.1 doorstep --export </dev/null >"$T/out" 2>&1
	check "liu's ssh: doorstep --export is only doorstep (no shell runs it)" \
	    sh -c "! grep -q '^{' '$T/out'"

	# The trap: a test build never reads an installed system config.
	mkdir -p /usr/local/etc/doorstep
	cp /etc/doorstep/config.yaml /usr/local/etc/doorstep/config.yaml
	"$ABSBIN" --db "$T/single.db" --export >"$T/out" 2>&1
	rc=$?
	check "with a team config in /etc and /usr/local/etc, the test build stays single-user" [ $rc -eq 0 ]
	[ $rc -eq 0 ] || { echo "# rc=$rc"; sed "s/^/# /" "$T/out"; cat "$WORK"/asan* 2>/dev/null | head -20 | sed "s/^/# /"; }
	# make install DESTDIR: everything under DESTDIR, nothing beside.
	find /usr/local /etc -newer "$T/steps.log" >"$T/before" 2>/dev/null
	(cd "$T/src" && CFLAGS=-O0 make -s install DESTDIR="$T/stage" \
	    PREFIX=/usr/local SYSCONFDIR=/etc) >"$T/out" 2>&1
	check "make install DESTDIR=...: the program is under DESTDIR" [ -x "$T/stage/usr/local/bin/doorstep" ]
	check "with its forms, man page and catalog" [ -f "$T/stage/usr/local/share/man/man1/doorstep.1" ]
	find /usr/local /etc -newer "$T/steps.log" >"$T/after" 2>/dev/null
	check "and nothing was written outside it" cmp -s "$T/before" "$T/after"
	kill "$SERVER" 2>/dev/null
	SERVER=""
	echo "$N $FAILED" > "$T/n"
	[ -s "$WORK/asan" ] && not_ok "no sanitizer report"
	exit 0
fi

# The outer half: the namespace, then what must not have changed.
if ! unshare --mount --pid --fork true 2>/dev/null; then
	echo "1..0 # SKIP unshare --mount --pid is not allowed here"
	exit 0
fi
T=$(mktemp -d /tmp/doorstep-teamreadme-XXXXXX)
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
mkdir "$T/ovl"
# What the README's commands would change on the real system (other
# tests may add and remove their own users meanwhile: only these names).
sums() {
	{
		grep -E '^(liu|wang|doorstep|doorstep-data|doorstep-sup):' \
		    /etc/passwd /etc/group /etc/shadow /etc/gshadow
		ls -la --time-style=full-iso /usr/local/bin /usr/local/etc
		ls -d /etc/doorstep /var/lib/doorstep /srv/doorstep /home/liu \
		    /home/wang /usr/local/share/doorstep /usr/local/bin/doorstep
	} 2>&1
}
sums > "$T/real-before"
TEAMREADME_T=$T timeout -s KILL 900 unshare --mount --pid --fork --mount-proc --kill-child \
    sh "$0"
read -r N FAILED < "$T/n" 2>/dev/null || { N=0 FAILED=1; }
if [ "$N" -eq 0 ] && [ "$FAILED" -eq 0 ]; then
	echo "1..0 # SKIP no overlay mounts here"
	exit 0
fi
sums > "$T/real-after"
N=$((N + 1))
if cmp -s "$T/real-before" "$T/real-after"; then
	echo "ok $N - outside the namespace: no user, group or folder of the README's, /usr/local unchanged"
else
	echo "not ok $N - outside the namespace: no user, group or folder of the README's, /usr/local unchanged"
	diff "$T/real-before" "$T/real-after" | sed 's/^/# /'
	FAILED=$((FAILED + 1))
fi
echo "1..$N"
[ "$FAILED" -eq 0 ]
