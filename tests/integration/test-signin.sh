#!/usr/bin/env bash
# Issues 8 and 10: the county's accounts reach the nodes, signed, and people
# sign in at the village's and the township's screens with them.
#  - each township gets the accounts inside its subtree, each village only
#    its own (relayed by the township, the county's signature checked at
#    both);
#  - an agent signs in at the village while the township is down (offline);
#  - wrong passwords: 401 (one answer for an unknown login), then the
#    account's lockout 423, then the address's rate limit 429; the cookie's
#    attributes; every failure in the node's append-only audit (`audit`);
#  - a role or scope that does not fit the node is refused;
#  - an account disabled at the county stops signing in once the new list arrives.
source "$(dirname "$0")/lib.sh"
need_pg

export TONGBAN_BROKER=ipc://$WORK/broker.sock
COUNTY=360826000000 TOWN=360826100000 VIL=360826100001 VIL2=360826100002
PW='Zhang-San-Li-Si' PW2='Yun-Nan-88'
county() { "$C" "$@" --place $COUNTY --db "$DB"; }
vil() { "$V" "$@" --place $VIL --data-dir "$WORK/v"; }
town() { "$T" "$@" --place $TOWN --data-dir "$WORK/t"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
VP=$(free_port) TP=$(free_port)

add() { printf '%s\n' "$2" | county account add "$1" --name "$3" --role "$4" --scope "$5" >/dev/null; }
ok "add a village agent" add zhang.agent "$PW" 张代办 agent $VIL
ok "add an auditor of the township" add aud.t "$PW2" 镇审计 auditor $TOWN
ok "add an agent of another village" add wu.agent "$PW" 吴代办 agent $VIL2
ok "add a township window" add li.win "$PW2" 李窗口 window $TOWN
ok "add a county supervisor" add sup.c "$PW2" 县督办 supervisor $COUNTY

# A case from the village: the county distributes to the townships it has a link with.
vil log --client 王五 --phone 13900139000 --item YB003 --agent 张代办 >/dev/null
start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t" --http 127.0.0.1:$TP
start vil "$V" serve --place $VIL --data-dir "$WORK/v" --http 127.0.0.1:$VP

# (sqlite3 on a store not made yet would create it 0644: the node would refuse it.)
logins() { [ -f "$1" ] || return 0; sqlite3 "$1" "SELECT body FROM data_versions WHERE kind='accounts/$2' ORDER BY version DESC LIMIT 1" | tail -n +2 | cut -f1 | grep -v '^$' | sort | paste -sd' '; }
has_list() { [ -n "$(logins "$1" "$2")" ]; }
ok "the township has its account list" tb_wait_for 60 has_list "$WORK/t/$TOWN.db" $TOWN
ok "the village has its account list" tb_wait_for 60 has_list "$WORK/v/$VIL.db" $VIL
eq "the township's list: its subtree only (no county supervisor)" "aud.t li.win wu.agent zhang.agent" \
    "$(logins "$WORK/t/$TOWN.db" $TOWN)"
eq "the village's list: its own accounts only" "zhang.agent" "$(logins "$WORK/v/$VIL.db" $VIL)"
eq "the list carries the Argon2id hash" 1 \
    "$(sqlite3 "$WORK/v/$VIL.db" "SELECT body FROM data_versions WHERE kind='accounts/$VIL'" | grep -c '\$argon2id\$')"

# Offline: the township is down; the agent signs in at the village.
stop town
login() { # login PORT LOGIN PASSWORD [JAR]: status, headers in $WORK/h, body in $WORK/b
    curl -s -o "$WORK/b" -D "$WORK/h" -w '%{http_code}' ${4:+-c "$4"} -H 'Content-Type: application/json' \
        --data "{\"login\":\"$2\",\"password\":\"$3\"}" "http://127.0.0.1:$1/api/login"
}
eq "unauthenticated /api/me: 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$VP/api/me)"
eq "the agent signs in at the village while the township is down" 200 "$(login $VP zhang.agent "$PW" "$WORK/jar")"
eq "the answer names the person" "zhang.agent 张代办 agent $VIL" "$(jq -r '"\(.login) \(.name) \(.role) \(.scope)"' "$WORK/b")"
ok "the cookie is HttpOnly, SameSite=Strict, Path=/" \
    grep -Eq '^Set-Cookie: tb_session=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/' "$WORK/h"
eq "/api/me with the cookie: the agent" zhang.agent \
    "$(curl -s -b "$WORK/jar" http://127.0.0.1:$VP/api/me | jq -r .login)"
eq "a township window at the village: 401" 401 "$(login $VP li.win "$PW2")"
eq "another village's agent at the village: 401" 401 "$(login $VP wu.agent "$PW")"
cp "$WORK/b" "$WORK/b-unknown"
eq "a wrong password: 401" 401 "$(login $VP zhang.agent wrong-password)"
eq "an unknown login and a wrong password get the same answer" "$(cat "$WORK/b-unknown")" "$(cat "$WORK/b")"
for i in 1 2 3 4; do login $VP zhang.agent "guess-$i" >/dev/null; done
eq "after five failures the right password: 423 (locked)" 423 "$(login $VP zhang.agent "$PW")"
eq "locked again" 423 "$(login $VP zhang.agent "$PW")"
eq "the tenth failure from this address: 401" 401 "$(login $VP li.win "$PW2")"
eq "then every attempt from this address: 429" 429 "$(login $VP zhang.agent "$PW")"
eq "the audit of the agent: one sign-in, five failures, two locked" "1 5 2" \
    "$(vil audit --login zhang.agent --json | jq -r '"\([.[] | select(.what == "login")] | length) \([.[] | select(.what == "login-failed")] | length) \([.[] | select(.what == "login-locked")] | length)"')"
ok "the audit says why: a login not in this node's list" contains "$(vil audit --login li.win)" "unknown login"
ok "the audit says why: the password" contains "$(vil audit --login zhang.agent)" "wrong password"
refuse "the audit is append-only (DELETE)" 19 "append-only" sqlite3 "$WORK/v/$VIL.db" "DELETE FROM audit"
refuse "the audit is append-only (UPDATE)" 19 "append-only" sqlite3 "$WORK/v/$VIL.db" "UPDATE audit SET login='x'"

# The township's window signs in at the township; the village's agent cannot.
start town "$T" serve --place $TOWN --data-dir "$WORK/t" --http 127.0.0.1:$TP
ready() { curl -s -o /dev/null http://127.0.0.1:$TP/api/me; }
ok "the township's screens are up" tb_wait_for 30 ready
eq "the window signs in at the township" 200 "$(login $TP li.win "$PW2")"
eq "the village's agent at the township: 401" 401 "$(login $TP zhang.agent "$PW")"
ok "the township's audit: the agent's scope is outside it" contains "$(town audit --login zhang.agent)" "scope outside this node"
eq "the township's auditor signs in (read-only)" 200 "$(login $TP aud.t "$PW2")"

# Disabled at the county: refused once the new list arrives.
ok "disable the auditor at the county" county account disable aud.t
t2() { [ "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT max(version) FROM data_versions WHERE kind='accounts/$TOWN'")" = 2 ]; }
ok "the township gets the new list" tb_wait_for 60 t2
eq "the disabled auditor: 401" 401 "$(login $TP aud.t "$PW2")"
ok "the township's audit says why" contains "$(town audit --login aud.t)" "disabled"

# The command line signs in once the node holds a list (common/tb_signin_cli.h):
# --agent alone is refused, --login with the password file logs the case as
# that account; every refusal is exit 3 and writes nothing.
ok "add a second agent of the village" add chen.agent "$PW" 陈代办 agent $VIL
has_chen() { contains "$(logins "$WORK/v/$VIL.db" $VIL)" chen.agent; }
ok "the village gets the new list" tb_wait_for 60 has_chen
vsign() { TONGBAN_PASSWORD_FILE=$1 vil "${@:2}"; } # vsign PWFILE ARGS...
tsign() { TONGBAN_PASSWORD_FILE=$1 town "${@:2}"; }
cases_at() { sqlite3 "$1" "SELECT count(*) FROM cases" "SELECT count(*) FROM events"; }
REFUSE_PROBE="cases_at $WORK/v/$VIL.db"
ENTRY=(--client 赵四 --phone 13900139001 --item YB003 --materials 居民身份证)
refuse "log with --agent alone, once the village has a list: exit 3" 3 "须以本人账号签到：--login" \
    vil log "${ENTRY[@]}" --agent 张代办
RIGHT=$(pwfile chen "$PW") WRONG=$(pwfile wrong guess-9)
refuse "a wrong password: exit 3" 3 "签到失败：登录名或密码不对" vsign "$WRONG" log "${ENTRY[@]}" --login chen.agent
refuse "an unknown login: the same words" 3 "签到失败：登录名或密码不对" vsign "$RIGHT" log "${ENTRY[@]}" --login nobody
refuse "an agent of another village: exit 3" 3 "签到失败" vsign "$RIGHT" log "${ENTRY[@]}" --login wu.agent
refuse "an account the screens locked is locked here too" 3 "已暂时锁定" vsign "$RIGHT" log "${ENTRY[@]}" --login zhang.agent
refuse "no password file and no terminal: exit 3" 3 "没有密码" vil log "${ENTRY[@]}" --login chen.agent </dev/null
chmod 644 "$RIGHT"
refuse "a password file others can read: exit 3" 3 "chmod 600" vsign "$RIGHT" log "${ENTRY[@]}" --login chen.agent
chmod 600 "$RIGHT"
REFUSE_PROBE=
id=$(vsign "$RIGHT" log "${ENTRY[@]}" --login chen.agent)
ok "with --login and the right password the case is logged" matches "$id" "^$VIL-"
eq "the village records the account as the actor" chen.agent \
    "$(sqlite3 "$WORK/v/$VIL.db" "SELECT group_concat(DISTINCT actor) FROM events WHERE case_id='$id' AND origin_node='$VIL'")"
actor_at_county() { [ "$(tb_psql "$PGDIR" -c "SELECT string_agg(DISTINCT actor, ',') FROM case_events WHERE case_id='$id' AND origin_node='$VIL'")" = chen.agent ]; }
ok "the county's events show the account as the actor" tb_wait_for 30 actor_at_county
ok "the village's audit has the sign-in" contains "$(vil audit --login chen.agent)" login
ok "a step signs in too" vsign "$RIGHT" note "$id" --reason 已电话告知 --login chen.agent
eq "read-only commands need no sign-in" "$id" "$(vil ledger --json | jq -r ".[] | select(.case_id==\"$id\") | .case_id")"
out=$(/usr/bin/python3 "$TB_SOURCE/tests/integration/tty-password.py" "$PW" "$V" note "$id" --reason 再次告知 \
    --place $VIL --data-dir "$WORK/v" --login chen.agent)
eq "at a terminal: asked once, never echoed, done" "0 1 0" \
    "$? $(grep -c '^密码：' <<<"$out") $(grep -c -- "$PW" <<<"$out")"

# At the township: its window signs in; the village's agent cannot, nor an
# auditor (read-only: signs in at the screens, changes nothing).
WIN=$(pwfile win "$PW2")
ok "add a second auditor of the township" add kong.aud "$PW2" 孔审计 auditor $TOWN
has_kong() { contains "$(logins "$WORK/t/$TOWN.db" $TOWN)" kong.aud; }
ok "the township gets the new list" tb_wait_for 60 has_kong
REFUSE_PROBE="cases_at $WORK/t/$TOWN.db"
refuse "register with --agent alone at the township: exit 3" 3 "--login" town register "${ENTRY[@]}" --agent 窗口李
refuse "the village's agent at the township: exit 3" 3 "签到失败" tsign "$RIGHT" register "${ENTRY[@]}" --login chen.agent
refuse "an auditor of the township: exit 3, read-only" 3 "只能查看" tsign "$WIN" register "${ENTRY[@]}" --login kong.aud
REFUSE_PROBE=
tid=$(tsign "$WIN" register "${ENTRY[@]}" --login li.win)
ok "the window registers a walk-in" matches "$tid" "^$TOWN-"
eq "the township records the window as the actor" li.win \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT group_concat(DISTINCT actor) FROM events WHERE case_id='$tid' AND origin_node='$TOWN'")"
finish
