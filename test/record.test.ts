// The record of what create-stack wrote (.create-stack/base.json.gz) and what --force does with it:
// an owned file that differs from the record is the user's and is kept unless --overwrite-edited.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { ROOT, removeDir, runCli, tempDir } from './helpers/cli.js';
import { listFiles } from './helpers/validators.js';

const work = tempDir('cs-record-');
afterAll(() => removeDir(work));
let n = 0;
const cwd = () => {
  const d = join(work, `case-${++n}`);
  mkdirSync(d);
  return d;
};
const RECORD = '.create-stack/base.json.gz';
const record = (repo: string) => JSON.parse(gunzipSync(readFileSync(join(repo, RECORD))).toString('utf8')) as { format: number; version: string; files: Record<string, string> };
const json = (stdout: string) => JSON.parse(stdout) as { targets: Array<{ files: Array<{ path: string; action: string; edited?: boolean }> }> };

describe('the record', () => {
  it('holds exactly what new wrote for every owned file, no user-owned file, no secret, and is small', () => {
    const dir = cwd();
    expect(runCli(['new', 'shop', '--yes', '--no-git'], { cwd: dir }).code).toBe(0);
    const shop = join(dir, 'shop');
    const rec = record(shop);
    expect(rec.format).toBe(1);
    expect(rec.version).toMatch(/^\d+\.\d+\.\d+/);
    // Every file but the record and the user-owned globs of templates/bd-build-data/preset.yaml.
    const globs = (parse(readFileSync(join(ROOT, 'templates/bd-build-data/preset.yaml'), 'utf8')) as { userOwned: string[] }).userOwned;
    const userOwned = globs.map((g) => new RegExp(`^${g.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`));
    expect(globs).toContain('.env');
    const owned = listFiles(shop).filter((f) => f !== RECORD && !userOwned.some((re) => re.test(f)));
    expect(Object.keys(rec.files).sort()).toEqual(owned.sort());
    for (const [path, content] of Object.entries(rec.files)) expect(readFileSync(join(shop, path), 'utf8'), path).toBe(content);
    const secrets = [...readFileSync(join(shop, '.env'), 'utf8').matchAll(/^[A-Z_]+(?:PASSWORD|SECRET)[A-Z_]*=(.+)$/gm)].map((m) => m[1]!);
    expect(secrets.length).toBeGreaterThan(0);
    const text = gunzipSync(readFileSync(join(shop, RECORD))).toString('utf8');
    for (const s of secrets) expect(text).not.toContain(s);
    expect(statSync(join(shop, RECORD)).size).toBeLessThan(16 * 1024);
  });

  it('both repos of app-support get one; add deploy records the layer files', () => {
    const dir = cwd();
    expect(runCli(['new', 'demo', '--preset', 'app-support', '--yes', '--no-git'], { cwd: dir }).code).toBe(0);
    for (const repo of ['demo', 'demo-support']) expect(record(join(dir, repo)).files['.create-stack.yaml']).toBeDefined();
    expect(runCli(['add', 'deploy', '--repo', 'demo'], { cwd: dir }).code).toBe(0);
    const support = record(join(dir, 'demo-support'));
    expect(support.files['Makefile']).toBe(readFileSync(join(dir, 'demo-support', 'Makefile'), 'utf8'));
    expect(record(join(dir, 'demo')).files['.create-stack.yaml']).toContain('- deploy');
  });

  it('a re-run that changes nothing leaves the record byte for byte', () => {
    const dir = cwd();
    runCli(['new', 'shop', '--yes', '--no-git'], { cwd: dir });
    const before = readFileSync(join(dir, 'shop', RECORD));
    const mtime = statSync(join(dir, 'shop', RECORD)).mtimeMs;
    const r = runCli(['new', 'shop', '--yes', '--no-git', '--force', '--json'], { cwd: dir });
    expect(json(r.stdout).targets[0]!.files.find((f) => f.path === RECORD)!.action).toBe('unchanged');
    expect(readFileSync(join(dir, 'shop', RECORD)).equals(before)).toBe(true);
    expect(statSync(join(dir, 'shop', RECORD)).mtimeMs).toBe(mtime);
  });
});

describe('--force and files the user edited', () => {
  it('a service added with --force updates files the user did not touch and keeps the one they did', () => {
    const dir = cwd();
    const args = ['new', 'shop', '--no-git', '--service', 'api:fastapi', '--service', 'db:postgres'];
    runCli(args, { cwd: dir });
    const shop = join(dir, 'shop');
    const compose = readFileSync(join(shop, 'docker-compose.yml'), 'utf8');
    const edited = compose.replace('services:\n', 'services:\n  # ours\n');
    writeFileSync(join(shop, 'docker-compose.yml'), edited);
    const r = runCli([...args, '--service', 'cache:redis', '--force', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const files = json(r.stdout).targets[0]!.files;
    expect(files.find((f) => f.path === 'docker-compose.yml')).toMatchObject({ action: 'kept', edited: true });
    expect(files.find((f) => f.path === 'docker-compose.prod.yml')!.action).toBe('update');
    expect(readFileSync(join(shop, 'docker-compose.yml'), 'utf8')).toBe(edited);
    expect(readFileSync(join(shop, 'docker-compose.prod.yml'), 'utf8')).toContain('cache:');
    // The record still holds what create-stack wrote for the kept file, so it stays the user's.
    expect(record(shop).files['docker-compose.yml']).toBe(compose);
    expect(record(shop).files['docker-compose.prod.yml']).toBe(readFileSync(join(shop, 'docker-compose.prod.yml'), 'utf8'));
    const again = runCli([...args, '--service', 'cache:redis', '--force'], { cwd: dir });
    expect(again.stdout).toMatch(/kept \(edited.*\): docker-compose\.yml/);
  });

  it('a repo without a record: every owned file that differs is kept as the user\'s, and a record is written', () => {
    const dir = cwd();
    runCli(['new', 'shop', '--yes', '--no-git'], { cwd: dir });
    const shop = join(dir, 'shop');
    rmSync(join(shop, '.create-stack'), { recursive: true });
    writeFileSync(join(shop, 'Makefile.local'), 'x\n');
    writeFileSync(join(shop, 'docker-compose.override.yml'), 'services: {}\n');
    const r = runCli(['new', 'shop', '--yes', '--no-git', '--force'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/kept \(edited.*\): docker-compose\.override\.yml/);
    expect(readFileSync(join(shop, 'docker-compose.override.yml'), 'utf8')).toBe('services: {}\n');
    expect(existsSync(join(shop, RECORD))).toBe(true);
    expect(record(shop).files['docker-compose.override.yml']).toBeUndefined();
  });

  it('a record that is not one: exit 2 [record-corrupt], nothing written', () => {
    const dir = cwd();
    runCli(['new', 'shop', '--yes', '--no-git'], { cwd: dir });
    const shop = join(dir, 'shop');
    writeFileSync(join(shop, RECORD), 'not gzip');
    writeFileSync(join(shop, 'docker-compose.yml'), 'services: {}\n');
    const r = runCli(['new', 'shop', '--yes', '--no-git', '--force'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[record-corrupt]');
    expect(readFileSync(join(shop, 'docker-compose.yml'), 'utf8')).toBe('services: {}\n');
  });

  it('add deploy --force keeps an edited README, --overwrite-edited replaces it, --dry-run shows that diff', () => {
    const dir = cwd();
    runCli(['new', 'shop', '--yes', '--no-git'], { cwd: dir });
    const shop = join(dir, 'shop');
    const readme = readFileSync(join(shop, 'README.md'), 'utf8') + '\nOur notes.\n';
    writeFileSync(join(shop, 'README.md'), readme);
    const dry = runCli(['add', 'deploy', '--force', '--dry-run'], { cwd: shop });
    expect(dry.stdout).toContain('kept (edited) README.md');
    expect(dry.stdout).toMatch(/^-Our notes\.$/m);
    expect(runCli(['add', 'deploy', '--force'], { cwd: shop }).code).toBe(0);
    expect(readFileSync(join(shop, 'README.md'), 'utf8')).toBe(readme);
    expect(readFileSync(join(shop, '.create-stack.yaml'), 'utf8')).toContain('- deploy');
    expect(runCli(['add', 'deploy', '--overwrite-edited'], { cwd: shop }).code).toBe(0);
    expect(readFileSync(join(shop, 'README.md'), 'utf8')).not.toContain('Our notes.');
  });
});
