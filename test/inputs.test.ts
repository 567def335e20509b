// Input handling found lacking when the tool was tried as a newcomer would: hostile answers files,
// options of another preset, a second service of one kind, and what the messages say.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BIN, caseDirs, removeDir, runCli, tempDir } from './helpers/cli.js';

const work = tempDir('cs-inputs-');
afterAll(() => removeDir(work));
const cwd = caseDirs(work);
const refused = (dir: string, args: string[], rule: string) => {
  const r = runCli(args, { cwd: dir });
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain(`[${rule}]`);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  return r;
};

describe('answers files that are not answers files: exit 2, nothing written', () => {
  it('a 2 MB file is refused without being read [answers-too-large]', () => {
    const d = cwd();
    writeFileSync(join(d, 'big.yaml'), `name: big\n# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    refused(d, ['new', 'shop', '--answers', 'big.yaml', '--yes'], 'answers-too-large');
    expect(readdirSync(d)).toEqual(['big.yaml']);
  });
  it('a directory, a FIFO (no hang) and /dev/zero are refused [answers-not-a-file]', () => {
    const d = cwd();
    mkdirSync(join(d, 'dir.yaml'));
    execFileSync('mkfifo', [join(d, 'fifo.yaml')]);
    for (const f of ['dir.yaml', 'fifo.yaml', '/dev/zero']) {
      const r = spawnSync(process.execPath, [BIN, 'new', 'shop', '--answers', f, '--yes'], { cwd: d, encoding: 'utf8', timeout: 20_000, input: '' });
      expect(r.status, `${f}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('[answers-not-a-file]');
    }
    expect(readdirSync(d).sort()).toEqual(['dir.yaml', 'fifo.yaml']);
  });
  it('binary data is refused [answers-binary]; an alias bomb is refused as YAML [answers-yaml]', () => {
    const d = cwd();
    writeFileSync(join(d, 'bin.yaml'), Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0x00, 0x01, 0x02]));
    refused(d, ['new', 'shop', '--answers', 'bin.yaml', '--yes'], 'answers-binary');
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`)].join('\n');
    writeFileSync(join(d, 'bomb.yaml'), bomb + '\n');
    refused(d, ['new', 'shop', '--answers', 'bomb.yaml', '--yes'], 'answers-yaml');
    expect(readdirSync(d).sort()).toEqual(['bin.yaml', 'bomb.yaml']);
  });
});

describe('an option of another preset is refused, not ignored [option-preset]', () => {
  it.each([
    [['new', 'shop', '--yes', '--app-kind', 'node'], '--app-kind'],
    [['new', 'shop', '--yes', '--db-memory', '2GB'], '--db-memory'],
    [['new', 'shop', '--yes', '--preset', 'server', '--domain', 'example.com', '--app-kind', 'node'], '--app-kind'],
    [['new', 'shop', '--yes', '--no-terraform'], '--no-terraform'],
    [['new', 'shop', '--yes', '--preset', 'app-support', '--terraform'], '--terraform'],
  ])('%j', (args, flag) => {
    const d = cwd();
    const r = refused(d, args, 'option-preset');
    expect(r.stderr).toContain(flag);
    expect(readdirSync(d)).toEqual([]);
  });
  it('in their own preset they are taken', () => {
    const d = cwd();
    const r = runCli(['new', 'shop', '--preset', 'app-support', '--app-kind', 'node', '--db-memory', '2GB', '--no-git'], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('a second service of one kind gets the next free host port, and the summary says so', () => {
  it('new: db:postgres + db2:postgres → 5432 and 5433', () => {
    const d = cwd();
    const r = runCli(['new', 'shop', '--service', 'api:fastapi', '--service', 'db:postgres', '--service', 'db2:postgres', '--no-git'], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('db2: published on host port 5433 (5432 is taken by db)');
    const spec = parse(readFileSync(join(d, 'shop', '.create-stack.yaml'), 'utf8'));
    expect(spec.services.find((s: { name: string }) => s.name === 'db2').port).toBe(5433);
    // Databases are published in development only, on loopback.
    const dev = parse(readFileSync(join(d, 'shop', 'docker-compose.override.yml'), 'utf8'));
    expect(dev.services.db2.ports).toEqual(['127.0.0.1:5433:5432']);
    expect(dev.services.db.ports).toEqual(['127.0.0.1:5432:5432']);
  });
  it('an explicit port is never moved: the implicit one gives way', () => {
    const d = cwd();
    const r = runCli(['new', 'shop', '--service', 'db:postgres', '--service', 'db2:postgres:5432', '--no-git'], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('db: published on host port 5433 (5432 is taken by db2)');
  });
  it('two explicit ports that clash are still refused [port-conflict]', () => {
    refused(cwd(), ['new', 'shop', '--service', 'db:postgres:5432', '--service', 'db2:postgres:5432', '--no-git'], 'port-conflict');
  });
  it('add service: a second redis takes 6380, and --json lists the note', () => {
    const d = cwd();
    expect(runCli(['new', 'shop', '--service', 'api:fastapi', '--service', 'cache:redis', '--no-git'], { cwd: d }).code).toBe(0);
    const r = runCli(['add', 'service', 'sessions:redis', '--json'], { cwd: join(d, 'shop') });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).notes).toContain('sessions: published on host port 6380 (6379 is taken by cache)');
    expect(readFileSync(join(d, 'shop', 'docker-compose.override.yml'), 'utf8')).toContain('127.0.0.1:6380:6379');
  });
});

describe('messages', () => {
  it('a repo updated from inside it is named: "Updated shop in ./"', () => {
    const d = cwd();
    expect(runCli(['new', 'shop', '--yes', '--no-git'], { cwd: d }).code).toBe(0);
    const r = runCli(['add', 'deploy'], { cwd: join(d, 'shop') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Updated shop in \.\/ \(/m);
  });
  it('every problem of a name at once, and a fix that fits what was named', () => {
    const d = cwd();
    const stack = refused(d, ['new', 'Bad_Name', '--yes'], 'name-format');
    expect(stack.stderr).toContain('contains upper-case letters, contains "_"');
    expect(stack.stderr).toContain('choose a name like "bad-name" (create-stack new bad-name)');
    const svc = refused(d, ['new', 'shop', '--yes', '--service', 'My_Cache:redis'], 'name-format');
    expect(svc.stderr).toContain('service name "My_Cache"');
    expect(svc.stderr).toContain('(--service my-cache:redis)');
    expect(svc.stderr).not.toContain('create-stack new');
    expect(readdirSync(d)).toEqual([]);
  });
  it('git inside another repository: said in words', () => {
    const d = cwd();
    execFileSync('git', ['init', '-q', d]);
    const r = runCli(['new', 'shop', '--yes'], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('git: shop: not initialised: it is inside another git repository (commit it there)');
    expect(r.stdout).not.toContain('skipped-inside-work-tree');
  });
});
