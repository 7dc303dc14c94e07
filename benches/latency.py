#!/usr/bin/env python3
"""Refresh over a network that looks like the internet: every request waits --latency-ms
(100 ms), a deterministic --slow-frac of the feeds (5 %) waits --slow-ms (2 s), and the
feeds are spread over --hosts loopback hosts (127.0.0.2, 127.0.0.3, ...; one server socket
per host, all on one port), all serving ../shared/bench's generated feeds. For each size and
host count: a cold refresh into a fresh store, then a warm one after 10 % of the feeds got
news (the rest answer 304); median of --runs runs. With --before BIN, that build runs the
same cases in the same command and the table gives the ratio now/before; with --newsboat,
newsboat runs them too (it keeps validators only from its second fetch on, so it gets one
untimed reload between cold and warm).

--proto picks the servers: `http` is serve.py's handler in this process (plain HTTP/1.1,
threads); `h1` and `h2` are examples/net_server.rs (hyper over rustls, ALPN http/1.1 only,
or h2 + http/1.1) with a CA and a leaf certificate made here by openssl; the readers trust
the CA through SSL_CERT_FILE (kiosque: rustls-platform-verifier reads it on Linux).

    cargo build --release --bin kiosque --example net_server
    benches/latency.py --bin target/release/kiosque                       # 300,1000 x 1,50
    benches/latency.py --bin NEW --before OLD --sizes 300 --hosts 1 --proto h1,h2 --runs 3

With --timeline FILE, the first build's refreshes log their timeline (every 100 ms: requests
waiting for an answer, bodies read, parsed and written, CPU of the process and of the writer
thread, resident MB; src/refresh/timeline.rs) and FILE gets each refresh's lines, headed
`# N feeds, H hosts, PROTO, cold|warm, run R`; `benches/timeline.py FILE` tabulates them.

The table: wall seconds (median), reader CPU seconds (user+sys, median), peak resident MB
(the largest of the runs), and the server's view of one run: new connections and peak
concurrent requests (keep-alive reuse, HTTP/2 multiplexing and the per-host cap show there).
"""

import argparse
import json
import os
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
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
BUMP = 0.1


class Servers:
    """One serve.py server per loopback host, same port, shared file cache and counters."""

    scheme = "http"

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
        self.hosts = hosts

    def url(self, i, name):
        return "%s://127.0.0.%d:%d/feeds/%s" % (self.scheme, 2 + i % self.hosts, self.port, name)

    def touch(self, name):
        self.cache.get(name)      # the server re-reads a changed file outside the timing

    def reset(self):
        with self.stats.lock:
            snap = self.stats.snapshot()
            self.stats.reset()
        return snap

    def stop(self):
        for httpd in self.httpds:
            httpd.shutdown()
            httpd.server_close()


class RustServers(Servers):
    """examples/net_server.rs over TLS: the same feeds, counters and conditional GET."""

    scheme = "https"

    def __init__(self, feeds_dir, hosts, opts, server_bin, certs, h1_only, slow_list):
        cmd = [server_bin, "--dir", feeds_dir, "--cert", certs["cert"], "--key", certs["key"],
               "--hosts", str(hosts), "--latency-ms", str(opts.latency_ms),
               "--slow-ms", str(opts.slow_ms), "--slow-list", slow_list]
        if opts.gzip:
            cmd.append("--gzip")
        if h1_only:
            cmd.append("--h1-only")
        # A session of its own: with the kernel's autogroup scheduling (Debian's default) the
        # server's CPU (its TLS, its timers) then comes out of its own share of the machine,
        # not out of the reader's, as a remote server's would.
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, start_new_session=True)
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            raise SystemExit("net_server did not start: %r" % line)
        self.port = int(line)
        self.hosts = hosts

    def touch(self, name):
        pass                      # it checks (mtime, size) on every request

    def reset(self):
        self.proc.stdin.write("stats\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(10)


def make_certs(work):
    """A test CA and a leaf certificate for 127.0.0.2..127.0.0.251 (IP names), by openssl."""
    d = os.path.join(work, "tls")
    os.makedirs(d, exist_ok=True)
    certs = {"ca": os.path.join(d, "ca.pem"), "cert": os.path.join(d, "leaf.pem"),
             "key": os.path.join(d, "leaf.key")}
    if all(os.path.exists(p) for p in certs.values()):
        return certs
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run = lambda *args: subprocess.run(["openssl", *args], check=True,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run("req", "-x509", *ec, "-keyout", os.path.join(d, "ca.key"), "-out", certs["ca"],
        "-days", "7", "-subj", "/CN=kiosque bench CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *ec, "-keyout", certs["key"], "-out", os.path.join(d, "leaf.csr"),
        "-subj", "/CN=127.0.0.2")
    with open(os.path.join(d, "leaf.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=%s\n"
                % ",".join("IP:127.0.0.%d" % h for h in range(2, 252)))
    run("x509", "-req", "-in", os.path.join(d, "leaf.csr"), "-CA", certs["ca"],
        "-CAkey", os.path.join(d, "ca.key"), "-CAcreateserial", "-out", certs["cert"],
        "-days", "7", "-extfile", os.path.join(d, "leaf.ext"))
    return certs


TIME = "/usr/bin/time"


def timed(cmd, env):
    """Wall seconds, CPU seconds (user+sys) and peak resident MB of one child.

    The peak comes from GNU time when it is installed: a child forked from this script
    inherits the script's own high-water mark at exec (Linux keeps the larger of the two in
    `ru_maxrss`), so once the generated feeds make the script bigger than the reader,
    `wait4` would report the script's size for every reader alike."""
    peak_file = None
    if os.access(TIME, os.X_OK):
        fd, peak_file = tempfile.mkstemp(prefix="kiosque-peak-")
        os.close(fd)
        cmd = [TIME, "-f", "%M", "-o", peak_file] + list(cmd)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.stderr.write(err.decode(errors="replace")[-2000:])
        raise SystemExit("%s failed with %d" % (cmd[0], proc.returncode))
    peak_mb = usage.ru_maxrss / 1024.0
    if peak_file:
        with open(peak_file) as f:
            lines = [line for line in f.read().split() if line.isdigit()]
        os.remove(peak_file)
        if lines:
            peak_mb = int(lines[-1]) / 1024.0
    return wall, usage.ru_utime + usage.ru_stime, peak_mb


class Kiosque:
    def __init__(self, binary, config, timeline=None):
        self.binary, self.config, self.timeline = binary, config, timeline

    def setup(self, run, servers, names, env):
        env["KIOSQUE_CONFIG"] = os.path.join(run, "config.toml")
        with open(env["KIOSQUE_CONFIG"], "w") as f:
            f.write(self.config)
        opml = os.path.join(run, "feeds.opml")
        with open(opml, "w") as f:
            f.write('<?xml version="1.0"?>\n<opml version="2.0"><head><title>bench</title>'
                    '</head><body>\n')
            for i, name in enumerate(names):
                f.write('<outline type="rss" text="%s" xmlUrl="%s"/>\n'
                        % (name.replace("?", " "), servers.url(i, name).replace("&", "&amp;")))
            f.write("</body></opml>\n")
        self.data = os.path.join(run, "data")
        subprocess.run([self.binary, "--data-dir", self.data, "import", opml], env=env,
                       check=True, stdout=subprocess.DEVNULL)

    def refresh(self, env, label=""):
        if not self.timeline:
            return timed([self.binary, "--data-dir", self.data, "refresh"], env)
        env = dict(env, KIOSQUE_LOG="info,kiosque::refresh::timeline=debug")
        log = os.path.join(self.data, "kiosque.log")
        if os.path.exists(log):
            os.remove(log)
        result = timed([self.binary, "--data-dir", self.data, "refresh"], env)
        with open(log, errors="replace") as f, open(self.timeline, "a") as out:
            out.write("# %s\n" % label)
            out.writelines(line for line in f if "refresh::timeline" in line)
        return result

    def settle(self, env):
        pass


class Newsboat:
    def __init__(self, threads):
        self.threads = threads

    def setup(self, run, servers, names, env):
        self.urls = os.path.join(run, "urls")
        with open(self.urls, "w") as f:
            f.writelines(servers.url(i, name) + "\n" for i, name in enumerate(names))
        self.conf = os.path.join(run, "newsboat.conf")
        with open(self.conf, "w") as f:
            f.write('reload-threads %d\nerror-log "%s/error.log"\n' % (self.threads, run))
        self.cache = os.path.join(run, "cache.db")

    def refresh(self, env, label=""):
        cmd = ["newsboat", "-x", "reload", "-u", self.urls, "-c", self.cache, "-C", self.conf]
        if "SSL_CERT_FILE" in env:
            # libcurl reads only its built-in bundle: newsboat sees the system's bundle plus
            # the test CA bind-mounted over it, in a mount namespace of its own.
            bundle = os.path.join(os.path.dirname(self.urls), "bundle.pem")
            with open(bundle, "wb") as out:
                for path in (SYSTEM_BUNDLE, env["SSL_CERT_FILE"]):
                    with open(path, "rb") as f:
                        out.write(f.read())
            cmd = ["unshare", "-m", "sh", "-c", 'mount --bind "$0" "$1" && shift && exec "$@"',
                   bundle, SYSTEM_BUNDLE] + cmd
        return timed(cmd, env)

    def settle(self, env):
        self.refresh(env)         # newsboat < 2.37 stores validators on its 2nd fetch


def conns(stats):
    """New connections, and how many of them spoke HTTP/2 (net_server counts those)."""
    h2 = stats.get("h2_connections")
    return "%d (h2 %d)" % (stats["connections"], h2) if h2 else "%d" % stats["connections"]


def one_run(reader, work, servers, feeds_dir, n, names, env, label=""):
    run = tempfile.mkdtemp(dir=work)
    env = dict(env)
    reader.setup(run, servers, names, env)
    servers.reset()
    cold = reader.refresh(env, label + ", cold")
    cold_stats = servers.reset()
    reader.settle(env)
    files = len({name.split("?")[0] for name in names})
    bumped = [i for i in range(files) if gen_feeds.is_bumped(SEED, i, BUMP)]
    for i in bumped:
        gen_feeds.write_feed(feeds_dir, SEED, i, 1)
        servers.touch(names[i])
    servers.reset()
    warm = reader.refresh(env, label + ", warm")
    warm_stats = servers.reset()
    for i in bumped:
        gen_feeds.write_feed(feeds_dir, SEED, i, 0)
        servers.touch(names[i])
    shutil.rmtree(run, ignore_errors=True)
    return cold, warm, cold_stats, warm_stats


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--before", help="another build, run on the same cases for a ratio")
    ap.add_argument("--newsboat", action="store_true", help="run newsboat on the same cases")
    ap.add_argument("--newsboat-threads", type=int, default=32)
    ap.add_argument("--newsboat-runs", type=int, help="runs for newsboat (default --runs)")
    ap.add_argument("--sizes", default="300,1000")
    ap.add_argument("--hosts", default="1,50")
    ap.add_argument("--proto", default="http",
                    help="comma list of http (serve.py), h1, h2 (net_server over TLS)")
    ap.add_argument("--net-server", help="examples/net_server build (default: beside --bin)")
    ap.add_argument("--latency-ms", type=float, default=100.0)
    ap.add_argument("--slow-frac", type=float, default=0.05)
    ap.add_argument("--slow-ms", type=float, default=2000.0)
    ap.add_argument("--gzip", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--config", default="", help="extra config.toml lines for every build")
    ap.add_argument("--work", default=None)
    ap.add_argument("--timeline", help="append the first build's refresh timelines to FILE")
    ap.add_argument("--distinct", type=int, default=0,
                    help="generate only this many feed files and serve feed i as file "
                         "i %% N under its own URL (?copy=K): 10,000 feeds without 1.2 GB")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    host_counts = [int(h) for h in a.hosts.split(",")]
    protos = a.proto.split(",")
    work = a.work or tempfile.mkdtemp(prefix="kiosque-latency-")
    os.makedirs(work, exist_ok=True)
    feeds_dir = os.path.join(work, "feeds")
    os.makedirs(feeds_dir, exist_ok=True)
    distinct = min(a.distinct or max(sizes), max(sizes))
    gen_feeds.ensure_generated(feeds_dir, SEED, distinct)
    files = [gen_feeds.file_name(gen_feeds.feed_meta(SEED, i)) for i in range(distinct)]
    names = [files[i % distinct] + ("?copy=%d" % (i // distinct) if i >= distinct else "")
             for i in range(max(sizes))]
    slow_list = os.path.join(work, "slow.txt")
    with open(slow_list, "w") as f:
        f.writelines(name + "\n" for name in files
                     if serve.pick(SEED, "slow", name, a.slow_frac))
    opts = argparse.Namespace(latency_ms=a.latency_ms, slow_frac=a.slow_frac,
                              slow_ms=a.slow_ms, fail_frac=0.0, seed=SEED, gzip=a.gzip,
                              no_etag=False, no_last_modified=False, access_log=False)
    env = dict(os.environ)
    certs = None
    if any(p in ("h1", "h2") for p in protos):
        certs = make_certs(work)
        env["SSL_CERT_FILE"] = certs["ca"]
        net_server = a.net_server or os.path.join(os.path.dirname(a.bin), "examples",
                                                  "net_server")
    config = "refresh_on_start = false\n" + a.config.replace("\\n", "\n") + "\n"
    readers = [("now", Kiosque(a.bin, config, a.timeline))]
    if a.before:
        readers.append(("before", Kiosque(a.before, config)))
    if a.newsboat:
        readers.append(("newsboat", Newsboat(a.newsboat_threads)))
    print("latency %g ms, %g %% of feeds at %g ms, gzip %s, median of %d runs; warm = after "
          "%d %% of feeds got news" % (a.latency_ms, a.slow_frac * 100, a.slow_ms,
                                      "on" if a.gzip else "off", a.runs, BUMP * 100))
    print()
    print("| feeds | hosts | proto | reader | cold s | cold CPU s | warm s | warm CPU s | "
          "peak MB | 200s cold, 304s warm | connections cold/warm | peak concurrent cold/warm |")
    print("|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for proto in protos:
        for hosts in host_counts:
            if proto == "http":
                servers = Servers(feeds_dir, hosts, opts)
            else:
                servers = RustServers(feeds_dir, hosts, opts, net_server, certs,
                                      proto == "h1", slow_list)
            try:
                for n in sizes:
                    medians = {}
                    # The readers take turns run by run, so that a load that changes over the
                    # command (a shared machine) falls on each of them alike.
                    all_runs = {label: [] for label, _ in readers}
                    for r in range(max(a.runs, a.newsboat_runs or 0)):
                        for label, reader in readers:
                            count = a.runs
                            if label == "newsboat" and a.newsboat_runs:
                                count = a.newsboat_runs
                            if r < count:
                                done = one_run(
                                    reader, work, servers, feeds_dir, n, names[:n], env,
                                    "%d feeds, %d hosts, %s, run %d" % (n, hosts, proto, r))
                                all_runs[label].append(done)
                                sys.stderr.write("# %s, run %d: cold %.2f s, warm %.2f s, "
                                                 "%.1f MB\n" % (label, r, done[0][0],
                                                                done[1][0], done[0][2]))
                    for label, reader in readers:
                        runs = all_runs[label]
                        cold = statistics.median(r[0][0] for r in runs)
                        cold_cpu = statistics.median(r[0][1] for r in runs)
                        warm = statistics.median(r[1][0] for r in runs)
                        warm_cpu = statistics.median(r[1][1] for r in runs)
                        peak = max(max(r[0][2], r[1][2]) for r in runs)
                        cs, ws = runs[-1][2], runs[-1][3]
                        medians[label] = (cold, warm)
                        print("| %d | %d | %s | %s | %.2f | %.2f | %.2f | %.2f | %.1f | %s, %s "
                              "| %s / %s | %d / %d |" % (
                                  n, hosts, proto, label, cold, cold_cpu, warm, warm_cpu, peak,
                                  cs["by_status"].get("200", 0), ws["by_status"].get("304", 0),
                                  conns(cs), conns(ws),
                                  cs["peak_concurrency"], ws["peak_concurrency"]), flush=True)
                    for other in ("before", "newsboat"):
                        if other in medians:
                            (c1, w1), (c0, w0) = medians["now"], medians[other]
                            print("| %d | %d | %s | now/%s | %.2f | | %.2f | | | | | |" % (
                                n, hosts, proto, other, c1 / c0, w1 / w0), flush=True)
            finally:
                servers.stop()
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
