// Targets that are links, runs racing for one target, and what every failure prints.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, runCli, tempDir } from './helpers/cli.js';

const work = tempDir('create-stack-safety-');
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const d = join(work, `t-${++n}`);
  mkdirSync(d);
  return d;
};

describe('a target that is a symbolic link: exit 2 [target-symlink], nothing written through it', () => {
  it.each(['directory', 'dangling', 'file'])('%s link', (what) => {
    const dir = fresh();
    const elsewhere = join(dir, 'elsewhere');
    if (what === 'directory') mkdirSync(elsewhere);
    if (what === 'file') runCli(['new', 'x', '--yes', '--no-git', '--dest', dir], { cwd: dir });
    symlinkSync(what === 'file' ? join(dir, 'x', 'README.md') : elsewhere, join(dir, 'demo'));
    for (const args of [['new', 'demo', '--yes', '--no-git'], ['new', 'demo', '--yes', '--no-git', '--force']]) {
      const r = runCli(args, { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('[target-symlink]');
      expect(r.stderr).not.toMatch(/ENOTDIR|\n\s+at /);
    }
    if (what === 'directory') expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('a folder inside an existing stack that is a link is not written through', () => {
    const dir = fresh();
    expect(runCli(['new', 'shop', '--yes', '--no-git'], { cwd: dir }).code).toBe(0);
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    // The folder goes; a link to a folder outside takes its place.
    rmSync(join(dir, 'shop', 'data'), { recursive: true, force: true });
    symlinkSync(outside, join(dir, 'shop', 'data'));
    const r = runCli(['new', 'shop', '--yes', '--no-git', '--force'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('[target-symlink]');
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe('two runs racing for one new target', () => {
  it('each ends with exit 0 or exit 2 [target-created-meanwhile]; no raw rename error, no leftovers', async () => {
    for (let round = 0; round < 6; round++) {
      const dir = fresh();
      const one = () =>
        new Promise<{ code: number | null; stderr: string }>((res) => {
          const p = spawn(process.execPath, [BIN, 'new', 'shop', '--yes', '--no-git'], { cwd: dir });
          let stderr = '';
          p.stderr.on('data', (b) => (stderr += b));
          p.on('close', (code) => res({ code, stderr }));
        });
      const results = await Promise.all([one(), one(), one()]);
      expect(results.filter((r) => r.code === 0).length).toBeGreaterThanOrEqual(1);
      for (const r of results) {
        expect([0, 2], r.stderr).toContain(r.code);
        if (r.code === 2) expect(r.stderr).toMatch(/\[(target-created-meanwhile|target-not-empty)\]/);
        expect(r.stderr).not.toMatch(/ENOTEMPTY|EEXIST/);
      }
      expect(readdirSync(dir)).toEqual(['shop']);
      expect(existsSync(join(dir, 'shop', '.create-stack.yaml'))).toBe(true);
    }
  }, 120_000);
});

describe('what a failure prints', () => {
  it('with --json, a user error is JSON on stdout as well as text on stderr', () => {
    const r = runCli(['new', 'Bad_Name', '--yes', '--json'], { cwd: fresh() });
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { ok: boolean; error: { rule: string; message: string } };
    expect(out.ok).toBe(false);
    expect(out.error.rule).toMatch(/^[a-z-]+$/);
    expect(r.stderr).toContain(`[${out.error.rule}]`);
  });

  it('an internal failure (exit 1) prints one line of cause', () => {
    const r = runCli(['new', 'shop', '--yes', '--no-git'], { cwd: fresh(), env: { CREATE_STACK_FAULT_AFTER: '3' } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^create-stack: \S/);
  });
});
