/**
 * `create-stack add deploy` (the CLI command is wired by the lead on top of planDeployLayer; until
 * it is, these tests fail by design: they are its specification).
 * Inside a repo generated without the layer, `add deploy` must give exactly the files of
 * `new … --with deploy` (`.create-stack.yaml` compared parsed: its `with:` may be written
 * differently), leave every file it does not own as it was (.env secrets included), and a second
 * run must change nothing.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { removeDir, runCli } from './helpers/cli.js';
import { listFiles } from './helpers/validators.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'create-stack-deploy-add-'));
});
afterAll(() => removeDir(tmp));

type Tree = Map<string, { content: string; mode: number }>;

function snapshot(dir: string): Tree {
  const tree: Tree = new Map();
  for (const f of listFiles(dir)) {
    if (f.startsWith('.git/')) continue;
    tree.set(f, { content: readFileSync(join(dir, f), 'utf8'), mode: statSync(join(dir, f)).mode & 0o777 });
  }
  return tree;
}

/** Generates `args` twice, with and without --with deploy, in two fresh dirs; returns [plain, layered] parents. */
function generatePair(args: string[]): [string, string] {
  const plain = mkdtempSync(join(tmp, 'plain-'));
  const layered = mkdtempSync(join(tmp, 'layered-'));
  const a = runCli(['new', ...args, '--yes', '--no-git'], { cwd: plain });
  expect(a.code, a.stderr).toBe(0);
  const b = runCli(['new', ...args, '--with', 'deploy', '--yes', '--no-git'], { cwd: layered });
  expect(b.code, b.stderr).toBe(0);
  return [plain, layered];
}

function expectSameAsNew(repo: string, expected: Tree, before: Tree): void {
  const after = snapshot(repo);
  expect([...after.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [path, want] of expected) {
    const got = after.get(path)!;
    if (path === '.create-stack.yaml') expect(parseYaml(got.content), path).toEqual(parseYaml(want.content));
    // Secrets are random per run: add deploy must keep the repo's own .env.
    else if (path === '.env') expect(got.content, path).toBe(before.get(path)!.content);
    else expect(got.content, path).toBe(want.content);
    expect(got.mode, `${path} mode`).toBe(want.mode);
  }
}

describe('create-stack add deploy (CLI wired by the lead)', () => {
  it('add deploy in a bd-build-data stack = new --with deploy, and a second run changes nothing', () => {
    const args = ['shop', '--service', 'api:fastapi', '--service', 'jobs:worker', '--service', 'db:postgres', '--service', 'cache:redis'];
    const [plain, layered] = generatePair(args);
    const repo = join(plain, 'shop');
    const before = snapshot(repo);
    const r = runCli(['add', 'deploy'], { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    expectSameAsNew(repo, snapshot(join(layered, 'shop')), before);

    const once = snapshot(repo);
    const again = runCli(['add', 'deploy'], { cwd: repo });
    expect(again.code, again.stderr).toBe(0);
    expect(snapshot(repo)).toEqual(once);
  });

  it('add deploy keeps what the user changed in files the layer does not own, and their migrations', () => {
    const [plain] = generatePair(['keep', '--service', 'api:fastapi', '--service', 'db:postgres']);
    const repo = join(plain, 'keep');
    expect(runCli(['add', 'deploy'], { cwd: repo }).code).toBe(0);
    const mine = join(repo, 'migrations/001_initial_schema.up.sql');
    writeFileSync(mine, '-- my schema\n');
    const r = runCli(['add', 'deploy'], { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(mine, 'utf8')).toBe('-- my schema\n');
  });

  it('add deploy in the support repo of an app-support pair = new --preset app-support --with deploy', () => {
    const [plain, layered] = generatePair(['pair', '--preset', 'app-support']);
    const repo = join(plain, 'pair-support');
    const before = snapshot(repo);
    const r = runCli(['add', 'deploy'], { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    expectSameAsNew(repo, snapshot(join(layered, 'pair-support')), before);
    // The app repo only records the layer in its .create-stack.yaml, exactly as `new --with deploy` writes it.
    expect(snapshot(join(plain, 'pair')), 'the app repo = the one new --with deploy makes').toEqual(snapshot(join(layered, 'pair')));
    const once = snapshot(repo);
    expect(runCli(['add', 'deploy'], { cwd: repo }).code).toBe(0);
    expect(snapshot(repo)).toEqual(once);
  });
});
