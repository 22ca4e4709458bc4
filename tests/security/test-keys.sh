#!/bin/bash
# Keys and the allow-list as files: keygen writes the secret 0600 and never
# overwrites it; a missing or malformed key file, a missing broker key and a
# malformed allow-list line each get a clear error naming the file (and the
# line), never a crash; `keys allow|revoke|list` edit the county's allow-list.
source "$TB_SOURCE/tests/integration/lib.sh"
export TONGBAN_BROKER=ipc://$WORK/broker.sock
K=$WORK/k
VIL=360826100001
VIL2=360826100002

pub=$("$V" keygen --place $VIL --keys "$K" 2>/dev/null)
ok "keygen prints the public key" matches "$pub" '^.{40}$'
eq "the secret key is 0600" 600 "$(stat -c %a "$K/$VIL.key")"
eq "the key directory is 0700" 700 "$(stat -c %a "$K")"
eq "the .pub file holds the printed key" "$pub" "$(cat "$K/$VIL.pub")"
before=$(cat "$K/$VIL.key")
refuse "keygen never overwrites a key" 1 "$K/$VIL.key" "$V" keygen --place $VIL --keys "$K"
eq "the secret key is unchanged" "$before" "$(cat "$K/$VIL.key")"
refuse "keygen needs a place code" 2 "12位区划代码" "$V" keygen --place 3608 --keys "$K"
ok "the broker makes its key pair" "$BROKER" keygen --keys "$K"
eq "broker.key is 0600" 600 "$(stat -c %a "$K/broker.key")"

# The allow-list, owned by the county.
ok "keys allow (a key file)" "$C" keys allow $VIL "$K/$VIL.pub" --keys "$K"
ok "keys allow is idempotent" "$C" keys allow $VIL "$pub" --keys "$K"
eq "keys list" "$VIL $pub" "$("$C" keys list --keys "$K")"
REFUSE_PROBE="cat $K/allow.list"
refuse "one key, one place" 1 "一把密钥只对应一个区划" "$C" keys allow $VIL2 "$pub" --keys "$K"
refuse "a malformed key" 2 "既不是公钥" "$C" keys allow $VIL2 "not-a-key" --keys "$K"
refuse "a malformed place" 2 "12位区划代码" "$C" keys allow 12345 "$pub" --keys "$K"
refuse "revoke what is not there" 1 "$VIL2" "$C" keys revoke $VIL2 --keys "$K"
REFUSE_PROBE=
eq "keys list --json" "[{\"place\":\"$VIL\",\"key\":\"$pub\"}]" "$("$C" keys list --json --keys "$K")"

# A node without keys, with a malformed key, a readable secret, no broker.pub.
refuse "serve without a key: names the file" 1 "$WORK/none/$VIL2.key" \
    timeout 10 "$V" serve --place $VIL2 --data-dir "$WORK/v2" --keys "$WORK/none"
refuse "serve without broker.pub: names the file" 1 "$K/broker.pub" \
    env -u TONGBAN_KEYS bash -c "mv '$K/broker.pub' '$K/b.pub'; timeout 10 '$V' serve --place $VIL --data-dir '$WORK/v' --keys '$K'; rc=\$?; mv '$K/b.pub' '$K/broker.pub'; exit \$rc"
cp "$K/$VIL.key" "$WORK/saved.key"
printf 'garbage\n' >"$K/$VIL.key"
refuse "a malformed secret key: names the file" 1 "$K/$VIL.key: not a CURVE key" \
    timeout 10 "$V" serve --place $VIL --data-dir "$WORK/v" --keys "$K"
cp "$WORK/saved.key" "$K/$VIL.key"
chmod 644 "$K/$VIL.key"
refuse "a secret key others may read is refused" 1 "mode 0644" \
    timeout 10 "$V" serve --place $VIL --data-dir "$WORK/v" --keys "$K"
chmod 600 "$K/$VIL.key"

# The broker: no key, a malformed allow-list line at start.
refuse "broker without its key" 1 "$WORK/none/broker.key" timeout 10 "$BROKER" serve --keys "$WORK/none"
refuse "broker without an allow-list" 1 "$WORK/k2/allow.list" \
    bash -c "'$BROKER' keygen --keys '$WORK/k2' >/dev/null && timeout 10 '$BROKER' serve --keys '$WORK/k2'"
printf '# ok\n%s %s\n360826100002 short-key\n' $VIL "$pub" >"$WORK/k2/allow.list"
refuse "a malformed allow-list line: file and line" 1 "$WORK/k2/allow.list line 3: not a CURVE public key" \
    timeout 10 "$BROKER" serve --keys "$WORK/k2"
printf '%s %s\n%s %s\n' $VIL "$pub" $VIL2 "$pub" >"$WORK/k2/allow.list"
refuse "a key bound to two places: file and line" 1 "allow.list line 2: this key is already bound" \
    timeout 10 "$BROKER" serve --keys "$WORK/k2"
printf '%s\n' $VIL >"$WORK/k2/allow.list"
refuse "a line with one field" 1 "allow.list line 1: want \"PLACE-CODE PUBLIC-KEY\"" \
    timeout 10 "$BROKER" serve --keys "$WORK/k2"
refuse "the county's keys command refuses to edit a malformed allow-list" 1 "line 1" \
    "$C" keys allow $VIL "$pub" --keys "$WORK/k2"
finish
