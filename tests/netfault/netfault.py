#!/usr/bin/env python3
"""Network faults on the streamer's link, against the real bountycam-server.

The streamer (bountycam-cli publish) runs in a network namespace this test
makes, behind bc-netem: an impaired link 10.203.N.2 -> 10.203.N.1 (loss,
delay, jitter, outages, in user space). The viewer (bountycam-cli watch)
runs on loopback. The server listens on 127.0.0.1; bc-netem relays its port
from the link address, and the SFU's ICE also uses the link address.
No traffic leaves this host: only loopback and the test's own namespace.

Exit status 77 (skip) when not root or without /dev/net/tun or ip netns.
"""

import argparse
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

PR_SET_PDEATHSIG = 1
SKIP = 77


def now_ms():
    return time.time() * 1000.0


def die_with_parent():
    # The children die with an aborted test (meson's timeout kills us).
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def log(msg):
    print(msg, flush=True)


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


class Proc:
    """A child process whose stdout JSON lines are collected with the time
    they arrived."""

    def __init__(self, name, argv, env, stdin=None, logdir=None):
        self.name = name
        self.lines = []
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.errpath = os.path.join(logdir, name + ".stderr")
        self.err = open(self.errpath, "w")
        self.proc = subprocess.Popen(argv, env=env, stdin=stdin or subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=self.err,
                                     text=True, bufsize=1, preexec_fn=die_with_parent)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                obj = {"type": "text", "text": line}
            obj["_at"] = now_ms()
            with self.cond:
                self.lines.append(obj)
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def of_type(self, t, since=0):
        with self.lock:
            return [l for l in self.lines if l.get("type") == t and l["_at"] >= since]

    def wait_for(self, pred, timeout):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for l in self.lines:
                    if pred(l):
                        return l
                if self.proc.poll() is not None and not self.thread.is_alive():
                    return None
                left = deadline - time.time()
                if left <= 0:
                    return None
                self.cond.wait(min(left, 0.5))

    def wait_type(self, t, timeout, since=0):
        return self.wait_for(lambda l: l.get("type") == t and l["_at"] >= since, timeout)

    def states(self):
        return [(l["_at"], l.get("state")) for l in self.of_type("state")]

    def stop(self, sig=signal.SIGINT, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.thread.join(5)
        self.err.close()

    def stderr_tail(self, n=15):
        try:
            with open(self.errpath) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


class Netem:
    def __init__(self, binary, netns, index, port, logdir):
        self.proc = subprocess.Popen([binary, "--netns", netns, "--index", str(index),
                                      "--relay", str(port)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=open(os.path.join(logdir, "netem.stderr"), "w"),
                                     text=True, bufsize=1, preexec_fn=die_with_parent)
        line = self.proc.stdout.readline()
        if not line.startswith("ready"):
            raise Fail("bc-netem did not start: %r (see netem.stderr)" % line)
        self.root_addr = line.split()[1]

    def cmd(self, text):
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if not answer.startswith("ok"):
            raise Fail("bc-netem %s: %s" % (text, answer))
        return answer

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


class Rig:
    """Server, namespace, link, accounts, a session, a viewer."""

    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="bc-netfault-")
        self.netns = "bcnf-%d-%d" % (args.index, os.getpid())
        self.ns_made = False
        self.server = None
        self.netem = None
        self.procs = []
        self.env = dict(os.environ)
        for k in ("LIVEKIT_URL", "NEXT_PUBLIC_LIVEKIT_URL", "LIVEKIT_API_KEY",
                  "LIVEKIT_API_SECRET", "CLEANUP_API_KEY", "BOUNTYCAM_SERVER",
                  "BOUNTYCAM_EMAIL", "BOUNTYCAM_PASSWORD", "BOUNTYCAM_REFRESH_TOKEN",
                  "BOUNTYCAM_REFRESH_TOKEN_FILE", "BC_ICE_LOOPBACK"):
            self.env.pop(k, None)
        for d in ("data", "config", "cache"):
            path = os.path.join(self.tmp, "xdg-" + d)
            os.makedirs(path)
            self.env["XDG_%s_HOME" % d.upper()] = path
        self.env["DBUS_SESSION_BUS_ADDRESS"] = "disabled:"
        # The server's ICE: loopback for the viewer, the link for the streamer.
        self.link_addr = "10.203.%d.1" % args.index
        self.env["BOUNTYCAM_SFU_ICE_ADDRESSES"] = "127.0.0.1," + self.link_addr

    def start(self):
        a = self.args
        subprocess.run(["ip", "netns", "add", self.netns], check=True)
        self.ns_made = True
        self.server = subprocess.Popen([a.server, "--dev", "--listen", "127.0.0.1:0",
                                        "--database", os.path.join(self.tmp, "bc.db")],
                                       env=self.env, stdout=subprocess.PIPE,
                                       stderr=open(os.path.join(self.tmp, "server.stderr"), "w"),
                                       text=True, preexec_fn=die_with_parent)
        line = self.server.stdout.readline()
        m = re.search(r"listening on (http://127\.0\.0\.1:(\d+))", line)
        check(m, "the server did not start: %r" % line)
        self.base_url, self.port = m.group(1), int(m.group(2))
        threading.Thread(target=lambda: self.server.stdout.read(), daemon=True).start()
        self.netem = Netem(a.netem, self.netns, a.index, self.port, self.tmp)

        self.requester = self.account("requester")
        self.streamer = self.account("streamer")
        out = self.cli(self.requester, "create", "--title", "Network faults",
                       "--description", "Stream through a bad link", "--reward", "10")
        bounty = out["bounty"]["id"]
        out = self.cli(self.streamer, "accept", bounty)
        self.session = out["session"]["id"]
        out = self.cli(self.streamer, "token", self.session)
        tok = out["livekit_token"]
        self.lk_token = tok["token"]
        # The streamer reaches the server through the link and bc-netem's relay.
        self.lk_url = tok["url"].replace("127.0.0.1", self.link_addr)
        check(self.link_addr in self.lk_url, "unexpected LiveKit URL %s" % tok["url"])

    def account(self, name):
        env = dict(self.env)
        env["BOUNTYCAM_SERVER"] = self.base_url
        env["BOUNTYCAM_REFRESH_TOKEN_FILE"] = os.path.join(self.tmp, name + ".token")
        r = subprocess.run([self.args.cli, "--json", "signup", "--email",
                            "%s-%d@example.com" % (name, os.getpid()), "--display-name", name,
                            "--password-stdin"], env=env, input="a long enough password\n",
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, "signup %s: %s" % (name, r.stderr))
        return env

    def cli(self, env, *argv):
        r = subprocess.run([self.args.cli, "--json"] + list(argv), env=env,
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, "cli %s: %d %s" % (argv[0], r.returncode, r.stderr))
        out = {}
        for line in r.stdout.splitlines():
            try:
                obj = json.loads(line)
                out[obj.get("type")] = obj
            except ValueError:
                pass
        return out

    def start_viewer(self):
        env = dict(self.requester)
        env["BC_ICE_LOOPBACK"] = "1"
        v = Proc("viewer", [self.args.cli, "--json", "watch", "--session", self.session],
                 env, logdir=self.tmp)
        self.procs.append(v)
        return v

    def start_publisher(self, name="publisher", extra=()):
        # Not loopback-only: in the namespace libnice sees lo and the link.
        # Plain ws:// to the link address (not loopback) needs --allow-insecure.
        argv = ["ip", "netns", "exec", self.netns, self.args.cli, "--json", "--allow-insecure", "publish",
                "--livekit-url", self.lk_url, "--token", self.lk_token, "--camera", "test",
                "--codec", self.args.codec] + list(extra)
        p = Proc(name, argv, dict(self.env), logdir=self.tmp)
        self.procs.append(p)
        return p

    def close(self):
        for p in self.procs:
            try:
                p.stop()
            except Exception as e:  # keep cleaning up
                log("# stopping %s: %s" % (p.name, e))
        if self.netem:
            self.netem.close()
        if self.server and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        if self.ns_made:
            subprocess.run(["ip", "netns", "del", self.netns])
        if not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def dump(self):
        for p in self.procs:
            log("# --- %s (exit %s), states %s" % (p.name, p.proc.poll(),
                                                     [s for _, s in p.states()]))
            for l in p.stderr_tail().splitlines():
                log("#   " + l)


# ---- measurements ----------------------------------------------------------

def frames_between(viewer, t0, t1):
    """Frames the viewer decoded between two times, from its stats lines (the
    count restarts when the track comes again after a rejoin)."""
    stats = [l for l in viewer.of_type("stats") if t0 <= l["_at"] <= t1]
    total, prev = 0, None
    for l in stats:
        f = l.get("frames", 0)
        if prev is not None:
            total += f - prev if f >= prev else f
        prev = f
    span = (stats[-1]["_at"] - stats[0]["_at"]) / 1000.0 if len(stats) > 1 else 0
    return total, span


def window(viewer, t0, t1):
    frames, span = frames_between(viewer, t0, t1)
    stats = [l for l in viewer.of_type("stats") if t0 <= l["_at"] <= t1]
    rates = [l.get("bitrate_kbps", 0) for l in stats if l.get("bitrate_kbps")]
    freezes = [l for l in viewer.of_type("frames_resumed") if t0 <= l["_at"] <= t1 + 1000]
    return {
        "fps": frames / span if span > 0 else 0.0,
        "kbps": sum(rates) / len(rates) if rates else 0.0,
        "freezes": len(freezes),
        "longest_freeze_ms": max([f["gap_ms"] for f in freezes], default=0.0),
        "size": (stats[-1].get("width"), stats[-1].get("height")) if stats else None,
    }


def wait_streaming(rig, viewer, publisher):
    check(publisher.wait_type("publishing", 120), "the publisher did not publish")
    check(viewer.wait_type("first_frame", 120), "the viewer got no frame")
    time.sleep(4)  # encoder and bitrate settle


def baseline(viewer, seconds=4):
    t0 = now_ms()
    time.sleep(seconds)
    return window(viewer, t0, now_ms())


def state_changes(proc, t0):
    return [s for at, s in proc.states() if at >= t0]


FIGURES = []


def figure(scenario, name, value, aim=""):
    FIGURES.append((scenario, name, value, aim))
    log("# %s: %s = %s %s" % (scenario, name, value, ("(aim: %s)" % aim) if aim else ""))


def scenario_loss(rig, seconds):
    name = "loss 5%%+50ms±20ms %ds" % seconds
    viewer = rig.start_viewer()
    publisher = rig.start_publisher()
    wait_streaming(rig, viewer, publisher)
    base = baseline(viewer)
    figure(name, "baseline fps / kbps", "%.1f / %.0f" % (base["fps"], base["kbps"]))

    t0 = now_ms()
    rig.netem.cmd("loss 5")
    rig.netem.cmd("delay 50")
    rig.netem.cmd("jitter 20")
    # Frames keep coming in every 5 s of the impairment.
    slices = []
    for _ in range(max(1, seconds // 5)):
        s0 = now_ms()
        time.sleep(5)
        f, _ = frames_between(viewer, s0, now_ms())
        slices.append(f)
    t1 = now_ms()
    stats = rig.netem.cmd("stats")
    rig.netem.cmd("clear")
    w = window(viewer, t0, t1)
    figure(name, "delivered fps", "%.1f" % w["fps"])
    figure(name, "bitrate kbps", "%.0f" % w["kbps"])
    figure(name, "freezes > 500 ms (longest ms)", "%d (%.0f)" % (w["freezes"],
                                                                w["longest_freeze_ms"]))
    log("# link: " + stats)
    check(viewer.proc.poll() is None and publisher.proc.poll() is None,
          "a client exited during the impairment")
    check(min(slices) > 0, "no frame in some 5 s of the impairment: %s" % slices)
    vs, ps = state_changes(viewer, t0), state_changes(publisher, t0)
    figure(name, "state changes (publisher / viewer)", "%s / %s" % (ps or "none", vs or "none"),
           "none")
    check(not vs, "the viewer left 'connected': %s" % vs)
    check(not ps, "the publisher left 'connected': %s" % ps)

    # Full quality back: 90 % of the baseline frame rate, the same size.
    back = None
    deadline = time.time() + 40
    while time.time() < deadline:
        time.sleep(1)
        at = now_ms()
        w = window(viewer, at - 2000, at)
        if w["fps"] >= 0.9 * base["fps"] and w["size"] == base["size"]:
            back = (at - t1) / 1000.0
            break
    check(back is not None, "quality did not come back within 40 s of clearing")
    figure(name, "full quality back after clearing (s, 2 s window)", "%.1f" % back, "<= 10")


def scenario_outage(rig, outages):
    viewer = rig.start_viewer()
    publisher = rig.start_publisher()
    wait_streaming(rig, viewer, publisher)
    for seconds in outages:
        name = "outage %ds" % seconds
        time.sleep(3)
        t0 = now_ms()
        rig.netem.cmd("down")
        time.sleep(seconds)
        rig.netem.cmd("up")
        t_up = now_ms()
        # The next "frames_resumed" after the link came back.
        ev = viewer.wait_for(lambda l: l.get("type") == "frames_resumed"
                             and l["unix_ms"] >= t_up - 100, 120)
        if ev is None:
            rig.dump()
        check(ev is not None, "no frame on the viewer within 120 s after a %d s outage" % seconds)
        figure(name, "link up -> first new frame (ms)", "%.0f" % (ev["unix_ms"] - t_up),
               "< 2000" if seconds <= 5 else "")
        if state_changes(publisher, t0):
            check(publisher.wait_for(lambda l: l.get("type") == "state" and l["_at"] >= t0
                                     and l.get("state") == "connected", 60) is not None,
                  "the publisher did not get back to 'connected'")
        ps = state_changes(publisher, t0)
        figure(name, "publisher states", " -> ".join(ps) or "stayed connected")
        check("failed" not in ps, "the publisher gave up after a %d s outage" % seconds)
        check(publisher.proc.poll() is None, "the publisher exited")
        time.sleep(3)
        f, _ = frames_between(viewer, now_ms() - 3000, now_ms())
        check(f > 0, "frames stopped again after the %d s outage" % seconds)


def scenario_giveup(rig, timeout_s):
    name = "give up (%s)" % ("reconnect timeout %d s" % timeout_s if timeout_s else "default")
    viewer = rig.start_viewer()
    extra = ["--reconnect-timeout", str(timeout_s)] if timeout_s else []
    publisher = rig.start_publisher(extra=extra)
    wait_streaming(rig, viewer, publisher)
    limit = (timeout_s or 60) + 60
    t0 = now_ms()
    rig.netem.cmd("down")
    # The link stays down until the publisher gives up, or far longer.
    try:
        publisher.proc.wait(limit)
    except subprocess.TimeoutExpired:
        rig.dump()
        raise Fail("the publisher still runs %d s into the outage: states %s"
                   % (limit, state_changes(publisher, t0)))
    t_exit = now_ms()
    rig.netem.cmd("up")
    publisher.thread.join(5)
    ps = state_changes(publisher, t0)
    summary = publisher.of_type("summary")
    reason = summary[-1].get("reason", "") if summary else ""
    figure(name, "publisher states", " -> ".join(ps))
    rec = [at for at, s in publisher.states() if at >= t0 and s == "reconnecting"]
    if rec:
        figure(name, "outage start -> reconnecting (s)", "%.1f" % ((rec[0] - t0) / 1000.0))
    figure(name, "outage start -> failed, exited (s)", "%.1f" % ((t_exit - t0) / 1000.0),
           "detection + timeout")
    figure(name, "reason", reason)
    check("reconnecting" in ps and ps[-1] == "failed",
          "expected reconnecting then failed, got %s" % ps)
    check(publisher.proc.returncode == 6, "exit status %d, not 6" % publisher.proc.returncode)
    check("could not get it back" in reason or "did not come" in reason,
          "unclear reason: %r" % reason)

    # Retry: publishing again works once the link is back.
    time.sleep(1)
    t_retry = now_ms()
    again = rig.start_publisher("publisher-retry", extra=extra)
    check(again.wait_type("publishing", 120), "the retry did not publish")
    ev = viewer.wait_for(lambda l: l.get("type") in ("frames_resumed", "first_frame")
                         and l["_at"] >= t_retry, 120)
    if ev is None:
        rig.dump()
    check(ev is not None, "the viewer got no frame from the retry")
    figure(name, "retry started -> first frame on the viewer (ms)", "%.0f" % (ev["_at"] - t_retry))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", choices=["loss", "outage", "giveup", "all"])
    ap.add_argument("--index", type=int, default=1, help="link number (10.203.N.0/30)")
    ap.add_argument("--loss-seconds", type=int, default=15)
    ap.add_argument("--outage", type=int, action="append", help="outage length, s (repeat)")
    ap.add_argument("--reconnect-timeout", type=int, default=10, help="0: the default (60 s)")
    ap.add_argument("--codec", default="h264")
    ap.add_argument("--table", action="store_true", help="print a table of the figures")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (logs)")
    ap.add_argument("--server", default=os.environ.get("BC_SERVER"))
    ap.add_argument("--cli", default=os.environ.get("BC_CLI"))
    ap.add_argument("--netem", default=os.environ.get("BC_NETEM"))
    args = ap.parse_args()

    if os.geteuid() != 0:
        log("SKIP: network namespaces need root")
        return SKIP
    if not os.path.exists("/dev/net/tun"):
        log("SKIP: /dev/net/tun is not available")
        return SKIP
    if not shutil.which("ip") or subprocess.run(["ip", "netns", "list"],
                                                capture_output=True).returncode != 0:
        log("SKIP: `ip netns` is not available")
        return SKIP
    if not (args.server and args.cli and args.netem):
        log("SKIP: BC_SERVER, BC_CLI or BC_NETEM unset")
        return SKIP

    def on_term(signum, frame):
        raise SystemExit(1)

    signal.signal(signal.SIGTERM, on_term)
    scenarios = ["loss", "outage", "giveup"] if args.scenario == "all" else [args.scenario]
    status = 0
    for i, sc in enumerate(scenarios):
        rig_args = argparse.Namespace(**vars(args))
        rig_args.index = args.index + i
        rig = Rig(rig_args)
        try:
            rig.start()
            if sc == "loss":
                scenario_loss(rig, args.loss_seconds)
            elif sc == "outage":
                scenario_outage(rig, args.outage or [5])
            else:
                scenario_giveup(rig, args.reconnect_timeout)
            log("ok - %s" % sc)
        except Fail as e:
            log("not ok - %s: %s" % (sc, e))
            rig.dump()
            status = 1
        finally:
            rig.close()

    if args.table:
        log("")
        log("%-34s %-50s %-24s %s" % ("scenario", "figure", "value", "aim"))
        for sc, name, value, aim in FIGURES:
            log("%-34s %-50s %-24s %s" % (sc, name, value, aim))
    return status


if __name__ == "__main__":
    sys.exit(main())
