// The lint job of `npm run bench`: `create-stack check` on 100 compose files × 10 services (a seeded
// generator, so every run checks the same files), timed side by side with dclint 3.1 on the same
// files, and against `node -e ''`; plus one small file, and peak RSS. Writes go to tmpfs when there is one.
// scripts/bench.mjs calls jobs(ctx); `node scripts/bench/check.mjs` runs it alone.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** mulberry32: a small seeded PRNG, the same sequence on every machine. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const IMAGES = ['nginx:1.27.3-alpine', 'postgres:16.6-alpine3.21', 'redis:7.4.1-alpine3.20', 'python:3.12.8-slim-bookworm', 'node:22.12.0-alpine3.21', 'mongo:7.0.16-jammy', 'traefik:v3.2', 'grafana/grafana:11.4.0', 'nginx', 'mysql:latest'];

/** One compose file of `services` services: ports, env (some literal secrets), volumes, healthchecks, depends_on. */
export function composeFile(rand, services = 10) {
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const names = Array.from({ length: services }, (_, i) => `svc${i}`);
  const out = ['# generated for the lint benchmark', 'x-logging: &logging', '  driver: json-file', '  options:', '    max-size: "10m"', '    max-file: "3"', '', 'services:'];
  names.forEach((name, i) => {
    const image = pick(IMAGES);
    out.push(`  ${name}:`, `    image: ${JSON.stringify(image)}`);
    if (rand() < 0.6) out.push('    restart: unless-stopped');
    if (rand() < 0.7) out.push('    ports:', `      - "${rand() < 0.5 ? '127.0.0.1:' : ''}${8000 + Math.floor(rand() * 200)}:${pick([80, 8080, 5432, 6379, 3000])}"`);
    out.push('    environment:', `      SERVICE_NAME: ${name}`, `      LOG_LEVEL: "\${LOG_LEVEL:-info}"`);
    if (rand() < 0.3) out.push('      DB_PASSWORD: hunter2');
    else out.push('      DB_PASSWORD: "${DB_PASSWORD:?set it}"');
    out.push('    volumes:', `      - ./data/${name}/config:/etc/${name}/config${rand() < 0.5 ? ':ro' : ''}`, `      - ${name}-data:/var/lib/${name}`);
    if (rand() < 0.6) out.push('    healthcheck:', `      test: ["CMD-SHELL", "${pick(['curl -f http://localhost/health', 'pg_isready', 'redis-cli ping', 'wget -q -O /dev/null http://127.0.0.1/'])}"]`, '      interval: 30s');
    if (i > 0 && rand() < 0.5) out.push('    depends_on:', `      - ${names[Math.floor(rand() * i)]}`);
    if (rand() < 0.5) out.push('    deploy:', '      resources:', '        limits:', '          cpus: "0.50"', '          memory: 256M');
    if (rand() < 0.7) out.push('    logging: *logging');
    out.push('    networks: [backend]');
  });
  out.push('', 'networks:', '  backend: {}', '', 'volumes:');
  for (const name of names) out.push(`  ${name}-data: {}`);
  return out.join('\n') + '\n';
}

export async function jobs(ctx = {}) {
  const root = ctx.root ?? join(here, '..', '..');
  const bin = join(root, 'bin', 'create-stack.cjs');
  const dclint = join(root, 'node_modules', '.bin', 'dclint');
  const runs = Number(ctx.runs ?? process.env.RUNS ?? 11);
  const base = ctx.dest ?? process.env.DEST ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
  const work = mkdtempSync(join(base, 'create-stack-bench-check-'));
  try {
    const rand = prng(20251202);
    const lint = join(work, 'lint-100');
    const files = [];
    for (let i = 0; i < 100; i++) {
      const dir = join(lint, `project${String(i).padStart(3, '0')}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'compose.yaml'), composeFile(rand));
      files.push(join(dir, 'compose.yaml'));
    }
    const small = join(work, 'small');
    mkdirSync(small);
    writeFileSync(join(small, 'compose.yaml'), composeFile(prng(1), 2));

    const cases = {
      "node -e ''": [process.execPath, ['-e', '']],
      'create-stack check, 100 files': [process.execPath, [bin, 'check', '--format', 'json', lint]],
      'dclint 3.1, same 100 files': [dclint, ['-f', 'json', ...files]],
      'create-stack check, 1 small file': [process.execPath, [bin, 'check', '--format', 'json', small]],
    };
    const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    // dclint takes seconds a run: fewer of its runs, still interleaved.
    for (let i = 0; i < runs; i++) {
      for (const [name, [cmd, args]] of Object.entries(cases)) {
        if (name.startsWith('dclint') && i >= Math.max(3, Math.ceil(runs / 3))) continue;
        const t0 = process.hrtime.bigint();
        const r = spawnSync(cmd, args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        // Both linters exit 1 on these files (they hold problems on purpose); anything else is a failure.
        if (r.status !== 0 && r.status !== 1) throw new Error(`${name} failed (${r.status}): ${r.stderr}`);
        times[name].push(ms);
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
    const rss = (cmd, args) => {
      if (!existsSync('/usr/bin/time')) return null;
      const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { cwd: work, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      return Number(r.stderr.trim().split('\n').pop()) / 1024;
    };
    const rssCheck = rss(process.execPath, [bin, 'check', '--format', 'json', lint]);
    const rssNode = rss(process.execPath, ['-e', '']);

    const node = med["node -e ''"];
    const big = med['create-stack check, 100 files'];
    const dc = med['dclint 3.1, same 100 files'];
    const one = med['create-stack check, 1 small file'];
    const row = (what, value, goal, ok) => `| ${what} | ${value} | ${goal} | ${ok ? 'met' : 'NOT met'} |`;
    const fmt = (x) => x.toFixed(2);
    console.log(`\ncreate-stack check bench: 100 compose files × 10 services (seeded), ${runs} interleaved runs (dclint ${times['dclint 3.1, same 100 files'].length}), median wall time\n`);
    console.log('| case | median ms |\n|---|---|');
    for (const [k, v] of Object.entries(med)) console.log(`| ${k} | ${v.toFixed(1)} |`);
    console.log('\n| measure | value | goal | |\n|---|---|---|---|');
    console.log(row('check 100 files / dclint', `${fmt(big / dc)}×`, '≤ 0.1×', big / dc <= 0.1));
    console.log(row("check 100 files / node -e ''", `${fmt(big / node)}×`, '≤ 3×', big / node <= 3));
    console.log(row("check 1 small file / node -e ''", `${fmt(one / node)}×`, '≤ 1.5×', one / node <= 1.5));
    if (rssCheck !== null) console.log(row('peak RSS, check 100 files', `${rssCheck.toFixed(1)} MB (node -e '': ${rssNode.toFixed(1)} MB)`, '≤ 100 MB', rssCheck <= 100));
    return { median: med, rss: rssCheck };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await jobs();
