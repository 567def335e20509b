// The CLI as a user spawns it: exit codes, messages, nothing written on bad input, atomic apply,
// idempotent re-runs, answers files, dry runs, JSON and git.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, removeDir, runCli, tempDir } from './helpers/cli.js';
import { listFiles } from './helpers/validators.js';

const work = tempDir('cs-cli-');
afterAll(() => removeDir(work));
let n = 0;
/** A fresh empty cwd per case, so "nothing written" is simply "still empty". */
function cwd(): string {
  const d = join(work, `case-${++n}`);
  mkdirSync(d);
  return d;
}

function snapshotDir(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

describe('help and version', () => {
  it('--help shows usage, examples and exit codes', () => {
    const r = runCli(['--help'], { cwd: cwd() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage/);
    expect(r.stdout).toMatch(/Examples/);
    expect(r.stdout).toMatch(/Exit codes/);
    for (const kind of ['fastapi', 'node', 'worker', 'postgres', 'redis', 'mongodb', 'nginx']) expect(r.stdout).toContain(kind);
  });
  it('--version prints its own version', () => {
    const r = runCli(['--version'], { cwd: cwd() });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
});

describe('bad input: exit 2, the rule named, nothing written', () => {
  const cases: Array<[string, string[], string]> = [
    ['name with /', ['new', 'a/b', '--yes'], 'name-format'],
    ['name with ..', ['new', '..', '--yes'], 'name-format'],
    ['name with ..', ['new', 'a..b', '--yes'], 'name-format'],
    ['name with a space', ['new', 'my stack', '--yes'], 'name-format'],
    ['upper-case name', ['new', 'MyStack', '--yes'], 'name-format'],
    ['leading -', ['new', '--yes', '--', '-stack'], 'name-format'],
    ['shell metacharacters', ['new', 'a;rm', '--yes'], 'name-format'],
    ['shell $', ['new', 'a$b', '--yes'], 'name-format'],
    ['YAML metacharacters', ['new', 'a: b', '--yes'], 'name-format'],
    ['YAML #', ['new', 'a#b', '--yes'], 'name-format'],
    ['empty name', ['new', '', '--yes'], 'name-format'],
    ['64 characters', ['new', 'a'.repeat(64), '--yes'], 'name-format'],
    ['bad service name', ['new', 'ok', '--service', 'Api:fastapi'], 'name-format'],
    ['duplicate services', ['new', 'ok', '--service', 'api:fastapi', '--service', 'api:node:3001'], 'service-duplicate'],
    ['unknown kind', ['new', 'ok', '--service', 'api:rails'], 'kind-unknown'],
    ['port 0', ['new', 'ok', '--service', 'api:fastapi:0'], 'port-range'],
    ['port 70000', ['new', 'ok', '--service', 'api:fastapi:70000'], 'port-range'],
    ['port abc', ['new', 'ok', '--service', 'api:fastapi:abc'], 'port-range'],
    ['two services on one host port', ['new', 'ok', '--service', 'api:fastapi:8080', '--service', 'edge:nginx:8080'], 'port-conflict'],
    ['port on a worker', ['new', 'ok', '--service', 'jobs:worker:9000'], 'port-not-served'],
    ['malformed --service', ['new', 'ok', '--service', 'api'], 'service-format'],
    ['reserved service name', ['new', 'ok', '--service', 'scripts:node'], 'service-reserved'],
    ['unknown option', ['new', 'ok', '--colour'], 'option-unknown'],
    ['unknown preset', ['new', 'ok', '--preset', 'lamp', '--yes'], 'preset-unknown'],
    ['unknown layer', ['new', 'ok', '--with', 'helm3', '--yes'], 'layer-unknown'],
    ['missing answers file', ['new', 'ok', '--answers', 'nope.yaml'], 'answers-unreadable'],
    ['extra argument', ['new', 'ok', 'extra', '--yes'], 'argument-extra'],
    ['no name, no TTY', ['new', '--service', 'api:fastapi'], 'input-missing'],
    ['deploy: name too long for a namespace', ['new', 'a'.repeat(52), '--with', 'deploy', '--yes'], 'name-format'],
    ['deploy: service named migrate', ['new', 'ok', '--with', 'deploy', '--service', 'migrate:worker'], 'service-reserved'],
    ['deploy: service named like a colour', ['new', 'ok', '--with', 'deploy', '--service', 'api:fastapi', '--service', 'api-blue:node'], 'service-reserved'],
    ['no services, no TTY', ['new', 'ok'], 'input-missing'],
  ];
  it.each(cases)('%s', (_label, args, rule) => {
    const dir = cwd();
    const r = runCli(args, { cwd: dir });
    expect(r.stderr).toContain(`[${rule}]`);
    expect(r.stderr).toMatch(/fix: /);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names the flag to pass when input is missing and there is no TTY', () => {
    const r = runCli(['new', 'ok'], { cwd: cwd() });
    expect(r.stderr).toContain('--service');
    expect(r.stderr).toContain('--yes');
  });

  it('an existing non-empty target: exit 2 and left exactly as it was', () => {
    const dir = cwd();
    mkdirSync(join(dir, 'shop'));
    writeFileSync(join(dir, 'shop', 'notes.txt'), 'mine');
    const r = runCli(['new', 'shop', '--yes', '--no-git'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[target-not-empty]');
    expect(readdirSync(dir)).toEqual(['shop']);
    expect(readdirSync(join(dir, 'shop'))).toEqual(['notes.txt']);
  });

  it('several problems are reported together', () => {
    const r = runCli(['new', 'ok', '--service', 'Api:fastapi', '--service', 'db:mysql'], { cwd: cwd() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[name-format]');
    expect(r.stderr).toContain('[kind-unknown]');
  });
});

describe('writing', () => {
  it('npm create stack form: `create-stack <name> --yes` makes the default reference stack', () => {
    const dir = cwd();
    const r = runCli(['shop', '--yes', '--no-git'], { cwd: dir });
    expect(r.code).toBe(0);
    const files = listFiles(join(dir, 'shop'));
    for (const svc of ['api', 'web', 'db', 'cache']) expect(files).toContain(`build/${svc}/Dockerfile`);
  });

  it('--dest picks the parent directory; a missing one is bad input', () => {
    const dir = cwd();
    mkdirSync(join(dir, 'parent'));
    expect(runCli(['new', 'shop', '--yes', '--no-git', '--dest', 'parent'], { cwd: dir }).code).toBe(0);
    expect(existsSync(join(dir, 'parent', 'shop', 'docker-compose.yml'))).toBe(true);
    const bad = runCli(['new', 'shop', '--yes', '--no-git', '--dest', 'nowhere'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('[dest-missing]');
  });

  it('--dry-run prints the tree with sizes and writes nothing', () => {
    const dir = cwd();
    const r = runCli(['new', 'shop', '--yes', '--dry-run'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/shop\/ would be created: \d+ files/);
    expect(r.stdout).toMatch(/docker-compose\.yml\s+[\d.]+ (B|kB)/);
    expect(r.stdout).toContain('nothing was written');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--json prints a machine-readable summary', () => {
    const r = runCli(['new', 'shop', '--yes', '--no-git', '--json'], { cwd: cwd() });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.spec.name).toBe('shop');
    expect(out.targets[0].files.find((f: { path: string }) => f.path === '.env').mode).toBe('0600');
  });

  it('.env secrets are 32+ random bytes, differ between stacks, and never reach .create-stack.yaml', () => {
    const dir = cwd();
    runCli(['new', 'one', '--yes', '--no-git'], { cwd: dir });
    runCli(['new', 'two', '--yes', '--no-git'], { cwd: dir });
    const secrets = (name: string) =>
      Object.fromEntries(
        readFileSync(join(dir, name, '.env'), 'utf8')
          .split('\n')
          .filter((l) => /_PASSWORD=/.test(l))
          .map((l) => l.split('=') as [string, string]),
      );
    const one = secrets('one');
    const two = secrets('two');
    expect(Object.keys(one).sort()).toEqual(['CACHE_PASSWORD', 'DB_PASSWORD']);
    for (const [k, v] of Object.entries(one)) {
      expect(Buffer.from(v, 'base64url').length).toBeGreaterThanOrEqual(32);
      expect(two[k]).not.toBe(v);
      expect(readFileSync(join(dir, 'one', '.create-stack.yaml'), 'utf8')).not.toContain(v);
      expect(readFileSync(join(dir, 'one', '.env.example'), 'utf8')).not.toContain(v);
    }
    expect(readFileSync(join(dir, 'one', '.gitignore'), 'utf8')).toMatch(/^\.env$/m);
  });

  it('the same command twice with --force changes nothing, keeps .env and user code', () => {
    const dir = cwd();
    const args = ['new', 'shop', '--yes', '--no-git'];
    expect(runCli(args, { cwd: dir }).code).toBe(0);
    const before = snapshotDir(join(dir, 'shop'));
    const mtimes = listFiles(join(dir, 'shop')).map((f) => statSync(join(dir, 'shop', f)).mtimeMs);
    const again = runCli([...args, '--force', '--json'], { cwd: dir });
    expect(again.code).toBe(0);
    const actions = new Set(JSON.parse(again.stdout).targets[0].files.map((f: { action: string }) => f.action));
    expect([...actions].sort()).toEqual(['kept', 'unchanged']);
    expect(snapshotDir(join(dir, 'shop'))).toEqual(before);
    expect(listFiles(join(dir, 'shop')).map((f) => statSync(join(dir, 'shop', f)).mtimeMs)).toEqual(mtimes);
  });

  it('--force keeps an owned file the user edited ("kept (edited)"), --dry-run shows the diff, --overwrite-edited replaces it', () => {
    const dir = cwd();
    const args = ['new', 'shop', '--yes', '--no-git'];
    runCli(args, { cwd: dir });
    const shop = join(dir, 'shop');
    const compose = readFileSync(join(shop, 'docker-compose.yml'), 'utf8');
    writeFileSync(join(shop, 'docker-compose.yml'), compose + '# my note\n');
    writeFileSync(join(shop, 'data/api/main.py'), 'print("my code")\n');
    writeFileSync(join(shop, 'extra.txt'), 'mine\n');
    const dry = runCli([...args, '--force', '--dry-run'], { cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('kept (edited) docker-compose.yml');
    expect(dry.stdout).toContain('--- a/docker-compose.yml');
    expect(dry.stdout).toMatch(/^-# my note$/m);
    const kept = runCli([...args, '--force'], { cwd: dir });
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(/kept \(edited.*\): docker-compose\.yml/);
    expect(readFileSync(join(shop, 'docker-compose.yml'), 'utf8')).toBe(compose + '# my note\n');
    expect(runCli([...args, '--force', '--overwrite-edited'], { cwd: dir }).code).toBe(0);
    expect(readFileSync(join(shop, 'docker-compose.yml'), 'utf8')).toBe(compose);
    expect(readFileSync(join(shop, 'data/api/main.py'), 'utf8')).toBe('print("my code")\n');
    expect(readFileSync(join(shop, 'extra.txt'), 'utf8')).toBe('mine\n');
  });

  it('--force with a service added keeps every existing secret and appends the new ones to .env', () => {
    const dir = cwd();
    const base = ['new', 'shop', '--no-git', '--service', 'api:fastapi', '--service', 'db:postgres'];
    runCli(base, { cwd: dir });
    const env = join(dir, 'shop', '.env');
    const before = readFileSync(env, 'utf8');
    const more = [...base, '--service', 'cache:redis', '--force'];
    const dry = runCli([...more, '--dry-run'], { cwd: dir });
    expect(dry.stdout).toContain('+CACHE_PASSWORD=<hidden>');
    expect(dry.stdout).not.toMatch(/PASSWORD=[A-Za-z0-9_-]{43}/); // no secret value is ever printed
    expect(runCli(more, { cwd: dir }).code).toBe(0);
    const after = readFileSync(env, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after).toMatch(/^CACHE_PASSWORD=[A-Za-z0-9_-]{43}$/m);
    expect(statSync(env).mode & 0o777).toBe(0o600);
    const again = runCli([...more, '--json'], { cwd: dir });
    expect(JSON.parse(again.stdout).targets[0].files.find((f: { path: string }) => f.path === '.env').action).toBe('kept');
  });

  it('--force into a directory create-stack did not make keeps every file that was there', () => {
    const dir = cwd();
    const own = join(dir, 'mine');
    mkdirSync(own);
    writeFileSync(join(own, 'README.md'), '# my project\n');
    writeFileSync(join(own, 'docker-compose.yml'), 'services: {}\n');
    const r = runCli(['new', 'mine', '--yes', '--no-git', '--force'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kept as they were (create-stack did not make them): README.md, docker-compose.yml');
    expect(readFileSync(join(own, 'README.md'), 'utf8')).toBe('# my project\n');
    expect(readFileSync(join(own, 'docker-compose.yml'), 'utf8')).toBe('services: {}\n');
    expect(existsSync(join(own, 'docker-compose.prod.yml'))).toBe(true);
  });

  it('--answers <.create-stack.yaml> reproduces the same tree but for secrets and the name', () => {
    const dir = cwd();
    runCli(['new', 'alpha-one', '--no-git', '--service', 'api:fastapi:8001', '--service', 'jobs:worker', '--service', 'store:mongodb'], { cwd: dir });
    const r = runCli(['new', 'beta-two', '--no-git', '--answers', join(dir, 'alpha-one', '.create-stack.yaml')], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const norm = (name: string) => {
      const files = snapshotDir(join(dir, name));
      delete files['.env'];
      delete files['.create-stack/base.json.gz']; // gzip of the files compared here
      return JSON.parse(JSON.stringify(files).replaceAll(name, 'NAME').replaceAll(name.replace('-', '_'), 'NAME'));
    };
    expect(norm('beta-two')).toEqual(norm('alpha-one'));
    const envKeys = (name: string) => readFileSync(join(dir, name, '.env'), 'utf8').match(/^[A-Z_]+(?==)/gm);
    expect(envKeys('beta-two')).toEqual(envKeys('alpha-one'));
  });
});

describe('atomic apply', () => {
  it.each(['1', '20', 'commit'])('a fault injected at %s leaves no target and no staging directory', (at) => {
    const dir = cwd();
    const r = runCli(['new', 'shop', '--yes', '--no-git'], { cwd: dir, env: { CREATE_STACK_FAULT_AFTER: at } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('injected fault');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a fault while updating an existing stack puts every old file back', () => {
    const { dir, shop, before } = stackWithLocalEdits();
    const r = runCli(['new', 'shop', '--yes', '--no-git', '--force'], { cwd: dir, env: { CREATE_STACK_FAULT_AFTER: 'commit' } });
    expect(r.code).toBe(1);
    expect(snapshotDir(shop)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['shop']);
  });

  it('a run killed mid-update of an existing stack is undone by the next run', () => {
    const { dir, shop, before } = stackWithLocalEdits();
    const killed = runCli(['new', 'shop', '--yes', '--no-git', '--force'], { cwd: dir, env: { CREATE_STACK_FAULT_AFTER: 'kill' } });
    expect(killed.code).toBeNull(); // SIGKILL: no handler ran
    expect(snapshotDir(shop)).not.toEqual(before); // one file was already replaced
    expect(readdirSync(dir).some((e) => e.includes('.create-stack-'))).toBe(true);
    // The next run puts the old files back before it looks at the repo; this one then stops (exit 2).
    const next = runCli(['new', 'shop', '--yes', '--no-git'], { cwd: dir });
    expect(next.code).toBe(2);
    expect(snapshotDir(shop)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['shop']);
  });

  it('a staging directory left by a killed run is removed by the next run', () => {
    const dir = cwd();
    mkdirSync(join(dir, '.shop.create-stack-999999-deadbeef'));
    expect(runCli(['new', 'shop', '--yes', '--no-git'], { cwd: dir }).code).toBe(0);
    expect(readdirSync(dir)).toEqual(['shop']);
  });
});

describe('add', () => {
  it('outside a stack: exit 2 [not-a-stack], nothing written', () => {
    const dir = cwd();
    const r = runCli(['add', 'deploy'], { cwd: dir });
    expect(r.stderr).toContain('[not-a-stack]');
    expect(r.code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });
  it('an unknown layer: exit 2 [layer-unknown]', () => {
    const dir = cwd();
    runCli(['new', 'shop', '--yes', '--no-git'], { cwd: dir });
    const before = snapshotDir(join(dir, 'shop'));
    const r = runCli(['add', 'terraform', '--repo', 'shop'], { cwd: dir });
    expect(r.stderr).toContain('[layer-unknown]');
    expect(r.code).toBe(2);
    expect(snapshotDir(join(dir, 'shop'))).toEqual(before);
  });
});

describe('add deploy and files the user changed', () => {
  it('a README the user edited is a conflict: exit 2, nothing written; --force keeps it, --overwrite-edited replaces it', () => {
    const dir = cwd();
    runCli(['new', 'shop', '--yes', '--no-git'], { cwd: dir });
    const shop = join(dir, 'shop');
    writeFileSync(join(shop, 'README.md'), '# my own README\n');
    const before = snapshotDir(shop);
    const r = runCli(['add', 'deploy'], { cwd: shop });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[add-conflict]');
    expect(r.stderr).toContain('README.md');
    expect(snapshotDir(shop)).toEqual(before);
    const dry = runCli(['add', 'deploy', '--dry-run'], { cwd: shop });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('-# my own README');
    expect(dry.stdout).toMatch(/add stops here \[add-conflict\].*README\.md/);
    const forced = runCli(['add', 'deploy', '--force'], { cwd: shop });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/kept \(edited.*\): README\.md/);
    expect(readFileSync(join(shop, 'README.md'), 'utf8')).toBe('# my own README\n');
    expect(existsSync(join(shop, 'Makefile'))).toBe(true);
    expect(runCli(['add', 'deploy', '--overwrite-edited'], { cwd: shop }).code).toBe(0);
    expect(readFileSync(join(shop, 'README.md'), 'utf8')).toContain('## Deploy to Kubernetes');
  });
});

describe('git', () => {
  it('initialises a repo with a first commit by default', () => {
    const dir = cwd();
    const r = runCli(['new', 'shop', '--yes'], { cwd: dir, env: { GIT_CONFIG_GLOBAL: '/dev/null' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const log = spawnSync('git', ['log', '--oneline'], { cwd: join(dir, 'shop'), encoding: 'utf8' });
    expect(log.stdout).toMatch(/Initial stack from create-stack/);
    const status = spawnSync('git', ['status', '--porcelain', '--ignored'], { cwd: join(dir, 'shop'), encoding: 'utf8' });
    expect(status.stdout.trim()).toBe('!! .env'); // everything committed but the secrets
  });

  it('a failing git commit is a warning: the stack is written, exit 0', () => {
    const dir = cwd();
    const cfg = join(dir, '..', `gitconfig-${n}`);
    writeFileSync(cfg, '[commit]\n\tgpgsign = true\n[gpg]\n\tprogram = /bin/false\n');
    const r = runCli(['new', 'shop', '--yes'], { cwd: dir, env: { GIT_CONFIG_GLOBAL: cfg } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: git init\/commit failed in shop/);
    expect(existsSync(join(dir, 'shop', 'docker-compose.yml'))).toBe(true);
  });

  it('output piped into a reader that stops early (| head) is not an error', () => {
    const dir = cwd();
    runCli(['new', 'shop', '--yes', '--no-git'], { cwd: dir });
    // `add deploy --dry-run` prints every new file as a diff: far more than a pipe buffer holds.
    const full = runCli(['add', 'deploy', '--dry-run'], { cwd: join(dir, 'shop') });
    expect(full.stdout.length).toBeGreaterThan(128 * 1024);
    const r = spawnSync('bash', ['-c', `node ${JSON.stringify(join(ROOT, 'bin/create-stack.cjs'))} add deploy --dry-run | head -1; exit "\${PIPESTATUS[0]}"`], { cwd: join(dir, 'shop'), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/would change/);
  });

  it('skips git init inside an existing work tree, and with --no-git', () => {
    const dir = cwd();
    spawnSync('git', ['init', '-q'], { cwd: dir });
    const r = runCli(['new', 'shop', '--yes'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('not initialised: it is inside another git repository');
    expect(existsSync(join(dir, 'shop', '.git'))).toBe(false);
    const other = cwd();
    runCli(['new', 'shop', '--yes', '--no-git'], { cwd: other });
    expect(existsSync(join(other, 'shop', '.git'))).toBe(false);
  });
});

/** A generated stack whose two compose files were edited and one script deleted: an update has work to do. */
function stackWithLocalEdits() {
  const dir = cwd();
  runCli(['new', 'shop', '--yes', '--no-git'], { cwd: dir });
  const shop = join(dir, 'shop');
  writeFileSync(join(shop, 'docker-compose.yml'), 'services: {}\n');
  writeFileSync(join(shop, 'docker-compose.prod.yml'), 'services: {}\n');
  rmSync(join(shop, 'data/scripts/test.sh'));
  return { dir, shop, before: snapshotDir(shop) };
}
