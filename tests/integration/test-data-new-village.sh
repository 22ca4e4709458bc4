#!/usr/bin/env bash
# A village added to the township's place data after a data version (issue 9,
# "a village added to the place data after a version waits for the next one"):
# the township relays the catalog and calendar versions it holds to every
# village of its place data, but only when a version arrives; a village that
# appears in the place data later (the township restarted with the new data)
# must get the whole chain it needs (signed, in order) at once, not wait for
# the next version, which it could not even take (a village takes only the
# next version).  Real processes and a real PostgreSQL.
source "$(dirname "$0")/lib.sh"
need_pg

source "$(dirname "$0")/one-of-each.sh"
NEW=360826100002 # 白凤社区居委会: in the shipped data, not in the township's first copy

# The township's first place data: the shipped data without the new village.
mkdir -p "$WORK/share-old"
cp "$TB_SOURCE"/data/* "$WORK/share-old/"
grep -v "^$NEW," "$TB_SOURCE/data/taihe-villages.csv" >"$WORK/share-old/taihe-villages.csv"
town_old() { TONGBAN_SHARE_DIR=$WORK/share-old town "$@"; }
new() { "$V" "$@" --place $NEW --data-dir "$WORK/v2" --agent 李代办; }
relayed_to_new() { sqlite3 "$WORK/t/$TOWN.db" "SELECT coalesce(max(last), 0) FROM link_out WHERE peer='$NEW'"; }

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town env TONGBAN_SHARE_DIR="$WORK/share-old" "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"
ok "town is serving" tb_wait_for 30 serving town
ok "vil is serving" tb_wait_for 30 serving vil

# The link exists: a walk-in case has reached the county.
k=$(town_old register --client 赵六 --phone 13607961111 --item YB003 --materials 居民身份证)
ok "a walk-in case reaches the county" tb_wait_for 30 at_c "$k" prereview

# Catalog version 1 and calendar version 1 reach the township and its villages of then.
cp "$TB_SOURCE/data/catalog.csv" "$WORK/catalog-v1.csv"
echo 'XX001,测试新增事项,township,promised,3,5,居民身份证:core' >>"$WORK/catalog-v1.csv"
ok "the county imports catalog version 1" contains "$(county catalog import "$WORK/catalog-v1.csv")" "已导入事项目录第 1 版"
ok "the county imports calendar version 1" contains "$(county calendar import "$TB_SOURCE/data/holidays-cn-2026.csv")" "已导入节假日日历第 1 版"
on() { [ "$("$@" items --json | jq -c '[.catalog_version, .calendar_version]')" = "[$V1,$V2]" ]; }
V1=1 V2=1
ok "the township is on catalog 1 and calendar 1" tb_wait_for 30 on town_old
ok "the village of then is on both" tb_wait_for 60 on vil
eq "nothing was queued to the village not in the place data" 0 "$(relayed_to_new)"

# The new village appears in the township's place data; the township restarts.
stop town
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
ok "town is serving again" tb_wait_for 30 serving town 2
start new "$V" serve --place $NEW --data-dir "$WORK/v2"
ok "the new village is on catalog 1 and calendar 1 within seconds" tb_wait_for 30 on new
eq "the new village lists the item of version 1" 1 "$(new items --json | jq '[.items[] | select(.code=="XX001")] | length')"
eq "the new village stored both versions" 2 "$(sqlite3 "$WORK/v2/$NEW.db" 'SELECT count(*) FROM data_versions')"

# The chain goes on: version 2 reaches the new village as the next one.
echo 'XX002,测试新增事项二,township,promised,3,5,居民身份证:core' >>"$WORK/catalog-v1.csv"
ok "the county imports catalog version 2" contains "$(county catalog import "$WORK/catalog-v1.csv")" "已导入事项目录第 2 版"
V1=2
ok "the new village is on catalog 2" tb_wait_for 60 on new
ok "the village of then is on catalog 2" tb_wait_for 60 on vil

# Exactly once: a restart of the township queues nothing again to anyone.
before=$(sqlite3 "$WORK/t/$TOWN.db" "SELECT group_concat(peer || ':' || last) FROM link_out ORDER BY peer")
stop town
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
ok "town is serving a third time" tb_wait_for 30 serving town 3
echo "# link_out before the restart: $before"
eq "a restart queued nothing again" "$before" \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT group_concat(peer || ':' || last) FROM link_out ORDER BY peer")"
eq "nothing refused at the new village" 0 "$(sqlite3 "$WORK/v2/$NEW.db" 'SELECT count(*) FROM quarantine')"
eq "nothing refused at the village of then" 0 "$(sqlite3 "$WORK/v/$VIL.db" 'SELECT count(*) FROM quarantine')"
finish
