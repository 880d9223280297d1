// Benchmark (issue 4): the C client (bountycam-cli) and livekit-client in
// Chromium side by side on the same built-in SFU with a 1280x720@30 source:
// join → first frame, glass-to-glass latency (capture time stamped in the
// picture, read back at render, same wall clock), publisher and viewer CPU
// and memory, and the publisher's memory growth over 50 unpublish/publish
// cycles. Prints one table.
import { execFileSync, spawnSync } from 'node:child_process';
import { AccessToken } from 'livekit-server-sdk';
import {
  assert, connect, launchTrackedBrowser, livekitToken, log, makeSession, measureTrees, openParticipant,
  runCli, sleep, startPageServer, startServer, tmpDir, treeUsage, waitFor,
} from '../lib/harness.mjs';

export const timeoutMs = 1500000;

const pct = (xs, p) => {
  if (!xs.length) return null;
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.max(0, Math.ceil((p / 100) * a.length) - 1))];
};
const ms = (v) => (v === null || v === undefined || v < 0 ? 'n/a' : `${Math.round(v)} ms`);
const pair = (xs) => (xs && xs.length ? `${ms(pct(xs, 50))} / ${ms(pct(xs, 95))}` : 'n/a');

async function firstFrame(p) {
  const st = await waitFor(async () => {
    const x = await p.call('state');
    return x.tracks.some((t) => t.kind === 'video' && t.firstFrameAt) && x;
  }, { timeout: 60000, interval: 100, what: `${p.label} first frame` });
  const t = st.tracks.find((x) => x.kind === 'video' && x.firstFrameAt);
  return t.firstFrameAt - st.connectStartedAt;
}

export default async function (args) {
  const codec = args.includes('vp8') ? 'vp8' : 'h264';
  const runs = Number(process.env.BC_BENCH_SAMPLES ?? 8);
  const cycles = Number(process.env.BC_BENCH_CYCLES ?? 50);
  let hz = 100;
  try {
    hz = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    // keep 100
  }
  const help = spawnSync(process.env.BC_CLI ?? 'false', ['publish', '--help']).stdout?.toString() ?? '';
  const stampFlag = ['--stamp-capture-time', '--capture-stamp', '--stamp'].find((f) => new RegExp(`\\s${f}(\\s|=|$)`, 'm').test(help));

  const server = await startServer();
  const s = await makeSession(server);
  const st = await livekitToken(s, 'streamer');
  const mint = async (identity) => {
    const at = new AccessToken(server.creds.key, server.creds.secret, { identity, ttl: '60m' });
    at.addGrant({ roomJoin: true, room: s.session.room, canSubscribe: true, canPublish: false });
    return { url: st.url, token: await at.toJwt() };
  };
  const pageUrl = await startPageServer();
  const pubB = await launchTrackedBrowser('chromium-publisher');
  const viewB = await launchTrackedBrowser('chromium-viewer');
  assert(pubB.pid && viewB.pid, 'found the pids of both Chromiums', [pubB.pid, viewB.pid]);
  const R = { js: {}, c: {}, cross: {} };

  // ---- livekit-client publisher, livekit-client viewers --------------------
  const pub = await openParticipant(pubB.browser, pageUrl, 'chromium-publisher');
  await connect(pub, st);
  const p1 = await pub.call('publishStamped', { codec, width: 1280, height: 720, fps: 30 });
  assert(p1.ok, `Chromium publishes a stamped 720p30 ${codec} canvas`, p1);
  await sleep(3000);
  R.js.joins = [];
  let steady = null;
  for (let i = 0; i < runs; i++) {
    const v = await openParticipant(viewB.browser, pageUrl, `chromium-viewer-${i}`);
    await connect(v, await mint(`js-viewer-${i}`));
    R.js.joins.push(await firstFrame(v));
    log(`chromium viewer ${i}: first frame after ${R.js.joins.at(-1)} ms`);
    if (i === runs - 1) {
      steady = v;
    } else {
      await v.call('disconnect');
      await v.context.close();
    }
  }
  await steady.call('setReadStamps', true);
  await sleep(3000);
  const [jsPub, jsView] = await measureTrees([pubB.pid, viewB.pid], 15000, hz);
  R.js.pub = jsPub;
  R.js.view = jsView;
  const sst = await steady.call('state');
  const jsTrack = sst.tracks.find((t) => t.kind === 'video');
  R.js.latency = jsTrack.latencies;
  R.js.size = `${jsTrack.width}x${jsTrack.height}`;
  log(`chromium → chromium: ${jsTrack.latencies.length} stamped frames, p50 ${pct(jsTrack.latencies, 50)} ms`);
  await steady.call('disconnect');
  await steady.context.close();

  // The cli viewer reads the same stamps.
  const cw = runCli(['watch', '--livekit-url', st.url, '--token', (await mint('c-viewer-x')).token, '--duration', '15'],
    { label: 'cli viewer (chromium publisher)', timeout: 90000 });
  await cw.done;
  const cwSum = cw.json.find((j) => j.type === 'summary') ?? {};
  R.cross.jsToC = [cwSum.latency_p50_ms, cwSum.latency_p95_ms];

  // Memory growth of the Chromium publisher over unpublish/publish cycles.
  await sleep(2000);
  const before = treeUsage(pubB.pid);
  const cyc = await pub.call('republishCycles', cycles, { codec });
  assert(cyc.ok, `Chromium unpublished and republished ${cycles} times`);
  await sleep(5000);
  R.js.growthMb = (treeUsage(pubB.pid).pssKb - before.pssKb) / 1024;
  await pub.call('disconnect');
  await pub.context.close();

  // ---- bountycam-cli publisher, bountycam-cli viewers ----------------------
  // One cache directory for every cli here, as for one user's runs on one
  // machine: the DTLS key is made by the first run (the publisher) and
  // reused by the viewers, as on a user's second and later runs.
  const cliEnv = { XDG_CACHE_HOME: tmpDir('bc-bench-cli-cache-') };
  const cliPub = runCli(['publish', '--livekit-url', st.url, '--token', st.token, '--camera', 'test', '--codec', codec,
    '--duration', '900', ...(stampFlag ? [stampFlag] : [])], { label: 'cli publisher', timeout: 1000000, env: cliEnv });
  await waitFor(() => cliPub.json.some((j) => j.type === 'publishing' || (j.type === 'state' && j.state === 'connected')) || cliPub.exited(),
    { timeout: 60000, what: 'the cli publisher to connect' });
  assert(!cliPub.exited(), 'the cli publisher is publishing', cliPub.json.slice(-5));
  await sleep(3000);
  R.c.joins = [];
  R.c.fromStart = [];
  for (let i = 0; i < runs; i++) {
    const w = runCli(['watch', '--livekit-url', st.url, '--token', (await mint(`c-viewer-${i}`)).token, '--frames', '60', '--duration', '60'],
      { label: `cli viewer ${i}`, timeout: 90000, env: cliEnv });
    await w.done;
    const sum = w.json.find((j) => j.type === 'summary') ?? {};
    const first = w.json.find((j) => j.type === 'first_frame');
    const ff = first?.after_ms ?? sum.time_to_first_frame_ms ?? -1;
    R.c.joins.push(ff);
    if (first?.since_start_ms !== undefined) R.c.fromStart.push(first.since_start_ms);
    log(`cli viewer ${i}: first frame after ${ff} ms (${first?.since_start_ms ?? '?'} ms after the process started)`);
  }
  const cv = runCli(['watch', '--livekit-url', st.url, '--token', (await mint('c-viewer-steady')).token, '--duration', '25'],
    { label: 'cli viewer steady', timeout: 90000, env: cliEnv });
  await waitFor(() => cv.json.some((j) => (j.frames ?? j.frames_decoded ?? 0) > 0) || cv.exited(), { timeout: 60000, what: 'the steady cli viewer to decode' });
  await sleep(3000);
  const [cPub, cView] = await measureTrees([cliPub.child.pid, cv.child.pid], 15000, hz);
  R.c.pub = cPub;
  R.c.view = cView;
  await cv.done;
  const cvSum = cv.json.find((j) => j.type === 'summary') ?? {};
  R.c.latency = [cvSum.latency_p50_ms, cvSum.latency_p95_ms];
  R.c.size = `${cvSum.width}x${cvSum.height}`;

  // Chromium viewing the C publisher reads its stamps, if it stamps.
  const xv = await openParticipant(viewB.browser, pageUrl, 'chromium-viewer-c');
  await connect(xv, await mint('js-viewer-c'));
  await firstFrame(xv);
  await xv.call('setReadStamps', true);
  await sleep(8000);
  const xst = await xv.call('state');
  R.cross.cToJs = xst.tracks.find((t) => t.kind === 'video')?.latencies ?? [];
  await xv.call('disconnect');
  const pr = await cliPub.stop();
  log('cli publisher stopped:', JSON.stringify(pr));

  // ---- table -----------------------------------------------------------
  const rows = [
    ['join → first frame p50 / p95', pair(R.c.joins.filter((x) => x >= 0)), pair(R.js.joins)],
    ['process start → first frame p50 / p95 (C: a new process each)', pair(R.c.fromStart), 'n/a (running browser)'],
    ['glass-to-glass p50 / p95 (same client both ends)', R.c.latency[0] >= 0 ? `${ms(R.c.latency[0])} / ${ms(R.c.latency[1])}` : `n/a${stampFlag ? '' : ' (cli publisher does not stamp)'}`, pair(R.js.latency)],
    ['glass-to-glass p50 / p95, viewer of the other client', R.cross.jsToC[0] >= 0 ? `${ms(R.cross.jsToC[0])} / ${ms(R.cross.jsToC[1])}` : 'n/a', pair(R.cross.cToJs)],
    ['decoded size at the viewer', R.c.size, R.js.size],
    ['publisher CPU (% of one core)', R.c.pub.cpu.toFixed(1), R.js.pub.cpu.toFixed(1)],
    ['viewer CPU (% of one core)', R.c.view.cpu.toFixed(1), R.js.view.cpu.toFixed(1)],
    ['publisher memory (RSS; Chromium: PSS of all processes)', `${R.c.pub.rssMb.toFixed(0)} MB`, `${R.js.pub.pssMb.toFixed(0)} MB`],
    ['viewer memory (RSS; Chromium: PSS of all processes)', `${R.c.view.rssMb.toFixed(0)} MB`, `${R.js.view.pssMb.toFixed(0)} MB`],
    [`publisher memory growth over ${cycles} unpublish/publish cycles`, 'n/a (cli has no cycle mode)', `${R.js.growthMb.toFixed(1)} MB`],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length), 'bountycam-cli (C)'.length);
  console.log('');
  console.log(`Same built-in SFU, 1280x720@30 ${codec} source, loopback; n = ${runs} joins each; cross row: C viewer of Chromium | Chromium viewer of C`);
  console.log(`| ${'measure'.padEnd(w0)} | ${'bountycam-cli (C)'.padEnd(w1)} | livekit-client 2.23 (Chromium) |`);
  console.log(`|${'-'.repeat(w0 + 2)}|${'-'.repeat(w1 + 2)}|--------------------------------|`);
  for (const r of rows) console.log(`| ${r[0].padEnd(w0)} | ${r[1].padEnd(w1)} | ${r[2]}`);
  console.log('');
}
