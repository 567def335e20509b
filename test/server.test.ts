/**
 * `create-stack new <name> --preset server`: the infra repo of a Traefik server (seed 004), proven by
 * the tools of each file's kind: the Compose schema and docker-compose config, shellcheck, typed
 * structural checks of Traefik's static and dynamic configuration, bcrypt against the password in
 * .env (bcryptjs and Apache's htpasswd), and the modes of secrets.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { composeSchemaErrors, dockerComposeConfig, hasCommand, listFiles, requireTool, shellcheckErrors, yamllintErrors } from './helpers/validators.js';
import { dynamicConfigProblems, staticConfigProblems } from './helpers/traefik-router.js';

let tmp: string;
beforeAll(() => {
  tmp = tempDir('create-stack-server-');
});
afterAll(() => removeDir(tmp));

function make(name: string, args: string[]): string {
  const r = runCli(['new', name, '--preset', 'server', ...args, '--no-git'], { cwd: tmp });
  expect(r.code, r.stderr).toBe(0);
  return join(tmp, name);
}

const mode = (p: string) => statSync(p).mode & 0o777;
const readYaml = (p: string) => parse(readFileSync(p, 'utf8'));

const VARIANTS: Array<[string, string[], string]> = [
  ['edge', ['--domain', 'apps.example.com', '--acme-email', 'ops@example.com'], 'redirect'],
  ['edge-on', ['--domain', 'apps.example.com', '--acme-email', 'ops@example.com', '--https', 'on'], 'on'],
  ['edge-ip', ['--ip', '203.0.113.10'], 'off'],
  ['edge-none', [], 'off'],
];

describe('new --preset server', () => {
  for (const [name, args, https] of VARIANTS) {
    describe(`${name} (${https})`, () => {
      let dir: string;
      beforeAll(() => {
        dir = make(name, args);
      });

      it('writes the infra repo: traefik/, scripts/, inventory and docs', () => {
        expect(listFiles(dir)).toEqual([
          '.create-stack.yaml', '.create-stack/base.json.gz', '.env', '.gitignore', 'INVENTORY.md', 'docs/ARCHITECTURE.md', 'docs/MAINTENANCE.md', 'inventory.yaml',
          'logrotate/traefik', 'scripts/backup.sh', 'scripts/dashboard-password.sh', 'scripts/network.sh', 'scripts/status.sh', 'scripts/up.sh',
          'traefik/acme.json', 'traefik/config/dashboard.yml', 'traefik/dashboard.htpasswd', 'traefik/docker-compose.traefik.yml', 'traefik/traefik.yml',
        ]);
        expect(readYaml(join(dir, '.create-stack.yaml')).https).toBe(https);
      });

      it('keeps secrets private and out of git', () => {
        expect(mode(join(dir, '.env'))).toBe(0o600);
        expect(mode(join(dir, 'traefik/acme.json'))).toBe(0o600);
        expect(mode(join(dir, 'traefik/dashboard.htpasswd'))).toBe(0o600);
        expect(readFileSync(join(dir, 'traefik/acme.json'), 'utf8')).toBe('');
        const ignored = readFileSync(join(dir, '.gitignore'), 'utf8').split('\n');
        for (const p of ['.env', 'traefik/acme.json', 'traefik/dashboard.htpasswd']) expect(ignored).toContain(p);
        for (const s of ['backup', 'dashboard-password', 'network', 'status', 'up']) expect(mode(join(dir, `scripts/${s}.sh`))).toBe(0o755);
      });

      it('the dashboard hash is bcrypt of the password in .env, and nothing else holds the password', () => {
        const env = Object.fromEntries(
          readFileSync(join(dir, '.env'), 'utf8').split('\n').filter((l) => /^\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        );
        expect(env.DASHBOARD_PASSWORD).toMatch(/^[A-Za-z0-9_-]{40,}$/);
        const [user, hash] = readFileSync(join(dir, 'traefik/dashboard.htpasswd'), 'utf8').trim().split(':');
        expect(user).toBe(env.DASHBOARD_USER);
        expect(hash).toMatch(/^\$2y\$10\$/);
        expect(bcrypt.compareSync(env.DASHBOARD_PASSWORD!, hash!)).toBe(true);
        expect(bcrypt.compareSync(`${env.DASHBOARD_PASSWORD}x`, hash!)).toBe(false);
        // Apache's own verifier reads the same file (Traefik's basicAuth uses the htpasswd format).
        if (requireTool('htpasswd', () => hasCommand('htpasswd', ['-h']))) {
          const ok = spawnSync('htpasswd', ['-vb', join(dir, 'traefik/dashboard.htpasswd'), user!, env.DASHBOARD_PASSWORD!], { encoding: 'utf8' });
          expect(ok.status, ok.stderr).toBe(0);
          const bad = spawnSync('htpasswd', ['-vb', join(dir, 'traefik/dashboard.htpasswd'), user!, 'wrong'], { encoding: 'utf8' });
          expect(bad.status).not.toBe(0);
        }
        for (const f of listFiles(dir)) if (f !== '.env') expect(readFileSync(join(dir, f), 'utf8'), f).not.toContain(env.DASHBOARD_PASSWORD);
      });

      it('Traefik compose: valid, v3 pinned, 80/443 only, Docker socket only behind a read-only proxy, limits, log rotation, traefik healthcheck', () => {
        const file = join(dir, 'traefik/docker-compose.traefik.yml');
        const doc = readYaml(file);
        expect(composeSchemaErrors(doc)).toEqual([]);
        const cfg = dockerComposeConfig(join(dir, 'traefik'), ['docker-compose.traefik.yml']);
        expect(cfg.ok, cfg.output).toBe(true);
        const t = doc.services.traefik;
        expect(t.image).toMatch(/^traefik:v3\.\d+\.\d+$/);
        expect(t.ports).toEqual(['80:80', '443:443']);
        // Traefik never mounts the Docker socket: it reads containers through the socket proxy, on an
        // internal network, which passes on read-only calls about containers and events only.
        expect((t.volumes as string[]).filter((v) => v.includes('docker.sock'))).toEqual([]);
        const proxy = doc.services['socket-proxy'];
        expect(proxy.volumes).toEqual(['/var/run/docker.sock:/var/run/docker.sock:ro']);
        expect(proxy.environment).toMatchObject({ CONTAINERS: '1', EVENTS: '1', POST: '0' });
        expect(Object.keys(proxy.environment).filter((k) => proxy.environment[k] === '1').sort()).toEqual(['CONTAINERS', 'EVENTS', 'PING', 'VERSION']);
        expect(proxy.ports).toBeUndefined();
        expect(proxy.image).toMatch(/^tecnativa\/docker-socket-proxy:\d+\.\d+\.\d+$/);
        expect(proxy.networks).toEqual(['socket-proxy']);
        expect(doc.networks['socket-proxy']).toEqual({ internal: true });
        expect(t.networks).toContain('socket-proxy');
        expect(readYaml(join(dir, 'traefik/traefik.yml')).providers.docker.endpoint).toBe('tcp://socket-proxy:2375');
        expect(t.healthcheck.test).toEqual(['CMD', 'traefik', 'healthcheck', '--ping']);
        expect(t.deploy.resources.limits).toEqual({ cpus: '1.00', memory: '256M' });
        expect(t.logging.options).toEqual({ 'max-size': '10m', 'max-file': '5' });
        expect(t.networks).toEqual(['traefik-public', 'socket-proxy']);
        expect(doc.networks['traefik-public']).toEqual({ external: true });
        // Every file the container mounts from the repo exists in it.
        for (const v of t.volumes as string[]) {
          const src = v.split(':')[0]!;
          if (src.startsWith('./')) expect(existsSync(join(dir, 'traefik', src)), src).toBe(true);
        }
        expect(yamllintErrors([file, join(dir, 'traefik/traefik.yml'), join(dir, 'traefik/config/dashboard.yml')]).ok).toBe(true);
      });

      it('static config: Traefik v3 keys only, Docker provider not exposing by default, file provider, access log', () => {
        const st = readYaml(join(dir, 'traefik/traefik.yml'));
        expect(staticConfigProblems(st)).toEqual([]);
        expect(Object.keys(st.entryPoints)).toEqual(['web', 'websecure', 'ping']);
        expect(st.entryPoints.web.address).toBe(':80');
        expect(st.entryPoints.websecure.address).toBe(':443');
        expect(st.providers.docker).toMatchObject({ exposedByDefault: false, network: 'traefik-public' });
        expect(st.providers.file).toEqual({ directory: '/etc/traefik/config', watch: true });
        expect(st.api).toEqual({ dashboard: true, insecure: false });
        expect(st.accessLog.filePath).toBe('/var/log/traefik/access.log');
        expect(Boolean(st.entryPoints.web.http?.redirections)).toBe(https === 'redirect');
        if (https === 'off') expect(st.certificatesResolvers).toBeUndefined();
        else {
          expect(st.certificatesResolvers.letsencrypt.acme).toEqual({ email: 'ops@example.com', storage: '/letsencrypt/acme.json', tlsChallenge: {} });
          expect(st.entryPoints.websecure.http.tls.certResolver).toBe('letsencrypt');
        }
        // The ping port stays inside the container: the compose file does not publish it.
        expect(readFileSync(join(dir, 'traefik/docker-compose.traefik.yml'), 'utf8')).not.toMatch(/8082|8080/);
      });

      it('dynamic config: the dashboard router is behind basic auth, on HTTPS when there is HTTPS', () => {
        const st = readYaml(join(dir, 'traefik/traefik.yml'));
        const dyn = readYaml(join(dir, 'traefik/config/dashboard.yml'));
        expect(dynamicConfigProblems(dyn, Object.keys(st.entryPoints))).toEqual([]);
        const r = dyn.http.routers.dashboard;
        expect(r.service).toBe('api@internal');
        expect(r.middlewares).toEqual(['dashboard-auth']);
        expect(r.entryPoints).toEqual([https === 'off' ? 'web' : 'websecure']);
        expect(dyn.http.middlewares['dashboard-auth'].basicAuth.usersFile).toBe('/etc/traefik/dashboard.htpasswd');
        const host = args.includes('--domain') ? 'apps.example.com' : args.includes('--ip') ? '203.0.113.10' : null;
        if (host) expect(r.rule.startsWith(`Host(\`${host}\`) && (`)).toBe(true);
        else expect(r.rule).not.toContain('Host(');
      });

      it('scripts pass shellcheck; the network script is idempotent; backups keep only their own files', () => {
        const scripts = ['backup', 'dashboard-password', 'network', 'status', 'up'].map((s) => join(dir, `scripts/${s}.sh`));
        const sc = shellcheckErrors(scripts);
        expect(sc.ok, sc.output).toBe(true);
        const net = readFileSync(join(dir, 'scripts/network.sh'), 'utf8');
        expect(net).toMatch(/docker network inspect "\$NETWORK" >\/dev\/null 2>&1/);
        const backup = readFileSync(join(dir, 'scripts/backup.sh'), 'utf8');
        expect(backup).toContain('acme-$STAMP.json.gz');
        expect(backup).toMatch(/find "\$BACKUP_DIR" -maxdepth 1 -type f \\\( -name 'acme-\*\.json\.gz' -o -name 'db-\*\.sql\.gz' -o -name 'vol-\*\.tar\.gz' \\\) -mtime \+"\$KEEP_DAYS" -delete/);
        const up = readFileSync(join(dir, 'scripts/up.sh'), 'utf8');
        expect(up).toContain('chmod 600 traefik/acme.json');
        const lr = readFileSync(join(dir, 'logrotate/traefik'), 'utf8');
        expect(lr).toMatch(/^\/var\/log\/traefik\/\*\.log \{$/m);
        expect(lr).toContain('docker kill --signal=USR1 traefik');
      });

      it('inventory.yaml, INVENTORY.md and the docs describe an empty server', () => {
        const inv = readYaml(join(dir, 'inventory.yaml'));
        expect(inv.apps).toEqual([]);
        expect(inv.server.https).toBe(https);
        expect(inv.dashboard[0].router).toBe('dashboard');
        const md = readFileSync(join(dir, 'INVENTORY.md'), 'utf8');
        expect(md).toContain('| (none yet) |');
        expect(md).toMatch(/\| 80 \| Traefik HTTP \(web\) \| Public \|/);
        expect(md).not.toMatch(/\| 8080 \|/);
        expect(readFileSync(join(dir, 'docs/ARCHITECTURE.md'), 'utf8')).toContain('```mermaid\nflowchart LR');
        const maint = readFileSync(join(dir, 'docs/MAINTENANCE.md'), 'utf8');
        for (const h of ['## Daily', '## Weekly', '## Monthly', '## Quarterly']) expect(maint).toContain(h);
      });
    });
  }

  it('a second run with --force keeps the secrets and certificates', () => {
    const dir = make('keep', ['--domain', 'apps.example.com', '--acme-email', 'ops@example.com']);
    const env = readFileSync(join(dir, '.env'), 'utf8');
    const ht = readFileSync(join(dir, 'traefik/dashboard.htpasswd'), 'utf8');
    const r = runCli(['new', 'keep', '--preset', 'server', '--domain', 'apps.example.com', '--acme-email', 'ops@example.com', '--force', '--no-git'], { cwd: tmp });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(env);
    expect(readFileSync(join(dir, 'traefik/dashboard.htpasswd'), 'utf8')).toBe(ht);
  });

  const REFUSALS: Array<[string, string[]]> = [
    ['host-conflict', ['--domain', 'a.example.com', '--ip', '203.0.113.10']],
    ['domain-format', ['--domain', 'localhost']],
    ['domain-format', ['--domain', 'bad_host.example.com']],
    ['domain-format', ['--domain', '203.0.113.10']],
    ['ip-format', ['--ip', '300.1.1.1']],
    ['acme-email-format', ['--domain', 'a.example.com', '--acme-email', 'nobody']],
    ['https-mode', ['--https', 'maybe']],
    ['https-needs-domain', ['--ip', '203.0.113.10', '--https', 'on', '--acme-email', 'ops@example.com']],
    ['acme-email-missing', ['--domain', 'a.example.com']],
    ['services-fixed', ['--service', 'api:fastapi']],
    ['layer-preset', ['--with', 'deploy']],
  ];
  for (const [rule, args] of REFUSALS) {
    it(`refuses ${args.join(' ')} [${rule}], exit 2, nothing written`, () => {
      const dir = tempDir('create-stack-server-refuse-');
      try {
        const r = runCli(['new', 'x', '--preset', 'server', ...args, '--no-git'], { cwd: dir });
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`[${rule}]`);
        expect(listFiles(dir)).toEqual([]);
      } finally {
        removeDir(dir);
      }
    });
  }

  it('the structural checks catch what Traefik would refuse (they can fail)', () => {
    const dir = make('edge-neg', ['--domain', 'apps.example.com', '--acme-email', 'ops@example.com']);
    const st = readYaml(join(dir, 'traefik/traefik.yml'));
    st.entryPoints.web.adress = ':81';
    st.entryPoints.websecure.http.tls.certResolver = 'nope';
    st.providers.docker.exposedByDefault = 'no';
    expect(staticConfigProblems(st)).toEqual([
      'entryPoints.web.adress: not a Traefik option here',
      'providers.docker.exposedByDefault: expected true or false',
      'entryPoints.websecure: unknown certResolver nope',
    ]);
    const dyn = readYaml(join(dir, 'traefik/config/dashboard.yml'));
    dyn.http.routers.dashboard.middlewares = ['missing'];
    dyn.http.routers.dashboard.rule = 'PathPrefix(`/x`';
    expect(dynamicConfigProblems(dyn, ['web', 'websecure'])).toEqual([
      expect.stringMatching(/^http\.routers\.dashboard\.rule: rule .* expected \) after arguments/),
      'http.routers.dashboard: unknown middleware missing',
    ]);
  });

  it('server options on another preset are refused', () => {
    const r = runCli(['new', 'x', '--service', 'api:fastapi', '--domain', 'a.example.com', '--no-git'], { cwd: tmp });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[option-preset]');
  });
});
