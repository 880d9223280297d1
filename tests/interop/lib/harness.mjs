// Shared harness of the interop tests: process lifetime (hard timeout,
// cleanup on every exit path), bountycam-server --dev on an ephemeral
// loopback port, the backend API, a static page server and Chromium.
//
// Only Node built-ins are imported statically; npm packages are loaded on
// demand, after run.mjs has checked that `npm ci` was run.

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const interopDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const t0 = Date.now();
const cleanups = [];
const diagnostics = [];

export function log(...args) {
  const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
  console.log(`[${s}s]`, ...args);
}

export class Skip extends Error {}

export function onCleanup(fn) {
  cleanups.push(fn);
}

// fn() returns lines printed when the test fails.
export function onFailure(fn) {
  diagnostics.push(fn);
}

export function assert(cond, message, detail) {
  if (!cond) {
    const e = new Error(message);
    e.detail = detail;
    throw e;
  }
  log('ok -', message);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function withTimeout(promise, ms, what) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// Polls fn until it returns a truthy value; generous by default because the
// machine running the tests may be heavily loaded.
export async function waitFor(fn, { timeout = 60000, interval = 250, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) {
      const e = new Error(`timed out after ${timeout} ms waiting for ${what}`);
      e.detail = last;
      throw e;
    }
    await sleep(interval);
  }
}

// Last resort: whatever way this process ends, no server or cli it started
// outlives it.
const children = new Set();
export function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}
process.on('exit', () => {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

let cleaning = null;
async function runCleanups() {
  if (!cleaning) {
    cleaning = (async () => {
      while (cleanups.length) {
        const fn = cleanups.pop();
        try {
          await withTimeout(Promise.resolve().then(fn), 15000, 'cleanup step');
        } catch (e) {
          log('cleanup:', e.message);
        }
      }
    })();
  }
  return cleaning;
}

async function printDiagnostics() {
  for (const fn of diagnostics) {
    try {
      for (const line of await fn()) console.log(line);
    } catch (e) {
      console.log('(diagnostics failed:', e.message, ')');
    }
  }
}

// Runs one test body with a hard overall timeout. Exit codes follow meson:
// 0 pass, 77 skip, 1 fail.
export async function main(body, { timeoutMs = 300000 } = {}) {
  let finished = false;
  const finish = async (code) => {
    if (finished) return;
    finished = true;
    await runCleanups();
    process.exit(code);
  };
  const hard = setTimeout(async () => {
    log(`FAIL: hard timeout of ${timeoutMs / 1000} s reached`);
    await printDiagnostics();
    finish(1);
  }, timeoutMs);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      log(`interrupted by ${sig}`);
      finish(1);
    });
  }
  process.on('unhandledRejection', (e) => log('unhandled rejection:', e?.stack ?? e));
  let code = 0;
  try {
    await body();
    log('PASS');
  } catch (e) {
    if (e instanceof Skip) {
      log('SKIP:', e.message);
      code = 77;
    } else {
      log('FAIL:', e?.stack ?? e);
      if (e?.detail !== undefined) console.log('detail:', JSON.stringify(e.detail, null, 2));
      await printDiagnostics();
      code = 1;
    }
  }
  clearTimeout(hard);
  await finish(code);
}

export function tmpDir(prefix = 'bc-interop-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ---------------------------------------------------------------------------
// bountycam-server --dev

// The secret is ours, so tests can verify and mint LiveKit tokens with the
// official server SDK.
export function livekitCredentials() {
  return {
    key: 'bc-interop-key',
    secret: crypto.randomBytes(32).toString('base64url'),
  };
}

function cpuTicks(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return null;
  }
}

export const CLK_TCK = 100;

export async function startServer({ env = {}, args = [], label = 'server' } = {}) {
  const bin = process.env.BC_SERVER;
  if (!bin || !fs.existsSync(bin)) throw new Error(`BC_SERVER does not name the server binary (${bin})`);
  const dir = tmpDir('bc-interop-server-');
  const creds = livekitCredentials();
  const childEnv = { ...process.env };
  // Nothing from the developer's own configuration: the built-in SFU it is.
  for (const k of ['LIVEKIT_URL', 'NEXT_PUBLIC_LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET', 'CLEANUP_API_KEY']) delete childEnv[k];
  Object.assign(childEnv, {
    XDG_DATA_HOME: path.join(dir, 'data'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_CACHE_HOME: path.join(dir, 'cache'),
    XDG_STATE_HOME: path.join(dir, 'state'),
    XDG_RUNTIME_DIR: dir,
    LIVEKIT_API_KEY: creds.key,
    LIVEKIT_API_SECRET: creds.secret,
    CLEANUP_API_KEY: crypto.randomBytes(24).toString('base64url'),
    // webrtcbin and libnice can be chatty; warnings only.
    GST_DEBUG: process.env.GST_DEBUG ?? '2',
    GST_DEBUG_NO_COLOR: '1',
    ...env,
  });
  // --dev keeps its generated secrets next to the database and uses any
  // already there: ours, so tests can verify and mint tokens themselves.
  fs.writeFileSync(path.join(dir, 'secrets.ini'), [
    '[secrets]',
    `jwt_secret=${crypto.randomBytes(32).toString('base64url')}`,
    `livekit_api_key=${creds.key}`,
    `livekit_api_secret=${creds.secret}`,
    `cleanup_api_key=${childEnv.CLEANUP_API_KEY}`,
    '',
  ].join('\n'), { mode: 0o600 });
  const argv = ['--dev', '--listen', '127.0.0.1:0', '--database', path.join(dir, 'bountycam.db'), ...args];
  log(`starting ${bin} ${argv.join(' ')}`);
  const child = track(spawn(bin, argv, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] }));
  const lines = [];
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let exitInfo = null;
  exited.then((e) => { exitInfo = e; });

  let resolveAddr;
  const addr = new Promise((r) => { resolveAddr = r; });
  const onLine = (stream) => (line) => {
    lines.push(`${stream}: ${line}`);
    if (lines.length > 2000) lines.splice(0, lines.length - 1500);
    // main.c prints exactly one line on stdout when ready: "listening on URL".
    const m = stream === 'out' && line.match(/^listening on (https?:\/\/\S+?)\/?$/);
    if (m) resolveAddr(m[1]);
  };
  readline.createInterface({ input: child.stdout }).on('line', onLine('out'));
  readline.createInterface({ input: child.stderr }).on('line', onLine('err'));

  const server = {
    pid: child.pid,
    dir,
    creds,
    cleanupKey: childEnv.CLEANUP_API_KEY,
    lines,
    base: null,
    cpuTicks: () => cpuTicks(child.pid),
    exited: () => exitInfo,
    async stop() {
      if (exitInfo) return exitInfo;
      // The server gives requests in flight 10 s after SIGTERM, then exits.
      const t = Date.now();
      child.kill('SIGTERM');
      const r = await Promise.race([exited, sleep(15000).then(() => null)]);
      if (r) {
        log(`${label} exited ${JSON.stringify(r)} ${Date.now() - t} ms after SIGTERM`);
        return r;
      }
      log(`${label} did not stop within 15 s of SIGTERM; killing it`);
      child.kill('SIGKILL');
      return exited;
    },
  };
  onCleanup(() => server.stop());
  onFailure(() => [`---- last ${Math.min(lines.length, 300)} lines of ${label} output ----`, ...lines.slice(-300), '---- end ----']);

  const base = await withTimeout(Promise.race([
    addr,
    exited.then((e) => { throw new Error(`${label} exited (${JSON.stringify(e)}) before printing its address`); }),
  ]), 60000, `${label} start-up`);
  server.base = base;
  await waitFor(async () => {
    try {
      return (await fetch(`${base}/healthz`)).ok;
    } catch {
      return false;
    }
  }, { timeout: 30000, what: `${base}/healthz` });
  log(`${label} up at ${base} (pid ${child.pid})`);
  return server;
}

// ---------------------------------------------------------------------------
// Backend API

export async function api(base, method, p, body, token) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, json, text };
}

export async function apiOk(base, method, p, body, token) {
  const r = await api(base, method, p, body, token);
  if (r.status < 200 || r.status > 299) throw new Error(`${method} ${p} answered ${r.status}: ${r.text.slice(0, 500)}`);
  return r.json;
}

// Answers may wrap the object ({"session": {...}}) or not.
const unwrap = (obj, key) => (obj && obj[key] && typeof obj[key] === 'object' ? obj[key] : obj);

export async function signup(base, role) {
  const tag = crypto.randomBytes(5).toString('hex');
  const password = `interop-${crypto.randomBytes(9).toString('base64url')}`;
  const email = `${role}-${tag}@example.com`;
  const r = await apiOk(base, 'POST', '/api/auth/signup', { email, password, display_name: `Interop ${role}` });
  return { email, password, user: r.user, accessToken: r.access_token, refreshToken: r.refresh_token };
}

// Two accounts, a bounty by the requester, accepted by the streamer.
export async function makeSession(server) {
  const base = server.base;
  const streamer = await signup(base, 'streamer');
  const requester = await signup(base, 'requester');
  const bounty = unwrap(await apiOk(base, 'POST', '/api/bounties', {
    title: 'Show me the interop test',
    description: 'A live view of the BountyCam interop test running.',
    reward_points: 10,
  }, requester.accessToken), 'bounty');
  const session = unwrap(await apiOk(base, 'POST', `/api/bounties/${bounty.id}/accept`, {}, streamer.accessToken), 'session');
  if (!session?.id) throw new Error(`accept did not return a session: ${JSON.stringify(session)}`);
  log(`session ${session.id} (room ${session.room})`);
  return { base, streamer, requester, bounty, session };
}

export async function livekitToken(s, who) {
  const user = who === 'streamer' ? s.streamer : s.requester;
  return apiOk(s.base, 'POST', '/api/livekit/token', { session_id: s.session.id }, user.accessToken);
}

export async function getSession(s, who = 'requester') {
  const user = who === 'streamer' ? s.streamer : s.requester;
  return unwrap(await apiOk(s.base, 'GET', `/api/sessions/${s.session.id}`, undefined, user.accessToken), 'session');
}

export const eventTypes = (session) => (session.events ?? []).map((e) => e.type ?? e.event_type ?? e.kind ?? e.name);

// ---------------------------------------------------------------------------
// Static page server (the page and the SDK bundle)

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json' };

export async function startPageServer() {
  const roots = {
    '/lk/': path.join(interopDir, 'node_modules', 'livekit-client', 'dist'),
    '/': path.join(interopDir, 'www'),
  };
  const srv = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let pathname = url.pathname === '/' ? '/index.html' : url.pathname;
    for (const [prefix, dir] of Object.entries(roots)) {
      if (!pathname.startsWith(prefix)) continue;
      const file = path.join(dir, path.normalize(pathname.slice(prefix.length)));
      if (!file.startsWith(dir + path.sep)) break;
      fs.readFile(file, (err, data) => {
        if (err) {
          res.writeHead(404).end('not found');
          return;
        }
        res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        res.end(data);
      });
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise((resolve) => { srv.closeAllConnections?.(); srv.close(() => resolve()); }));
  const url = `http://127.0.0.1:${srv.address().port}/`;
  log(`page server at ${url}`);
  return url;
}

// ---------------------------------------------------------------------------
// Chromium

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

export async function launchBrowser({ label = 'chromium' } = {}) {
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.BC_CHROMIUM ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new Skip(`no Chromium at ${executablePath}`);
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 120000,
    env: { ...process.env, TMPDIR: os.tmpdir() },
  });
  onCleanup(() => browser.close());
  log(`${label}: ${browser.version()}`);
  return browser;
}

// One participant: its own browser context and page.
export async function openParticipant(browser, pageUrl, label) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  const consoleLines = [];
  const push = (line) => {
    // Chromium's own messages quote signalling URLs, tokens included.
    consoleLines.push(line.replace(/(access_token=|join_request=)[^&'"\s]+/g, '$1…'));
    if (consoleLines.length > 3000) consoleLines.splice(0, consoleLines.length - 2000);
  };
  page.on('console', (m) => push(`[${label}] ${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => push(`[${label}] pageerror: ${e.message}`));
  page.on('crash', () => push(`[${label}] page crashed`));
  onFailure(() => [`---- last ${Math.min(consoleLines.length, 200)} console lines of ${label} ----`, ...consoleLines.slice(-200), '---- end ----']);
  onCleanup(() => context.close());
  await page.goto(pageUrl);
  await page.waitForFunction(() => window.bc !== undefined, null, { timeout: 60000 });
  const call = (name, ...args) => page.evaluate(([n, a]) => window.bc[n](...a), [name, args]);
  const p = { label, page, context, call, consoleLines };
  onFailure(async () => {
    try {
      const st = await withTimeout(call('state'), 5000, 'state');
      return [`---- page state of ${label} ----`, JSON.stringify({ ...st, events: st.events.slice(-60) }, null, 1)];
    } catch (e) {
      return [`(no state from ${label}: ${e.message})`];
    }
  });
  return p;
}

// Connects a participant and fails with the SDK's own words when it cannot.
export async function connect(p, tok, opts = {}) {
  const r = await p.call('connect', tok.url, tok.token, opts);
  if (!r.ok) {
    const e = new Error(`${p.label} could not connect to ${tok.url}: ${r.error.name}: ${r.error.message}`);
    e.detail = r.error;
    throw e;
  }
  log(`${p.label} connected as ${r.identity} (${r.sid}) in ${r.connectedAt - r.connectStartedAt} ms`);
  return r;
}

export async function checkLoopbackOnly(p) {
  const rep = await p.call('iceReport');
  const isLo = (a) => typeof a === 'string' && (a.startsWith('127.') || a === '::1');
  const used = rep.pcs.filter((pc) => pc.local || pc.remote);
  assert(used.length > 0, `${p.label}: at least one peer connection has a selected candidate pair`, rep);
  const strict = process.env.BC_INTEROP_IN_NETNS === '1';
  for (const pc of used) {
    const pair = `${pc.local?.address}:${pc.local?.port} -> ${pc.remote?.address}:${pc.remote?.port}`;
    if (strict) {
      assert(isLo(pc.local?.address) && isLo(pc.remote?.address), `${p.label}: ICE pair ${pair} is loopback only`, rep);
    } else {
      // On the host network Chromium may reach the SFU's 127.0.0.1 from a
      // socket bound to another local address (a peer-reflexive pair); the
      // packets still never leave the machine. The SFU side must be loopback.
      assert(isLo(pc.remote?.address), `${p.label}: ICE pair ${pair} ends on the SFU's loopback address`, rep);
    }
  }
  return rep;
}

// The first video track of `identity` that decoded at least `frames` frames.
export async function waitForFrames(p, { identity, frames = 60, timeout = 90000, kind = 'video' }) {
  let st;
  await waitFor(async () => {
    st = await p.call('state');
    return st.tracks.find((t) => t.kind === kind && (!identity || t.identity === identity) && t.frames >= frames);
  }, { timeout, interval: 500, what: `${p.label} to decode ${frames} frames of ${identity}` }).catch((e) => {
    e.detail = st && { tracks: st.tracks, events: st.events.slice(-40), connectionState: st.connectionState };
    throw e;
  });
  return st;
}

// The usual cast: a server, a session between two fresh accounts, a token
// per role, the page server and one Chromium.
export async function setup({ serverEnv = {} } = {}) {
  const server = await startServer({ env: serverEnv });
  const s = await makeSession(server);
  const streamerTok = await livekitToken(s, 'streamer');
  const requesterTok = await livekitToken(s, 'requester');
  const pageUrl = await startPageServer();
  const browser = await launchBrowser();
  return { server, s, streamerTok, requesterTok, pageUrl, browser };
}

// ---------------------------------------------------------------------------
// bountycam-cli

// Runs bountycam-cli with --json and collects its JSON lines. Resolves when
// the process exits (with a hard limit).
export function runCli(args, { env = {}, timeout = 180000, label = 'cli' } = {}) {
  const bin = process.env.BC_CLI;
  if (!bin || !fs.existsSync(bin)) throw new Skip(`BC_CLI does not name bountycam-cli (${bin})`);
  const dir = tmpDir('bc-interop-cli-');
  const child = track(spawn(bin, ['--json', ...args], {
    env: {
      ...process.env,
      XDG_DATA_HOME: path.join(dir, 'data'),
      XDG_CONFIG_HOME: path.join(dir, 'config'),
      XDG_CACHE_HOME: path.join(dir, 'cache'),
      GST_DEBUG: process.env.GST_DEBUG ?? '2',
      GST_DEBUG_NO_COLOR: '1',
      // libnice leaves loopback out unless asked; the SFU here is on 127.0.0.1.
      BC_ICE_LOOPBACK: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  const lines = [];
  const json = [];
  readline.createInterface({ input: child.stdout }).on('line', (l) => {
    lines.push(`out: ${l}`);
    try {
      json.push(JSON.parse(l));
    } catch {
      // not a JSON line
    }
  });
  readline.createInterface({ input: child.stderr }).on('line', (l) => {
    lines.push(`err: ${l}`);
    if (lines.length > 3000) lines.splice(0, 1000);
  });
  let exitInfo = null;
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    exitInfo = { code, signal };
    resolve(exitInfo);
  }));
  const redacted = args.map((a, i) => (args[i - 1] === '--token' ? '…' : a));
  log(`${label}: bountycam-cli --json ${redacted.join(' ')}`);
  onFailure(() => [`---- last ${Math.min(lines.length, 200)} lines of ${label} ----`, ...lines.slice(-200), '---- end ----']);
  const stop = async () => {
    if (exitInfo) return exitInfo;
    child.kill('SIGINT');
    const r = await Promise.race([exited, sleep(10000).then(() => null)]);
    if (r) return r;
    child.kill('SIGKILL');
    return exited;
  };
  onCleanup(stop);
  const done = Promise.race([
    exited,
    sleep(timeout).then(async () => {
      log(`${label} still running after ${timeout} ms; interrupting it`);
      await stop();
      return { ...exitInfo, timedOut: true };
    }),
  ]);
  return { child, lines, json, done, stop, exited: () => exitInfo };
}

// ---------------------------------------------------------------------------
// Process figures for benchmarks

function readStat(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) };
  } catch {
    return null;
  }
}

function allStats() {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => readStat(Number(d))).filter(Boolean);
}

export function childPids(parent = process.pid) {
  return allStats().filter((s) => s.ppid === parent).map((s) => s.pid);
}

export function treePids(root) {
  const stats = allStats();
  const kids = new Map();
  for (const s of stats) {
    if (!kids.has(s.ppid)) kids.set(s.ppid, []);
    kids.get(s.ppid).push(s.pid);
  }
  const out = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop();
    out.push(p);
    todo.push(...(kids.get(p) ?? []));
  }
  return out;
}

// CPU ticks and memory of a process and all its descendants. PSS shares
// pages fairly between the processes of a multi-process program (Chromium).
export function treeUsage(root) {
  let ticks = 0;
  let pssKb = 0;
  let rssKb = 0;
  for (const pid of treePids(root)) {
    const s = readStat(pid);
    if (s) ticks += s.ticks;
    try {
      const roll = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      pssKb += Number(/^Pss:\s+(\d+)/m.exec(roll)?.[1] ?? 0);
      rssKb += Number(/^Rss:\s+(\d+)/m.exec(roll)?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return { ticks, pssKb, rssKb };
}

// Average CPU (% of one core) and final memory of the trees over `ms`.
export async function measureTrees(roots, ms, hz = 100) {
  const a = roots.map((r) => treeUsage(r));
  const t = Date.now();
  await sleep(ms);
  const secs = (Date.now() - t) / 1000;
  return roots.map((r, i) => {
    const b = treeUsage(r);
    return { cpu: ((b.ticks - a[i].ticks) / hz / secs) * 100, pssMb: b.pssKb / 1024, rssMb: b.rssKb / 1024 };
  });
}

// Launches a Chromium and returns it with the pid of its main process.
export async function launchTrackedBrowser(label) {
  const before = new Set(childPids());
  const browser = await launchBrowser({ label });
  const pid = childPids().find((p) => !before.has(p) && /chrom/.test(readStat(p)?.comm ?? ''));
  return { browser, pid };
}
