/**
 * `create-stack remove app`: the inverse of `add app`. Law: add app then remove app gives back both
 * repos byte for byte (a create-stack stack, a third-party compose repo, host-network routes, a
 * re-add with --force in between); other apps stay routed; refusals exit 2 with nothing written.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { listFiles } from './helpers/validators.js';
import { TraefikModel } from './helpers/traefik-router.js';

// The shared corpus sits beside the repo (main checkout) or one level higher (a worktree).
const CORPUS = [join(import.meta.dirname, '..', '..', 'shared'), join(import.meta.dirname, '..', '..', '..', 'shared')]
  .map((d) => join(d, 'corpus', 'awesome-compose'))
  .find((d) => existsSync(d))!;
const HOST = 'apps.example.com';

let tmp: string;
beforeAll(() => {
  tmp = tempDir('create-stack-remove-app-');
});
afterAll(() => removeDir(tmp));

function ok(cwd: string, args: string[]) {
  const r = runCli(args, { cwd });
  expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

function snap(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of listFiles(dir)) m.set(f, `${statSync(join(dir, f)).mode & 0o777}:${readFileSync(join(dir, f), 'utf8')}`);
  return m;
}

describe('remove app', () => {
  let dir: string;
  let before: Record<string, Map<string, string>>;
  beforeAll(() => {
    dir = join(tmp, 'w');
    mkdirSync(dir);
    ok(dir, ['new', 'edge', '--preset', 'server', '--domain', HOST, '--acme-email', 'ops@example.com', '--https', 'on', '--no-git']);
    ok(dir, ['new', 'shop', '--service', 'web:node', '--service', 'api:fastapi', '--service', 'db:postgres', '--yes', '--no-git']);
    cpSync(join(CORPUS, 'nginx-flask-mysql'), join(dir, 'flask'), { recursive: true });
    mkdirSync(join(dir, 'tools'));
    writeFileSync(join(dir, 'tools', 'README.md'), 'systemd services\n');
    before = Object.fromEntries(['edge', 'shop', 'flask', 'tools'].map((d) => [d, snap(join(dir, d))]));
    ok(dir, ['add', 'app', 'shop', '--server', 'edge', '--route', 'web=/shop,keep', '--route', 'api=/shop-api']);
    ok(dir, ['add', 'app', 'flask', '--server', 'edge', '--route', 'proxy=/flask,web', '--route', 'backend=/flask-api,keep']);
    ok(dir, ['add', 'app', 'tools', '--server', 'edge', '--route', 'ui=/tools', '--host-network', 'ui=http://172.17.0.1:8501']);
    // A re-add that changes a route to the host network in between.
    ok(dir, ['add', 'app', 'shop', '--server', 'edge', '--route', 'web=/shop,keep', '--route', 'api=/shop-api', '--host-network', 'api=http://172.17.0.1:8002', '--force']);
  });

  it('takes one app away and leaves the others routed', () => {
    const mid = snap(join(dir, 'flask'));
    ok(dir, ['remove', 'app', 'shop', '--server', 'edge']);
    expect(snap(join(dir, 'shop'))).toEqual(before.shop);
    expect(snap(join(dir, 'flask'))).toEqual(mid);
    expect(listFiles(join(dir, 'edge', 'traefik', 'config'))).toEqual(['dashboard.yml', 'tools.yml']);
    const inv = parse(readFileSync(join(dir, 'edge', 'inventory.yaml'), 'utf8'));
    expect(inv.apps.map((a: { name: string }) => a.name)).toEqual(['flask', 'tools']);
    const model = new TraefikModel(join(dir, 'edge'), [{ dir: join(dir, 'flask'), files: ['compose.yaml'] }]);
    expect(model.problems).toEqual([]);
    expect(model.route({ host: HOST, path: '/shop', entrypoint: 'websecure' }).kind).toBe('not-found');
    expect(model.route({ host: HOST, path: '/shop-api/x', entrypoint: 'websecure' }).kind).toBe('not-found');
    expect(model.route({ host: HOST, path: '/flask/x', entrypoint: 'web' }).kind).toBe('routed');
    expect(model.route({ host: HOST, path: '/tools/x', entrypoint: 'websecure' }).kind).toBe('routed');
    expect(readFileSync(join(dir, 'edge', 'INVENTORY.md'), 'utf8')).not.toContain('/shop');
  });

  it('add then remove gives back every repo byte for byte', () => {
    ok(dir, ['remove', 'app', 'flask', '--server', 'edge']);
    ok(dir, ['remove', 'app', 'tools', '--server', 'edge']);
    for (const d of ['edge', 'shop', 'tools']) expect(snap(join(dir, d)), d).toEqual(before[d]);
    // The third-party file: the same, except trailing white space (the yaml library does not keep it).
    const trim = (m: Map<string, string>) => new Map([...m].map(([k, v]) => [k, v.replace(/[ \t]+$/gm, '')]));
    expect(trim(snap(join(dir, 'flask')))).toEqual(trim(before.flask!));
  });

  it('refuses an unknown app, a missing name and a missing server: exit 2, nothing written', () => {
    const all = ['edge', 'shop', 'flask', 'tools'].map((d) => snap(join(dir, d)));
    for (const [args, rule] of [
      [['remove', 'app', 'nope', '--server', 'edge'], 'app-unknown'],
      [['remove', 'app', '--server', 'edge'], 'app-missing'],
      [['remove', 'app', 'shop'], 'server-missing'],
      [['remove', 'app', 'shop', '--server', 'shop'], 'server-not-found'],
    ] as const) {
      const r = runCli([...args], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`[${rule}]`);
    }
    expect(['edge', 'shop', 'flask', 'tools'].map((d) => snap(join(dir, d)))).toEqual(all);
  });

  it('a failure during the apply leaves both repos as they were', () => {
    ok(dir, ['add', 'app', 'shop', '--server', 'edge', '--route', 'web=/shop']);
    const mid = [snap(join(dir, 'edge')), snap(join(dir, 'shop'))];
    for (const fault of ['2', 'commit']) {
      const r = runCli(['remove', 'app', 'shop', '--server', 'edge'], { cwd: dir, env: { CREATE_STACK_FAULT_AFTER: fault } });
      expect(r.code).toBe(1);
      expect([snap(join(dir, 'edge')), snap(join(dir, 'shop'))]).toEqual(mid);
    }
    const dry = ok(dir, ['remove', 'app', 'shop', '--server', 'edge', '--dry-run']);
    expect(dry.stdout).toContain('-      traefik.http.routers.shop-web.rule:');
    expect([snap(join(dir, 'edge')), snap(join(dir, 'shop'))]).toEqual(mid);
    ok(dir, ['remove', 'app', 'shop', '--server', 'edge']);
    expect(snap(join(dir, 'shop'))).toEqual(before.shop);
  });
});
