// A SIGKILL at every rename and every write of every writing command (a `node -r` preload counts
// them and kills at the N-th, N = 1…all): after recovery the tree is the old one or the new one,
// never a mix, and the command run again ends on the tree an uninterrupted run makes.
// (update has the same sweep in test/update.test.ts.)
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recoverInterrupted } from '../src/apply.js';
import { ROOT, runCli, tempDir } from './helpers/cli.js';
import { snap, treeDiff, type Snap } from './helpers/tree.js';

const PRELOAD = join(ROOT, 'test', 'helpers', 'kill-at-op.cjs');
const work = tempDir('create-stack-kill-');
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;

interface Case {
  name: string;
  /** Builds the world the command runs in, inside `parent`. */
  setup: (parent: string) => void;
  /** The working directory of the command, relative to the parent. */
  cwd: string;
  args: string[];
}

const ok = (cwd: string, args: string[]) => {
  const r = runCli(args, { cwd });
  if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
};
const stack = (parent: string, ...extra: string[]) => ok(parent, ['new', 'shop', '--yes', '--no-git', ...extra]);
const append = (file: string, text: string) => writeFileSync(file, readFileSync(file, 'utf8') + text);

const CASES: Case[] = [
  { name: 'new', setup: () => {}, cwd: '.', args: ['new', 'shop', '--yes', '--no-git'] },
  { name: 'new --preset app-support (two repos)', setup: () => {}, cwd: '.', args: ['new', 'shop', '--preset', 'app-support', '--yes', '--no-git'] },
  {
    name: 'new --force over an edited stack',
    setup: (p) => {
      stack(p);
      append(join(p, 'shop', 'docker-compose.yml'), '# mine\n');
      rmSync(join(p, 'shop', 'README.md'));
    },
    cwd: '.',
    args: ['new', 'shop', '--yes', '--no-git', '--force', '--service', 'web:node', '--service', 'db:postgres'],
  },
  { name: 'add deploy', setup: (p) => stack(p), cwd: 'shop', args: ['add', 'deploy'] },
  { name: 'add service', setup: (p) => stack(p), cwd: 'shop', args: ['add', 'service', 'sessions:redis:6380'] },
  { name: 'remove service', setup: (p) => stack(p, '--service', 'api:fastapi', '--service', 'db:postgres', '--service', 'cache:redis'), cwd: 'shop', args: ['remove', 'service', 'cache', '--force'] },
  {
    name: 'add app',
    setup: (p) => {
      ok(p, ['new', 'edge', '--preset', 'server', '--domain', 'example.com', '--acme-email', 'ops@example.com', '--no-git']);
      stack(p);
    },
    cwd: '.',
    args: ['add', 'app', 'shop', '--server', 'edge', '--route', 'web=/shop'],
  },
  {
    name: 'check --fix',
    setup: (p) => {
      mkdirSync(join(p, 'foreign'));
      writeFileSync(join(p, 'foreign', 'compose.yaml'), 'version: "3.8"\nservices:\n  web:\n    image: "nginx:1.27.3"\n    ports: ["8080:80"]\n  db:\n    image: "postgres:16.6"\n');
    },
    cwd: 'foreign',
    args: ['check', '--fix'],
  },
];

/** The parent's tree; the record is gzip (compared by presence), `.env` by its variable names. */
function tree(parent: string): Snap {
  const s = snap(parent);
  for (const p of Object.keys(s)) if (p.endsWith('.create-stack/base.json.gz')) s[p] = { content: 'gz', mode: s[p]!.mode };
  return s;
}
const same = (a: Snap, b: Snap) => treeDiff(a, b).filter((d) => !/(^|\/)\.env: /.test(d) || !d.endsWith('other variables')).length === 0;
const leftovers = (dir: string) => readdirSync(dir).filter((e) => e.includes('.create-stack-'));

describe.each(CASES)('SIGKILL at every rename and write: $name', (c) => {
  const template = join(work, `template-${++n}`);
  mkdirSync(template);
  c.setup(template);
  const copy = () => {
    const dir = join(work, `run-${++n}`);
    cpSync(template, dir, { recursive: true });
    return dir;
  };
  const env = (extra: Record<string, string>) => ({ NODE_OPTIONS: `--require ${PRELOAD}`, ...extra });

  // Many CLI runs per case: on two shared cores this outlasts the default timeout.
  it('old or new after recovery; the same tree as an uninterrupted run after the next', { timeout: 900_000 }, () => {
    const before = tree(template);
    const clean = copy();
    const countFile = join(work, `count-${++n}`);
    const first = runCli(c.args, { cwd: join(clean, c.cwd), env: env({ COUNT_OPS: countFile }) });
    expect(first.code, first.stderr).toBe(0);
    const after = tree(clean);
    expect(same(after, before), 'the command changes something').toBe(false);
    const ops = Number(readFileSync(countFile, 'utf8').trim());
    expect(ops).toBeGreaterThan(2);
    const every = process.env.KILL_SWEEP === 'sample' ? [1, 2, Math.ceil(ops / 2), ops - 1, ops] : Array.from({ length: ops }, (_, i) => i + 1);
    for (const at of every) {
      const dir = copy();
      const killed = runCli(c.args, { cwd: join(dir, c.cwd), env: env({ KILL_AT_OP: String(at) }) });
      expect(killed.code, `op ${at}/${ops}: ${killed.stderr}`).toBeNull();
      // Recovery alone (what every writing command does first): the old tree or the new one.
      recoverInterrupted(dir);
      for (const e of readdirSync(dir)) recoverInterrupted(join(dir, e));
      const now = tree(dir);
      expect(same(now, before) || same(now, after), `op ${at}/${ops}: a mixed tree: ${treeDiff(now, before).slice(0, 5).join(', ')}`).toBe(true);
      expect(leftovers(dir), `op ${at}/${ops}`).toEqual([]);
      rmSync(dir, { recursive: true });
    }
  });

  it('the next run of the command, straight after a kill, recovers and ends on the uninterrupted tree', { timeout: 300_000 }, () => {
    const clean = copy();
    expect(runCli(c.args, { cwd: join(clean, c.cwd) }).code).toBe(0);
    const after = tree(clean);
    const countFile = join(work, `count-${++n}`);
    runCli(c.args, { cwd: join(copy(), c.cwd), env: env({ COUNT_OPS: countFile }) });
    const ops = Number(readFileSync(countFile, 'utf8').trim());
    for (const at of [1, Math.ceil(ops / 3), Math.ceil((2 * ops) / 3), ops]) {
      const dir = copy();
      expect(runCli(c.args, { cwd: join(dir, c.cwd), env: env({ KILL_AT_OP: String(at) }) }).code).toBeNull();
      const next = runCli(c.args, { cwd: join(dir, c.cwd) });
      // A command that is not idempotent (add service) refuses to run twice: the killed run had committed.
      expect(next.code === 0 || (next.code === 2 && !next.stderr.includes('not-a-stack')), `op ${at}/${ops}: ${next.stderr}`).toBe(true);
      expect(treeDiff(tree(dir), after).filter((d) => !d.startsWith('.env') && !d.includes('/.env')), `op ${at}/${ops}`).toEqual([]);
      expect(leftovers(dir)).toEqual([]);
      rmSync(dir, { recursive: true });
    }
  });
});
