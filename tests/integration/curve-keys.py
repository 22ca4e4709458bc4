#!/usr/bin/python3
"""Key material for a test county in one go: curve-keys.py KEYDIR SHAREDIR

Writes broker.key/broker.pub and, for every place of the shipped place data
(the county, its townships and villages), <code>.key (0600) and <code>.pub,
and an allow-list binding each key to its place: the same files as
`tongban-<tier> keygen` and `tongban-county keys allow` write, made in one
process because a test cannot afford 700 process starts under ASan."""
import csv, os, sys
import zmq

keydir, share = sys.argv[1], sys.argv[2]
os.makedirs(keydir, mode=0o700, exist_ok=True)

def pair(name):
    pub, sec = zmq.curve_keypair()
    fd = os.open(os.path.join(keydir, name + ".key"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, sec + b"\n")
    os.close(fd)
    with open(os.path.join(keydir, name + ".pub"), "wb") as f:
        f.write(pub + b"\n")
    return pub.decode()

pair("broker")
codes = ["360826000000"]
with open(os.path.join(share, "taihe-townships.csv"), encoding="utf-8") as f:
    codes += [r["code"] + "000" for r in csv.DictReader(f)]
with open(os.path.join(share, "taihe-villages.csv"), encoding="utf-8") as f:
    codes += [r["code"] for r in csv.DictReader(f)]
with open(os.path.join(keydir, "allow.list"), "w") as f:
    f.write("# test county: every place of the shipped data\n")
    for c in codes:
        f.write("%s %s\n" % (c, pair(c)))
