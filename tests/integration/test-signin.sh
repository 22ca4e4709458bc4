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
finish
