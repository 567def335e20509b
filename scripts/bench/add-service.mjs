// Bench of `add service`, in the measuring style of scripts/bench.mjs (interleaved runs, median wall
// time, ratios): add into a 300-service compose file vs `node -e ''`; add into the reference stack with
// the deploy layer vs `new` of the same stack; peak RSS of both adds.
// scripts/bench.mjs loads it through `jobs(ctx)`; `node scripts/bench/add-service.mjs` runs it alone.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A hand-written compose file of `n` services, as a repo create-stack did not make. */
function bigCompose(n) {
  const lines = ['# a big hand-written compose file', 'services:'];
  for (let i = 0; i < n; i++) {
    lines.push(
      `  svc${i}:`,
      `    image: "nginx:1.27.3-alpine"`,
      `    ports:`,
      `      - "${20000 + i}:80"`,
      `    environment:`,
      `      - NAME=svc${i}`,
      `    depends_on:`,
      `      - svc${(i + 1) % n}`,
      '',
    );
  }
  lines.push('networks:', '  default: {}', '');
  return lines.join('\n');
}

/**
 * The jobs: each case gives, per run, [cmd, args, cwd] after its untimed `prepare` (copying a fresh
 * stack); `rows(median)` turns the medians into the table rows of the bench.
 */
export async function jobs(ctx = {}) {
  const bin = ctx.bin ?? join(root, 'bin', 'create-stack.cjs');
  const base = ctx.work ?? mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'create-stack-bench-addsvc-'));
  const big = join(base, 'big');
  mkdirSync(big, { recursive: true });
  writeFileSync(join(big, 'compose.yaml'), bigCompose(300));
  const seed = join(base, 'seed');
  mkdirSync(seed, { recursive: true });
  const three = ['api:fastapi', 'web:node', 'db:postgres'];
  const flags = (s) => s.flatMap((x) => ['--service', x]);
  const made = spawnSync(process.execPath, [bin, 'new', 'ref', '--no-git', '--with', 'deploy', ...flags(three)], { cwd: seed });
  if (made.status !== 0) throw new Error(`bench setup failed: ${made.stderr}`);
  let n = 0;
  const cases = {
    "node -e ''": { run: () => [process.execPath, ['-e', ''], base] },
    'add service into 300 services': { run: () => [process.execPath, [bin, 'add', 'service', `c${++n}:redis`], big] },
    'new, reference stack + deploy': {
      run: () => {
        const d = join(base, `n${++n}`);
        mkdirSync(d);
        return [process.execPath, [bin, 'new', 'ref', '--no-git', '--with', 'deploy', ...flags([...three, 'cache:redis'])], d];
      },
    },
    'add service into reference stack + deploy': {
      prepare: () => {
        const d = join(base, `a${++n}`);
        cpSync(seed, d, { recursive: true });
        return d;
      },
      run: (d) => [process.execPath, [bin, 'add', 'service', 'cache:redis'], join(d, 'ref')],
    },
  };
  const rss = (args, cwd) => {
    if (!existsSync('/usr/bin/time')) return null;
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { cwd, encoding: 'utf8' });
    return Number(r.stderr.trim().split('\n').pop()) / 1024;
  };
  const rows = (med) => {
    const node = med["node -e ''"];
    const addBig = med['add service into 300 services'];
    const nw = med['new, reference stack + deploy'];
    const addRef = med['add service into reference stack + deploy'];
    const d = join(base, 'rss');
    cpSync(seed, d, { recursive: true });
    const rssRef = rss([bin, 'add', 'service', 'cache:redis'], join(d, 'ref'));
    const rssBig = rss([bin, 'add', 'service', 'rss:redis'], big);
    const row = (what, value, goal, ok) => `| ${what} | ${value} | ${goal} | ${ok ? 'met' : 'NOT met'} |`;
    const out = [
      row("add service, 300-service file / node -e ''", `${(addBig / node).toFixed(2)}×`, '≤ 2×', addBig / node <= 2),
      row('add service, reference stack + deploy / new of it', `${(addRef / nw).toFixed(2)}×`, '≤ 1.5×', addRef / nw <= 1.5),
    ];
    if (rssRef !== null) {
      out.push(row('peak RSS, add service (reference + deploy)', `${rssRef.toFixed(1)} MB`, '≤ 80 MB', rssRef <= 80));
      out.push(row('peak RSS, add service (300 services)', `${rssBig.toFixed(1)} MB`, '≤ 80 MB', rssBig <= 80));
    }
    return out;
  };
  const cleanup = () => rmSync(base, { recursive: true, force: true });
  return { cases, rows, cleanup };
}

// Alone: the same interleaved-median measurement as scripts/bench.mjs.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const RUNS = Number(process.env.RUNS ?? 21);
  const { cases, rows, cleanup } = await jobs();
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [name, c] of Object.entries(cases)) {
      const prepared = c.prepare?.();
      const [cmd, args, cwd] = c.run(prepared);
      const t0 = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
      times[name].push(ms);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  console.log(`\nadd service bench: ${RUNS} interleaved runs each, median wall time\n`);
  console.log('| case | median ms |\n|---|---|');
  for (const [k, v] of Object.entries(med)) console.log(`| ${k} | ${v.toFixed(1)} |`);
  console.log('\n| measure | value | goal | |\n|---|---|---|---|');
  for (const r of rows(med)) console.log(r);
  cleanup();
}
