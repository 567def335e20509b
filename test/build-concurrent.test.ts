// A CLI started while `npm run build` rebuilds dist/ works (old dist or new), and two builds at once
// both succeed: dist/ is built aside and swapped in (scripts/build.mjs, bin/create-stack.cjs).
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, tempDir } from './helpers/cli.js';

const cwd = tempDir('create-stack-build-');
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function build(): Promise<number | null> {
  return new Promise((res) => spawn(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'ignore' }).on('close', res));
}

describe('build while the CLI runs', () => {
  it('every run during two concurrent builds exits 0; both builds succeed; nothing is left beside dist/', async () => {
    let building = true;
    const builds = Promise.all([build(), build()]).finally(() => (building = false));
    const failures: string[] = [];
    let runs = 0;
    while (building) {
      const r = await new Promise<{ code: number | null; stderr: string }>((res) => {
        const p = spawn(process.execPath, [BIN, 'new', 'x', '--yes', '--dry-run', '--json'], { cwd });
        let stderr = '';
        p.stderr.on('data', (b) => (stderr += b));
        p.on('close', (code) => res({ code, stderr }));
      });
      runs++;
      if (r.code !== 0) failures.push(`${r.code}: ${r.stderr.trim()}`);
    }
    expect(await builds).toEqual([0, 0]);
    expect(runs).toBeGreaterThan(3);
    expect(failures).toEqual([]);
    expect(readdirSync(ROOT).filter((e) => e.startsWith('.dist-'))).toEqual([]);
    expect(spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }).status).toBe(0);
  }, 300_000);
});
