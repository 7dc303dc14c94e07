#!/usr/bin/env python3
"""Tabulate refresh timelines (`benches/latency.py --timeline FILE`, or the
`kiosque::refresh::timeline` lines of a kiosque.log run with
KIOSQUE_LOG=kiosque::refresh::timeline=debug): one row per --step ms (100), what was in each
state at its end and what went through each stage during it.

    benches/timeline.py FILE [--step 100] [--only cold]

Columns: t (ms since the refresh began), asking (requests sent, no answer yet), room (answers
waiting for room for their body), read (bodies being read), p.wait / parse (bodies waiting for
a parse slot / being parsed), w.wait (results queued for the writer or in its batch), KB read,
items parsed and items written during the step, CPU % of the process and of the writer thread
(100 = one core), resident MB. A summary line per refresh says when the first and last items
were written and how busy the writer was between them.
"""

import argparse
import re
import sys

FIELD = re.compile(r"(\w+)=([0-9.]+)")
CUMULATIVE = ("kb_read", "items_parsed", "items_written", "feeds_done", "cpu_ms",
              "writer_cpu_ms")


def sections(path):
    name, rows = "kiosque.log", []
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("# "):
                if rows:
                    yield name, rows
                name, rows = line[2:].strip(), []
                continue
            if "refresh::timeline" not in line:
                continue
            fields = {k: float(v) for k, v in FIELD.findall(line.split("refresh::timeline", 1)[1])}
            if "t" in fields:
                rows.append(fields)
    if rows:
        yield name, rows


def table(name, rows, step):
    print("## %s" % name)
    print("| t ms | asking | room | read | p.wait | parse | w.wait | KB read | parsed | "
          "written | CPU % | writer % | MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    last = {k: 0.0 for k in CUMULATIVE}
    start_t = 0.0
    acc = {k: 0.0 for k in ("cpu_ms", "writer_cpu_ms")}
    for row in rows:
        for k in acc:
            acc[k] += row.get(k, 0.0)
        if row["t"] - start_t < step - 1 and row is not rows[-1]:
            continue
        span = max(row["t"] - start_t, 1.0)
        print("| %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %.0f |" % (
            row["t"], row.get("asking", 0), row.get("waiting_room", 0), row.get("reading", 0),
            row.get("waiting_parse", 0), row.get("parsing", 0), row.get("waiting_write", 0),
            row.get("kb_read", 0) - last["kb_read"],
            row.get("items_parsed", 0) - last["items_parsed"],
            row.get("items_written", 0) - last["items_written"],
            100 * acc["cpu_ms"] / span, 100 * acc["writer_cpu_ms"] / span,
            row.get("rss_mb", 0)))
        for k in ("kb_read", "items_parsed", "items_written"):
            last[k] = row.get(k, 0.0)
        start_t = row["t"]
        acc = {k: 0.0 for k in acc}
    written = [r for r in rows if r.get("items_written", 0) > 0]
    total_cpu = sum(r.get("cpu_ms", 0) for r in rows)
    writer_cpu = sum(r.get("writer_cpu_ms", 0) for r in rows)
    if written:
        first = next(r["t"] for r in rows if r.get("items_written", 0) > 0)
        done = rows[-1]["t"]
        print("\nfirst items written at %d ms, last sample %d ms; CPU %.2f s (writer %.2f s, "
              "%.0f %% of the time from its first write); peak resident %.1f MB; %d items, "
              "%d KB read\n" % (first, done, total_cpu / 1000, writer_cpu / 1000,
                                100 * writer_cpu / max(done - first, 1),
                                max(r.get("rss_mb", 0) for r in rows),
                                rows[-1].get("items_written", 0), rows[-1].get("kb_read", 0)))
    else:
        print("\nCPU %.2f s (writer %.2f s)\n" % (total_cpu / 1000, writer_cpu / 1000))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--step", type=float, default=100.0, help="ms per row")
    ap.add_argument("--only", help="only the refreshes whose heading holds this text")
    a = ap.parse_args()
    for name, rows in sections(a.file):
        if a.only and a.only not in name:
            continue
        table(name, rows, a.step)


if __name__ == "__main__":
    sys.exit(main())
