#!/usr/bin/env bash
# A network partition: the village runs in its own network namespace joined to
# the broker's by a veth pair; the link is cut and restored.  Cases logged
# while cut arrive after, exactly once; the rest of the county keeps working.
# Skipped (77) where network namespaces cannot be made (not root, no iproute2).
# Addresses are on the test's own veth pair inside namespaces it made.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/county.sh"
NS=tbpart$$
VETH=tbv$$
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null || ! ip netns add "$NS" 2>/dev/null; then
    echo "1..0 # SKIP cannot create a network namespace here (needs root and iproute2)"
    exit 77
fi
cleanup_ns() { ip netns del "$NS" 2>/dev/null; ip link del "$VETH"a 2>/dev/null; cleanup; }
trap cleanup_ns EXIT
need_pg
ip link add "$VETH"a type veth peer name "$VETH"b
ip link set "$VETH"b netns "$NS"
ip addr add 10.231.7.1/30 dev "$VETH"a
ip link set "$VETH"a up
ip netns exec "$NS" ip addr add 10.231.7.2/30 dev "$VETH"b
ip netns exec "$NS" ip link set "$VETH"b up
ip netns exec "$NS" ip link set lo up

export TONGBAN_BROKER=tcp://10.231.7.1:17700
AWAY=${VILLAGES[0]}
OTHER=${VILLAGES[1]}
: >"$WORK/ids"
for n in broker county "${TOWNS[@]}" "$OTHER"; do run "$n"; done
ip netns exec "$NS" "$V" serve --place "$AWAY" --data-dir "$WORK/$AWAY" >>"$WORK/$AWAY.log" 2>&1 &
PID[$AWAY]=$!
PIDS+=($!)

vlog "$AWAY" 分区前 >>"$WORK/ids"
first() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE origin = '$AWAY'")" = 1 ]; }
ok "through the veth link a case reaches the county" tb_wait_for 30 first

# Cut the link; keep logging on both sides.
ip link set "$VETH"a down
for i in $(seq 1 10); do
    vlog "$AWAY" "分区中$i" >>"$WORK/ids"
    vlog "$OTHER" "对照$i" >>"$WORK/ids"
done
others() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE origin = '$OTHER'")" = 10 ]; }
ok "the other village keeps working during the partition" tb_wait_for 30 others
sleep 8 # longer than ZMTP heartbeats take to declare the connection dead
eq "nothing from the cut-off village arrived" 1 \
    "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE origin = '$AWAY'")"

# Restore it.
ip link set "$VETH"a up
t0=$SECONDS
all() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE origin = '$AWAY'")" = 11 ]; }
ok "after the partition heals, everything arrives" tb_wait_for 60 all
echo "# recovered $((SECONDS - t0)) s after the link came back"
reconcile "$WORK/ids" 60
stop_all
finish
