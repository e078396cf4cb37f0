#!/usr/bin/env python3
"""Compares the threads in an index with a generated corpus's ground truth.

    scripts/thread-truth.py USER_DIR/index.sqlite CORPUS.records.jsonl

CORPUS is a Maildir written by ../shared/bench/gen-maildir.py; its records name
each message's true thread (newsletters stand alone). Prints the number of
true threads split across several of ours, and of our threads that mix
several true ones, with examples; exits 1 if either is not zero.
"""
import collections
import json
import os
import sqlite3
import sys


def key(file):
    name = os.path.basename(file)
    return name.split(":2,")[0]


def main():
    index, records = sys.argv[1], sys.argv[2]
    truth = {}
    for n, line in enumerate(open(records, encoding="utf-8")):
        r = json.loads(line)
        t = r["thread"] if r["thread"] is not None else "single-%d" % n
        truth[key(r["file"])] = (t, r)
    ours = {}
    db = sqlite3.connect("file:%s?mode=ro" % index, uri=True)
    for file, thread in db.execute("SELECT file, thread_id FROM messages"):
        ours[key(file)] = thread
    missing = [k for k in truth if k not in ours]
    by_true = collections.defaultdict(set)
    by_ours = collections.defaultdict(set)
    for k, (t, _) in truth.items():
        if k in ours:
            by_true[t].add(ours[k])
            by_ours[ours[k]].add(t)
    split = {t: s for t, s in by_true.items() if len(s) > 1}
    merged = {o: s for o, s in by_ours.items() if len(s) > 1}
    print(json.dumps({
        "messages": len(truth), "indexed": len(ours), "missing": len(missing),
        "true_threads": len(by_true), "our_threads": len(by_ours),
        "split": len(split), "merged": len(merged),
        "largest_merge": max((len(s) for s in merged.values()), default=0),
    }))
    for t, s in list(split.items())[:5]:
        print("split: true thread %s is ours %s" % (t, sorted(s)))
    for o, s in list(merged.items())[:5]:
        print("merged: our thread %s holds true %s" % (o, sorted(map(str, s))[:10]))
    sys.exit(1 if split or merged or missing else 0)


main()
