// npm run bench: wall time of `create-stack new` (non-interactive) against `node -e ''` and against
// plop 4 writing the same files with its own add actions; plus 100- and 300-service stacks, peak RSS,
// and the jobs of scripts/bench/ (add service; check beside dclint).
// Writes go to tmpfs (/dev/shm) when it exists, so the disk is not what is measured; DEST=dir overrides.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'create-stack.cjs');
const plopBin = join(root, 'node_modules', 'plop', 'bin', 'plop.js');
const RUNS = Number(process.env.RUNS ?? 21);
const base = process.env.DEST ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
const work = mkdtempSync(join(base, 'create-stack-bench-'));

const reference = ['api:fastapi', 'web:node', 'db:postgres', 'cache:redis'];
const hundred = [
  'db:postgres', 'cache:redis',
  ...Array.from({ length: 98 }, (_, i) => (i % 3 === 2 ? `jobs${i}:worker` : `svc${i}:${i % 3 === 0 ? 'node' : 'fastapi'}:${20000 + i}`)),
];
const threeHundred = [
  'db:postgres', 'cache:redis',
  ...Array.from({ length: 298 }, (_, i) => (i % 3 === 2 ? `jobs${i}:worker` : `svc${i}:${i % 3 === 0 ? 'node' : 'fastapi'}:${20000 + i}`)),
];
const flags = (services) => services.flatMap((s) => ['--service', s]);

function walk(dir) {
  return readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)) : [join(dir, e)]));
}

// plop's job: the same files, each through one `add` action (plop renders path and content).
const fixtureDir = join(work, 'fixture');
mkdirSync(fixtureDir);
spawnSync(process.execPath, [bin, 'new', 'ref', '--no-git', ...flags(reference)], { cwd: fixtureDir });
// The gzipped record (.create-stack/base.json.gz) is binary: plop's add renders text only.
const files = walk(join(fixtureDir, 'ref')).filter((f) => !f.endsWith('.gz')).map((f) => ({
  path: relative(join(fixtureDir, 'ref'), f),
  // Escape Handlebars in the contents so plop writes them verbatim, as create-stack does.
  template: readFileSync(f, 'utf8').replaceAll('{{', '\\{{'),
}));
writeFileSync(join(work, 'fixture.json'), JSON.stringify(files));
writeFileSync(
  join(work, 'plopfile.mjs'),
  `import { readFileSync } from 'node:fs';
const files = JSON.parse(readFileSync(${JSON.stringify(join(work, 'fixture.json'))}, 'utf8'));
export default function (plop) {
  plop.setGenerator('stack', {
    prompts: [{ type: 'input', name: 'name', message: 'name' }],
    actions: files.map((f) => ({ type: 'add', path: '{{name}}/' + f.path, template: f.template, abortOnFail: true })),
  });
}
`,
);

let n = 0;
const cases = {
  "node -e ''": () => [process.execPath, ['-e', '']],
  'create-stack, 4 services': () => [process.execPath, [bin, 'new', `s${++n}`, '--no-git', ...flags(reference)]],
  'plop 4, same files': () => [process.execPath, [plopBin, '--plopfile', join(work, 'plopfile.mjs'), '--dest', work, 'stack', `p${++n}`]],
  'create-stack, 100 services': () => [process.execPath, [bin, 'new', `h${++n}`, '--no-git', ...flags(hundred)]],
  'create-stack, 300 services': () => [process.execPath, [bin, 'new', `t${++n}`, '--no-git', ...flags(threeHundred)]],
};
// The add-service job's cases run interleaved with these (scripts/bench/add-service.mjs).
const addService = await (await import('./bench/add-service.mjs')).jobs({ bin });
for (const [name, c] of Object.entries(addService.cases)) {
  if (name in cases) continue;
  cases[name] = () => {
    const [cmd, args, cwd] = c.run(c.prepare?.());
    return [cmd, args, cwd];
  };
}

const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < RUNS; i++) {
  // Interleaved, so drift in machine load hits every case alike.
  for (const [name, make] of Object.entries(cases)) {
    const [cmd, args, cwd = work] = make();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
    times[name].push(ms);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));

function peakRss(args) {
  if (!existsSync('/usr/bin/time')) return null;
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { cwd: work, encoding: 'utf8' });
  return Number(r.stderr.trim().split('\n').pop()) / 1024;
}
const rss4 = peakRss([bin, 'new', 'rss4', '--no-git', ...flags(reference)]);
const rss100 = peakRss([bin, 'new', 'rss100', '--no-git', ...flags(hundred)]);
const rssNode = peakRss(['-e', '']);

const node = med["node -e ''"];
const cs = med['create-stack, 4 services'];
const plop = med['plop 4, same files'];
const big = med['create-stack, 100 services'];
const row = (what, value, goal, ok) => `| ${what} | ${value} | ${goal} | ${ok ? 'met' : 'NOT met'} |`;
const fmt = (x) => x.toFixed(2);
console.log(`\ncreate-stack bench: ${RUNS} interleaved runs each, median wall time, writing to ${base} (${files.length} files per 4-service stack)\n`);
console.log('| case | median ms |\n|---|---|');
for (const [k, v] of Object.entries(med)) console.log(`| ${k} | ${v.toFixed(1)} |`);
console.log('\n| measure | value | goal | |\n|---|---|---|---|');
console.log(row("4 services / node -e ''", `${fmt(cs / node)}×`, '≤ 1.5×', cs / node <= 1.5));
console.log(row('4 services / plop 4', `${fmt(cs / plop)}×`, '≤ 0.33×', cs / plop <= 0.33));
console.log(row('100 services / 4 services', `${fmt(big / cs)}×`, '≤ 2×', big / cs <= 2));
const huge = med['create-stack, 300 services'];
console.log(row("300 services / node -e ''", `${fmt(huge / node)}×`, '≤ 6×', huge / node <= 6));
console.log(row('cost per service, 100→300 vs 4→100', `${fmt((huge - big) / 200)} vs ${fmt((big - cs) / 96)} ms`, 'flat (linear)', (huge - big) / 200 <= 1.5 * ((big - cs) / 96)));
for (const r of addService.rows(med)) console.log(r);
if (rss4 !== null) {
  console.log(row('peak RSS, 4 services', `${rss4.toFixed(1)} MB (node -e '': ${rssNode.toFixed(1)} MB)`, '≤ 80 MB', rss4 <= 80));
  console.log(row('peak RSS, 100 services', `${rss100.toFixed(1)} MB`, '≤ 80 MB', rss100 <= 80));
}
rmSync(work, { recursive: true, force: true });
addService.cleanup();
// The lint job runs on its own (its dclint runs are slow; it interleaves its own cases).
await (await import('./bench/check.mjs')).jobs({ root });
