// Benchmark (issue 3): one publisher (720p30 fake camera in Chromium) and N
// viewers on the built-in SFU. Measures, per viewer, the time from
// room.connect() to its first rendered frame (p50/p95), and the SFU's CPU
// per viewer from /proc/<server pid>/stat. Prints a table.
import { execFileSync } from 'node:child_process';
import { AccessToken } from 'livekit-server-sdk';
import { assert, connect, log, openParticipant, setup, sleep, waitFor } from '../lib/harness.mjs';

export const timeoutMs = 1200000;

const pct = (xs, p) => {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.max(0, Math.ceil((p / 100) * a.length) - 1))];
};

async function firstFrame(p, identity) {
  const st = await waitFor(async () => {
    const x = await p.call('state');
    return x.tracks.some((t) => t.kind === 'video' && t.identity === identity && t.firstFrameAt) && x;
  }, { timeout: 60000, interval: 100, what: `${p.label} first frame` });
  const t = st.tracks.find((x) => x.kind === 'video' && x.identity === identity && x.firstFrameAt);
  return { firstFrame: t.firstFrameAt - st.connectStartedAt, connected: st.connectedAt - st.connectStartedAt, subscribed: t.subscribedAt - st.connectStartedAt };
}

export default async function (args) {
  const viewers = Number(process.env.BC_BENCH_VIEWERS ?? 4);
  const samples = Number(process.env.BC_BENCH_SAMPLES ?? 15);
  const codec = args.includes('h264') ? 'h264' : 'vp8';
  let hz = 100;
  try {
    hz = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    // keep 100
  }
  const { server, s, streamerTok, pageUrl, browser } = await setup();
  const mint = async (identity) => {
    const at = new AccessToken(server.creds.key, server.creds.secret, { identity, ttl: '30m' });
    at.addGrant({ roomJoin: true, room: s.session.room, canSubscribe: true, canPublish: false });
    return { url: streamerTok.url, token: await at.toJwt() };
  };
  const cpuOver = async (ms) => {
    const a = server.cpuTicks();
    const t = Date.now();
    await sleep(ms);
    return ((server.cpuTicks() - a) / hz) / ((Date.now() - t) / 1000) * 100;
  };

  const pub = await openParticipant(browser, pageUrl, 'publisher');
  await connect(pub, streamerTok);
  assert((await pub.call('publish', { codec, width: 1280, height: 720, fps: 30 })).ok, `publisher sends 720p30 ${codec}`);
  await sleep(3000);
  const cpu0 = await cpuOver(10000);
  log(`SFU CPU with the publisher alone: ${cpu0.toFixed(1)} %`);

  // Join → first frame, one viewer at a time.
  const joins = [];
  for (let i = 0; i < samples; i++) {
    const v = await openParticipant(browser, pageUrl, `probe-${i}`);
    await connect(v, await mint(`probe-${i}`));
    const r = await firstFrame(v, streamerTok.identity);
    joins.push(r);
    log(`probe ${i}: connected ${r.connected} ms, subscribed ${r.subscribed} ms, first frame ${r.firstFrame} ms`);
    await v.call('disconnect');
    await v.context.close();
  }

  // N viewers at once, steady state.
  const crowd = [];
  for (let i = 0; i < viewers; i++) {
    const v = await openParticipant(browser, pageUrl, `viewer-${i}`);
    await connect(v, await mint(`viewer-${i}`));
    crowd.push(v);
  }
  const crowdJoins = [];
  for (const v of crowd) crowdJoins.push(await firstFrame(v, streamerTok.identity));
  await sleep(3000);
  const cpuN = await cpuOver(10000);
  const frames = [];
  const sizes = [];
  for (const v of crowd) {
    const st = await v.call('state');
    const t = st.tracks.find((x) => x.kind === 'video');
    frames.push(t?.frames ?? 0);
    sizes.push(t ? `${t.width}x${t.height}` : '-');
  }

  const ff = joins.map((j) => j.firstFrame);
  const cj = crowdJoins.map((j) => j.firstFrame);
  const rows = [
    ['join → first frame, one at a time', `${samples}`, `${pct(ff, 50)} ms`, `${pct(ff, 95)} ms`],
    ['join → connected (signalling)', `${samples}`, `${pct(joins.map((j) => j.connected), 50)} ms`, `${pct(joins.map((j) => j.connected), 95)} ms`],
    ['join → track subscribed', `${samples}`, `${pct(joins.map((j) => j.subscribed), 50)} ms`, `${pct(joins.map((j) => j.subscribed), 95)} ms`],
    [`join → first frame, ${viewers} viewers back to back`, `${viewers}`, `${pct(cj, 50)} ms`, `${pct(cj, 95)} ms`],
  ];
  const cpuRows = [
    ['SFU CPU, publisher only', `${cpu0.toFixed(1)} % of one core`],
    [`SFU CPU, publisher + ${viewers} viewers`, `${cpuN.toFixed(1)} % of one core`],
    ['SFU CPU per viewer', `${((cpuN - cpu0) / viewers).toFixed(2)} % of one core`],
    ['frames rendered per viewer at the end', frames.join(', ')],
    ['decoded size per viewer at the end', sizes.join(', ')],
  ];
  const w = Math.max(...rows.map((r) => r[0].length), ...cpuRows.map((r) => r[0].length));
  console.log('');
  console.log(`BountyCam built-in SFU, livekit-client ${'2.23'} in Chromium, 1280x720@30 ${codec}, loopback`);
  console.log(`| ${'measure'.padEnd(w)} | n   | p50      | p95      |`);
  console.log(`|${'-'.repeat(w + 2)}|-----|----------|----------|`);
  for (const r of rows) console.log(`| ${r[0].padEnd(w)} | ${r[1].padEnd(3)} | ${r[2].padEnd(8)} | ${r[3].padEnd(8)} |`);
  console.log('');
  console.log(`| ${'measure'.padEnd(w)} | value`);
  console.log(`|${'-'.repeat(w + 2)}|------`);
  for (const r of cpuRows) console.log(`| ${r[0].padEnd(w)} | ${r[1]}`);
  console.log('');
  console.log(`aim: first frame p50 under 500 ms -> ${pct(ff, 50) < 500 ? 'met' : 'NOT met'}`);
  assert(frames.every((f) => f > 0), 'every viewer rendered frames');
}
