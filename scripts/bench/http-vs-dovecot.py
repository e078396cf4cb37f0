#!/usr/bin/env python3
"""The message list, its sorts and its searches over HTTP, against the same
operations over IMAP on Dovecot serving the same Maildir, interleaved round
by round (driven by scripts/bench/http-vs-dovecot.sh, which starts both).

    http-vs-dovecot.py BASE COOKIE MANIFEST ROUNDS KIT IMAP_PORT OUT_DIR

Each round runs every HTTP operation once on one keep-alive connection, then
one repetition of the kit's dovecot-bench.py (a new IMAP connection, every
operation once). A first round warms both and is not counted. An HTTP list
page is compared with what an IMAP client needs for the same page: the SORT
plus the FETCH of 50 list-view entries. A search over HTTP returns the first
page of 50 and the total; over IMAP it returns the matching numbers only.
Result counts are checked against the generator's manifest.
"""
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse

BASE, COOKIE, MANIFEST, ROUNDS, KIT, IMAP_PORT, OUT = sys.argv[1:8]
ROUNDS = int(ROUNDS)
man = json.load(open(MANIFEST, encoding="utf-8"))
nd, pr = man["needles"], man.get("probes", {})
host, port = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port


def form(sort="date", desc=True, q="", scope="headers"):
    return urllib.parse.urlencode({
        "query[folder]": "INBOX", "query[sort]": sort, "query[desc]": str(desc).lower(),
        "query[page]": "1", "query[q]": q, "query[scope]": scope, "query[all_folders]": "false",
    })


# name -> (form body, expected total or None, Dovecot operations to add up)
LV = "fetch50_listview"
OPS = {
    "list_date_desc": (form("date", True), man["n"], ["sort_reverse_date", LV]),
    "list_arrival_desc": (form("arrival", True), man["n"], ["sort_reverse_arrival", LV]),
    "list_subject": (form("subject", False), man["n"], ["sort_subject", LV]),
    "list_from": (form("from", False), man["n"], ["sort_from", LV]),
    "list_to": (form("to", False), man["n"], []),
    "list_size_desc": (form("size", True), man["n"], []),
    "list_message_id": (form("message-id", False), man["n"], []),
    "list_flagged": (form("flagged", True), man["n"], []),
    "list_attachment": (form("attachment", True), man["n"], []),
}
for tok in ("xqzsingleton", "xqzonepercent", "xqztenpercent"):
    OPS["search_body_" + tok] = (form(q=tok, scope="body"), nd[tok], ["search_body_" + tok])
OPS["search_body_utf8_latin"] = (form(q="grüßnadelxqz", scope="body"), nd["grüßnadelxqz"],
                                 ["search_body_utf8_latin"])
OPS["search_body_utf8_cyrillic"] = (form(q="иглаxqzпоиск", scope="body"), nd["иглаxqzпоиск"],
                                    ["search_body_utf8_cyrillic"])
OPS["search_body_attachment_needle"] = (form(q="xqzinattachment", scope="body"), nd["xqzinattachment"],
                                        ["search_body_attachment_needle"])
OPS["search_subject_needle"] = (form(q="xqzsubjectmark", scope="subject"), nd["xqzsubjectmark"],
                                ["search_subject_needle"])
if pr:
    OPS["search_from"] = (form(q=pr["from"], scope="sender"), pr["from_hits"], ["search_from"])
    OPS["search_subject"] = (form(q=pr["subject"], scope="subject"), pr["subject_hits"], ["search_subject"])

conn = http.client.HTTPConnection(host, port)


def ours(body):
    t = time.perf_counter()
    conn.request("POST", "/api/mail/list", body=body.encode(), headers={
        "Cookie": COOKIE, "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    data = r.read()
    dt = time.perf_counter() - t
    if r.status != 200:
        raise SystemExit("HTTP %d for %s: %s" % (r.status, body, data[:200]))
    return dt, json.loads(data)["total"]


def dovecot(r):
    out = os.path.join(OUT, "dove.%d.json" % r)
    subprocess.run([sys.executable, os.path.join(KIT, "dovecot-bench.py"), "--port", IMAP_PORT,
                    "--manifest", MANIFEST, "--repeat", "0", "--json", out],
                   check=False, stdout=subprocess.DEVNULL)
    d = json.load(open(out, encoding="utf-8"))
    return {o["name"]: (o["first_s"], o["first_count"], o["expected"]) for o in d["ops"]}


ours_t = {k: [] for k in OPS}
dove_t = {}
bad = []
for r in range(ROUNDS + 1):
    for name, (body, expected, _) in OPS.items():
        dt, total = ours(body)
        if expected is not None and total != expected:
            bad.append("ours %s: %d, expected %d" % (name, total, expected))
        if r:
            ours_t[name].append(dt)
    for name, (t, count, expected) in dovecot(r).items():
        if expected is not None and count is not None and count != expected:
            bad.append("dovecot %s: %d, expected %d" % (name, count, expected))
        if r and t is not None:
            dove_t.setdefault(name, []).append(t)
    print("round %d of %d done" % (r, ROUNDS), file=sys.stderr)

med = lambda ts: statistics.median(ts) * 1000
print("%-32s %12s %14s %8s  %s" % ("operation", "ours ms", "dovecot ms", "ratio", "dovecot operations"))
for name, (_, expected, dops) in OPS.items():
    o = med(ours_t[name])
    if dops and all(d in dove_t for d in dops):
        d = sum(med(dove_t[x]) for x in dops)
        print("%-32s %12.2f %14.2f %8.3f  %s" % (name, o, d, o / d, " + ".join(dops)))
    else:
        print("%-32s %12.2f %14s %8s" % (name, o, "-", "-"))
for x in ("thread_references", "fetch1_full", "select", "fetch50_envelope"):
    if x in dove_t:
        print("%-32s %12s %14.2f %8s  (Dovecot only)" % (x, "-", med(dove_t[x]), "-"))
print("rounds: %d (+1 warm-up), medians; load average %s" % (ROUNDS, open("/proc/loadavg").read().split()[:3]))
for b in bad:
    print("COUNT MISMATCH", b)
sys.exit(1 if bad else 0)
