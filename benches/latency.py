#!/usr/bin/env python3
"""Refresh over a network that looks like the internet: every request waits --latency-ms
(100 ms), a deterministic --slow-frac of the feeds (5 %) waits --slow-ms (2 s), and the
feeds are spread over --hosts loopback hosts (127.0.0.2, 127.0.0.3, ...; one server socket
per host, all in this process, all serving ../shared/bench's generated feeds with its
serve.py handler). For each size and host count: a cold refresh into a fresh store, then a
warm one after 10 % of the feeds got news (the rest answer 304); median of --runs runs.
With --before BIN, that build runs the same cases in the same command and the table gives
the ratio now/before.

    benches/latency.py --bin target/release/kiosque                       # 300,1000 x 1,50
    benches/latency.py --bin NEW --before OLD --sizes 300 --hosts 1 --runs 3

The table: wall seconds (median), reader CPU seconds (user+sys, median), and the server's
view of one run: new TCP connections and peak concurrent requests (keep-alive reuse and the
per-host cap show there).
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "bench")
if not os.path.exists(os.path.join(SHARED, "serve.py")):
    SHARED = os.path.join(HERE, "..", "..", "..", "shared", "bench")
sys.path.insert(0, SHARED)
import gen_feeds  # noqa: E402
import serve  # noqa: E402

SEED = 42
BUMP = 0.1


class Servers:
    """One serve.py server per loopback host, same port, shared file cache and counters."""

    def __init__(self, feeds_dir, hosts, opts):
        self.stats = serve.Stats()
        self.cache = serve.FileCache(feeds_dir, opts.gzip)
        handler = serve.make_handler(opts, self.cache, self.stats)
        self.httpds = []
        port = 0
        for h in range(hosts):
            httpd = serve.Server(("127.0.0.%d" % (2 + h), port), handler)
            port = httpd.server_address[1]
            self.httpds.append(httpd)
            threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2},
                             daemon=True).start()
        self.port = port

    def url(self, i, name):
        return "http://127.0.0.%d:%d/feeds/%s" % (2 + i % len(self.httpds), self.port, name)

    def reset(self):
        with self.stats.lock:
            snap = self.stats.snapshot()
            self.stats.reset()
        return snap

    def stop(self):
        for httpd in self.httpds:
            httpd.shutdown()
            httpd.server_close()


def write_opml(path, servers, names):
    with open(path, "w") as f:
        f.write('<?xml version="1.0"?>\n<opml version="2.0"><head><title>bench</title></head><body>\n')
        for i, name in enumerate(names):
            f.write('<outline type="rss" text="%s" xmlUrl="%s"/>\n' % (name, servers.url(i, name)))
        f.write("</body></opml>\n")


def timed(cmd, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr.decode(errors="replace")[-2000:])
        raise SystemExit("%s failed with %d" % (cmd[0], done.returncode))
    return wall, cpu


def one_run(binary, work, servers, feeds_dir, n, names, config):
    run = tempfile.mkdtemp(dir=work)
    env = dict(os.environ, KIOSQUE_CONFIG=os.path.join(run, "config.toml"))
    with open(env["KIOSQUE_CONFIG"], "w") as f:
        f.write(config)
    data = os.path.join(run, "data")
    opml = os.path.join(run, "feeds.opml")
    write_opml(opml, servers, names)
    subprocess.run([binary, "--data-dir", data, "import", opml], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    servers.reset()
    cold = timed([binary, "--data-dir", data, "refresh"], env)
    cold_stats = servers.reset()
    bumped = [i for i in range(n) if gen_feeds.is_bumped(SEED, i, BUMP)]
    for i in bumped:
        gen_feeds.write_feed(feeds_dir, SEED, i, 1)
        servers.cache.get(names[i])      # the server re-reads them outside the timing
    warm = timed([binary, "--data-dir", data, "refresh"], env)
    warm_stats = servers.reset()
    for i in bumped:
        gen_feeds.write_feed(feeds_dir, SEED, i, 0)
        servers.cache.get(names[i])
    shutil.rmtree(run, ignore_errors=True)
    return cold, warm, cold_stats, warm_stats


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--before", help="another build, run on the same cases for a ratio")
    ap.add_argument("--sizes", default="300,1000")
    ap.add_argument("--hosts", default="1,50")
    ap.add_argument("--latency-ms", type=float, default=100.0)
    ap.add_argument("--slow-frac", type=float, default=0.05)
    ap.add_argument("--slow-ms", type=float, default=2000.0)
    ap.add_argument("--gzip", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--config", default="", help="extra config.toml lines for every build")
    ap.add_argument("--work", default=None)
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    host_counts = [int(h) for h in a.hosts.split(",")]
    work = a.work or tempfile.mkdtemp(prefix="kiosque-latency-")
    os.makedirs(work, exist_ok=True)
    feeds_dir = os.path.join(work, "feeds")
    os.makedirs(feeds_dir, exist_ok=True)
    gen_feeds.generate(feeds_dir, SEED, max(sizes))
    names = [gen_feeds.file_name(gen_feeds.feed_meta(SEED, i)) for i in range(max(sizes))]
    opts = argparse.Namespace(latency_ms=a.latency_ms, slow_frac=a.slow_frac,
                              slow_ms=a.slow_ms, fail_frac=0.0, seed=SEED, gzip=a.gzip,
                              no_etag=False, no_last_modified=False, access_log=False)
    config = "refresh_on_start = false\n" + a.config.replace("\\n", "\n") + "\n"
    builds = [("now", a.bin)] + ([("before", a.before)] if a.before else [])
    print("latency %g ms, %g %% of feeds at %g ms, gzip %s, median of %d runs; warm = after "
          "%d %% of feeds got news" % (a.latency_ms, a.slow_frac * 100, a.slow_ms,
                                      "on" if a.gzip else "off", a.runs, BUMP * 100))
    print()
    print("| feeds | hosts | build | cold s | cold CPU s | warm s | warm CPU s | "
          "connections cold/warm | peak concurrent cold/warm |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for hosts in host_counts:
        servers = Servers(feeds_dir, hosts, opts)
        try:
            for n in sizes:
                medians = {}
                for label, binary in builds:
                    runs = [one_run(binary, work, servers, feeds_dir, n, names[:n], config)
                            for _ in range(a.runs)]
                    cold = statistics.median(r[0][0] for r in runs)
                    cold_cpu = statistics.median(r[0][1] for r in runs)
                    warm = statistics.median(r[1][0] for r in runs)
                    warm_cpu = statistics.median(r[1][1] for r in runs)
                    cs, ws = runs[-1][2], runs[-1][3]
                    medians[label] = (cold, warm)
                    print("| %d | %d | %s | %.2f | %.2f | %.2f | %.2f | %d / %d | %d / %d |" % (
                        n, hosts, label, cold, cold_cpu, warm, warm_cpu,
                        cs["connections"], ws["connections"],
                        cs["peak_concurrency"], ws["peak_concurrency"]), flush=True)
                if "before" in medians:
                    (c1, w1), (c0, w0) = medians["now"], medians["before"]
                    print("| %d | %d | now/before | %.2f | | %.2f | | | |" % (
                        n, hosts, c1 / c0, w1 / w0), flush=True)
        finally:
            servers.stop()
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
