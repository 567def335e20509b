// The generated code runs: the node stub serves /health and /metrics, the generated monitor script
// and the kind's own health-check command see it healthy, and unhealthy once it stops.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { requireTool, hasCommand } from './helpers/validators.js';
import { freePort } from './helpers/postgres.js';

const work = tempDir('cs-runtime-');
const gen = runCli(['new', 'rt', '--no-git', '--service', 'web:node', '--service', 'jobs:worker', '--service', 'api:fastapi'], { cwd: work });
const dir = join(work, 'rt');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  removeDir(work);
});

async function waitFor(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

function compose() {
  return parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8'));
}

/** Runs a compose healthcheck `test` on this host, the way Docker would inside the container (async: servers in this process keep answering). */
function runHealthcheck(test: string[], env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  const [form, ...rest] = test;
  const args = form === 'CMD-SHELL' ? ['sh', '-c', rest.join(' ').replace(/\$\$/g, '$')] : rest;
  return new Promise((resolve) => {
    const child = spawn(args[0]!, args.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], timeout: 15_000 });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('generated node service + monitor script', () => {
  it('generates', () => expect(gen.code).toBe(0));

  it('is healthy while the stub runs and unhealthy once it stops', async () => {
    if (!requireTool('curl', () => hasCommand('curl'))) return;
    const port = await freePort();
    const child = spawn(process.execPath, ['index.js'], { cwd: join(dir, 'data/web'), env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'pipe' });
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => fetch(`${url}/health`).then((r) => r.ok, () => false));

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^app_requests_total\{service="web"\} \d+$/m);

    const monitor = join(dir, 'data/monitoring/monitor_web.sh');
    expect(statSync(monitor).mode & 0o111).not.toBe(0);
    const env = { ...process.env, HEALTH_URL: `${url}/health`, METRICS_URL: `${url}/metrics` };
    const ok = spawnSync('sh', [monitor], { env, encoding: 'utf8' });
    expect(ok.stdout).toMatch(/web: healthy/);
    expect(ok.stdout).toMatch(/metrics endpoint is accessible/);
    expect(ok.status).toBe(0);

    // The kind's Compose health check, with its port pointed at the stub.
    const test: string[] = compose().services.web.healthcheck.test.map((a: string) => a.replace('127.0.0.1:3000', `127.0.0.1:${port}`));
    expect((await runHealthcheck(test, {})).status).toBe(0);

    child.kill('SIGTERM');
    await waitFor(() => child.exitCode !== null || child.signalCode !== null);
    const down = spawnSync('sh', [monitor], { env, encoding: 'utf8' });
    expect(down.stdout).toMatch(/ERROR: not healthy/);
    expect(down.status).toBe(1);
    expect((await runHealthcheck(test, {})).status).not.toBe(0);
  });

  it('the monitor script rejects a bad MONITOR_INTERVAL with exit 2', () => {
    const r = spawnSync('sh', [join(dir, 'data/monitoring/monitor_web.sh')], { env: { ...process.env, MONITOR_INTERVAL: 'soon' }, encoding: 'utf8' });
    expect(r.status).toBe(2);
  });
});

describe('generated python worker', () => {
  it('beats its heartbeat, and the kind health check reads it', async () => {
    if (!requireTool('python3', () => hasCommand('python3'))) return;
    const heartbeat = join(work, 'heartbeat');
    const test: string[] = compose().services.jobs.healthcheck.test.map((a: string) => a.replace('/tmp/heartbeat', heartbeat).replace(/^python$/, 'python3'));
    // No heartbeat yet: the check must fail, not pass on a missing file.
    expect((await runHealthcheck(test, {})).status).not.toBe(0);
    const child = spawn('python3', ['main.py'], {
      cwd: join(dir, 'data/jobs'),
      env: { ...process.env, WORKER_INTERVAL_SECONDS: '0.2', HEARTBEAT_FILE: heartbeat },
      stdio: 'pipe',
    });
    children.push(child);
    await waitFor(() => {
      try {
        return statSync(heartbeat).isFile();
      } catch {
        return false;
      }
    });
    const hc = await runHealthcheck(test, {});
    expect(hc.stderr).toBe('');
    expect(hc.status).toBe(0);
    child.kill('SIGTERM');
    await waitFor(() => child.exitCode !== null);
    expect(child.exitCode).toBe(0); // SIGTERM finishes the loop cleanly
  });
});

describe('generated fastapi service', () => {
  // The stub itself runs on Debian's FastAPI in test/bd-build-data.tools.test.ts; its health-check
  // command is proven here against a stand-in server on the same port and path.
  it('its health check (readiness: /ready) passes against a server answering /ready and fails without one', async () => {
    const port = await freePort();
    const { createServer: http } = await import('node:http');
    const srv = http((req, res) => {
      res.writeHead(req.url === '/ready' ? 200 : 404);
      res.end('{"status":"ok"}');
    });
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
    const test: string[] = compose().services.api.healthcheck.test.map((a: string) => a.replace('127.0.0.1:8000', `127.0.0.1:${port}`).replace(/^python$/, 'python3'));
    expect((await runHealthcheck(test, {})).status).toBe(0);
    await new Promise((r) => srv.close(r));
    expect((await runHealthcheck(test, {})).status).not.toBe(0);
  });
});

describe('data/scripts/setup.sh', () => {
  it('creates .env with 32-byte secrets, fills empty and missing ones later, never changes a set one', () => {
    expect(runCli(['new', 'sec', '--no-git', '--service', 'db:postgres', '--service', 'cache:redis'], { cwd: work }).code).toBe(0);
    const stack = join(work, 'sec');
    // A stand-in docker: setup.sh only asks it whether Compose is there.
    const bin = join(work, 'fakebin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'docker'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const setup = () => spawnSync('bash', ['data/scripts/setup.sh'], { cwd: stack, env, encoding: 'utf8' });
    rmSync(join(stack, '.env'));

    const first = setup();
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const created = readFileSync(join(stack, '.env'), 'utf8');
    expect(statSync(join(stack, '.env')).mode & 0o777).toBe(0o600);
    const db = /^DB_PASSWORD=([0-9a-f]+)$/m.exec(created)![1]!;
    expect(db).toHaveLength(64);
    expect(created).toMatch(/^CACHE_PASSWORD=[0-9a-f]{64}$/m);
    expect(statSync(join(stack, 'bd/db-data')).isDirectory()).toBe(true);

    // Empty one secret and lose the other: the next run fills both and keeps the rest.
    writeFileSync(join(stack, '.env'), created.replace(/^CACHE_PASSWORD=.*$/m, 'CACHE_PASSWORD=').replace(/^DB_PASSWORD=.*\n/m, ''));
    expect(setup().status).toBe(0);
    const mended = readFileSync(join(stack, '.env'), 'utf8');
    expect(mended).toMatch(/^CACHE_PASSWORD=[0-9a-f]{64}$/m);
    expect(mended).toMatch(/^DB_PASSWORD=[0-9a-f]{64}$/m);
    expect(mended).not.toContain(`DB_PASSWORD=${db}`);
    const again = setup();
    expect(readFileSync(join(stack, '.env'), 'utf8')).toBe(mended); // set secrets are never changed
    expect(again.stdout).not.toMatch(/generated|added/);
  });
});
