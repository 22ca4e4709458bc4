#!/usr/bin/env bash
# The INI config file (--config FILE or TONGBAN_CONFIG): a village, its
# township and the broker configured only through INI files (no flags, no
# TONGBAN_* variables) log a case, sync it and take a step on it; a malformed
# file is refused with a message naming the file and the line.
source "$(dirname "$0")/lib.sh"
unset TONGBAN_PLACE TONGBAN_DATA_DIR TONGBAN_BROKER TONGBAN_DB TONGBAN_SHARE_DIR TONGBAN_AGENT TONGBAN_PLACES TONGBAN_CONFIG
VIL=360826100001 TOWN=360826100000

cat >"$WORK/village.ini" <<EOF
; the village agent's settings
[node]
place = $VIL
data_dir = $WORK/v
broker = ipc://$WORK/broker.sock

[person]
agent = 张代办
EOF
cat >"$WORK/township.ini" <<EOF
[node]
place = $TOWN
data_dir = $WORK/t
broker = ipc://$WORK/broker.sock
agent = 窗口李
EOF

id=$("$V" log --config "$WORK/village.ini" --client 李四 --phone 13800138000 --item LD001 --materials 居民身份证,解除劳动合同证明)
ok "the village logs with only --config" matches "$id" "^${VIL}-[0-9]{8}-0001$"
eq "in the store the INI names, by the agent it names" "张代办" \
    "$(sqlite3 "$WORK/v/$VIL.db" "SELECT group_concat(DISTINCT actor) FROM events WHERE case_id='$id'")"

start broker "$BROKER" serve --config "$WORK/township.ini"
start vil "$V" serve --config "$WORK/village.ini"
start town env TONGBAN_CONFIG="$WORK/township.ini" "$T" serve
tcfg() { TONGBAN_CONFIG=$WORK/township.ini "$T" "$@"; }
in_inbox() { [ "$(tcfg inbox --json | jq -r ".[] | select(.case_id==\"$id\") | .state")" = prereview ]; }
ok "the township configured by TONGBAN_CONFIG receives it" tb_wait_for 30 in_inbox
ok "the window accepts it (agent from the INI)" tcfg accept "$id"
eq "the window's step names the INI's agent" 窗口李 \
    "$(tcfg show "$id" --json | jq -r '.history[] | select(.event=="accepted") | .actor')"
accepted_at_vil() { [ "$("$V" ledger --config "$WORK/village.ini" --json | jq -r ".[] | select(.case_id==\"$id\") | .state")" = accepted ]; }
ok "the village sees it accepted" tb_wait_for 30 accepted_at_vil
# Precedence: a flag over the environment over the file.
eq "a flag overrides the file" 0 "$("$V" ledger --config "$WORK/village.ini" --data-dir "$WORK/empty" --json | jq length)"
eq "the environment overrides the file" 0 "$(TONGBAN_DATA_DIR=$WORK/empty2 "$V" ledger --config "$WORK/village.ini" --json | jq length)"
stop vil
stop town
stop broker

# Malformed files: refused, naming the file and the line; nothing written.
printf '[node]\nplace = %s\nthis line has no equals sign\n' $VIL >"$WORK/bad.ini"
printf '[node]\nplace = %s\ncolour = red\n' $VIL >"$WORK/unknown.ini"
printf '[node\nplace = %s\n' $VIL >"$WORK/section.ini"
vstore() { sqlite3 "$WORK/v/$VIL.db" "SELECT origin_seq, hex(body) FROM events; SELECT count(*) FROM cases" | md5sum; }
REFUSE_PROBE=vstore
logv() { "$V" log --client 李四 --phone 13800138000 --item LD001 --agent 张代办 --data-dir "$WORK/v" "$@"; }
refuse "a line that is not key = value" 2 "配置文件 $WORK/bad.ini 第 3 行有误" logv --config "$WORK/bad.ini"
refuse "an unknown key" 2 "配置文件中有未知的键：colour"$'\n'"配置文件 $WORK/unknown.ini 第 3 行有误" logv --config "$WORK/unknown.ini"
refuse "an unclosed section" 2 "配置文件 $WORK/section.ini 第 1 行有误" logv --config "$WORK/section.ini"
refuse "a file that is not there" 2 "无法读取配置文件 $WORK/none.ini" logv --config "$WORK/none.ini"
refuse "TONGBAN_CONFIG names a malformed file" 2 "配置文件 $WORK/bad.ini 第 3 行有误" env TONGBAN_CONFIG="$WORK/bad.ini" "$T" inbox --place $TOWN --data-dir "$WORK/t"
refuse "in English" 2 "config file $WORK/bad.ini: error on line 3" env LANG=en "$V" log --client 李四 --phone 13800138000 --item LD001 --config "$WORK/bad.ini"
refuse "the broker too" 2 "配置文件 $WORK/bad.ini 第 3 行有误" "$BROKER" serve --config "$WORK/bad.ini"
refuse "the county too" 2 "配置文件 $WORK/bad.ini 第 3 行有误" "$C" cases --config "$WORK/bad.ini"
finish
