// `npx plop stack` goes through the same engine: same files as the CLI, atomic, and a bad name
// or an existing target fails with nothing written.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, removeDir, runCli, tempDir } from './helpers/cli.js';
import { listFiles } from './helpers/validators.js';

const work = tempDir('cs-plop-');
afterAll(() => removeDir(work));

function plop(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'node_modules/plop/bin/plop.js'), '--plopfile', join(ROOT, 'plopfile.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input: '',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' },
  });
}

function tree(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).filter((f) => f !== '.env' && !f.startsWith('.git/')).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

describe('plopfile stack generator', () => {
  it('writes the same tree as `create-stack new` for the same answers', () => {
    const viaPlop = join(work, 'plop');
    const viaCli = join(work, 'cli');
    mkdirSync(viaPlop);
    mkdirSync(viaCli);
    const r = plop(['--dest', viaPlop, 'stack', 'shop', 'api:fastapi db:postgres cache:redis']);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(runCli(['new', 'shop', '--no-git', '--service', 'api:fastapi', '--service', 'db:postgres', '--service', 'cache:redis'], { cwd: viaCli }).code).toBe(0);
    expect(tree(join(viaPlop, 'shop'))).toEqual(tree(join(viaCli, 'shop')));
    expect(readdirSync(join(viaPlop, 'shop'))).toContain('.git');
  });

  it('an existing target fails and is left untouched; a bad name is refused before anything is written', () => {
    const dest = join(work, 'again');
    mkdirSync(dest);
    expect(plop(['--dest', dest, 'stack', 'shop', 'api:fastapi']).status).toBe(0);
    const before = tree(join(dest, 'shop'));
    const again = plop(['--dest', dest, 'stack', 'shop', 'web:node']);
    expect(again.status).not.toBe(0);
    expect(again.stdout + again.stderr).toContain('[target-not-empty]');
    expect(tree(join(dest, 'shop'))).toEqual(before);
    const bad = plop(['--dest', dest, 'stack', 'Bad', 'api:fastapi']);
    expect(bad.status).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/upper-case/);
    expect(readdirSync(dest)).toEqual(['shop']);
  });
});
