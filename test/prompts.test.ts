// The interactive door, on a real pseudo-terminal: asks only for what is missing, builds the same
// spec, and Ctrl-C leaves nothing behind.
import { afterAll, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BIN, removeDir, tempDir } from './helpers/cli.js';
import { hasCommand, requireTool } from './helpers/validators.js';

const work = tempDir('cs-pty-');
afterAll(() => removeDir(work));
const driver = join(import.meta.dirname, 'helpers', 'pty_drive.py');

function drive(cwd: string, steps: Array<[string, string]>, args: string[]) {
  return spawnSync('python3', [driver, cwd, JSON.stringify(steps), '--', process.execPath, BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
}

it('asks for name, preset, services and ports, then writes that stack', () => {
  if (!requireTool('python3', () => hasCommand('python3'))) return;
  const cwd = join(work, 'ask');
  mkdirSync(cwd);
  const r = drive(
    cwd,
    [
      ['Stack name', 'asked\r'],
      ['Preset', '\r'],
      ['Services', '\r'],
      ['Name of the fastapi', 'backend\r'],
      ['Host port of backend', '8001\r'],
      ['Name of the node', '\r'],
      ['Host port of web', '\r'],
      ['Name of the postgres', '\r'],
      ['Host port of db', '\r'],
      ['Name of the redis', '\r'],
      ['Host port of cache', '\r'],
      ['Add another service', '\r'],
      ['deploy layer', '\r'],
      ['Write this stack', '\r'],
    ],
    ['new', '--no-git'],
  );
  expect(r.stdout).toContain('Created asked/');
  // The answer line lists kinds, not their descriptions.
  expect(r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')).toMatch(/Services fastapi, node, postgres, redis\r?\n/);
  expect(r.status).toBe(0);
  const spec = parse(readFileSync(join(cwd, 'asked', '.create-stack.yaml'), 'utf8'));
  expect(spec.services).toEqual([
    { name: 'backend', kind: 'fastapi', port: 8001 },
    { name: 'web', kind: 'node' },
    { name: 'db', kind: 'postgres' },
    { name: 'cache', kind: 'redis' },
  ]);
});

it('does not ask for what flags gave, and rejects a bad name at the prompt', () => {
  if (!requireTool('python3', () => hasCommand('python3'))) return;
  const cwd = join(work, 'partial');
  mkdirSync(cwd);
  const r = drive(
    cwd,
    [['Stack name', 'Bad_Name\r'], ['contains upper-case letters, contains "_"', '\x15good\r'], ['Preset', '\r'], ['deploy layer', '\r'], ['Write this stack', '\r']],
    ['new', '--no-git', '--service', 'api:fastapi'],
  );
  expect(r.status).toBe(0);
  expect(r.stdout).not.toContain('Services');
  expect(readdirSync(cwd)).toEqual(['good']);
});

it('Ctrl-C at a prompt exits 130 and writes nothing', () => {
  if (!requireTool('python3', () => hasCommand('python3'))) return;
  const cwd = join(work, 'cancel');
  mkdirSync(cwd);
  const r = drive(cwd, [['Stack name', '\x03']], ['new', '--no-git']);
  expect(r.stdout).toContain('cancelled, nothing written');
  expect(r.stdout).not.toMatch(/\n\s+at /);
  expect(r.status).toBe(130);
  expect(readdirSync(cwd)).toEqual([]);
});

it('for app-support, asks the application kind and the PostgreSQL memory instead of services', () => {
  if (!requireTool('python3', () => hasCommand('python3'))) return;
  const cwd = join(work, 'pair');
  mkdirSync(cwd);
  const r = drive(
    cwd,
    [
      ['Stack name', 'pair\r'],
      ['Preset', '\x1b[B\r'], // arrow down: app-support
      ['Kind of the application', '\x1b[B\r'], // node
      ['Memory PostgreSQL', '\x15huge\r'],
      ['a size from 256MB', '\x15512MB\r'],
      ['deploy layer', '\r'],
      ['Write this stack', '\r'],
    ],
    ['new', '--no-git'],
  );
  expect(r.stdout).toContain('Created pair-support/');
  expect(r.status).toBe(0);
  const spec = parse(readFileSync(join(cwd, 'pair', '.create-stack.yaml'), 'utf8'));
  expect(spec).toMatchObject({ preset: 'app-support', appKind: 'node', dbMemory: '512MB' });
});

it('a port taken by an earlier answer is refused at once, a second database gets a free default, the deploy layer is asked, and the summary is confirmed', () => {
  if (!requireTool('python3', () => hasCommand('python3'))) return;
  const cwd = join(work, 'two');
  mkdirSync(cwd);
  const r = drive(
    cwd,
    [
      ['Stack name', 'two\r'],
      ['Preset', '\r'],
      ['Services', '\r'],
      ['Name of the fastapi', '\r'],
      ['Host port of api', '\x158080\r'],
      ['Name of the node', '\r'],
      ['Host port of web', '\x158080\r'],
      ['port 8080 is taken by api', '\x153000\r'],
      ['Name of the postgres', '\r'],
      ['Host port of db', '\r'],
      ['Name of the redis', '\r'],
      ['Host port of cache', '\r'],
      ['Add another service', 'y\r'],
      ['Kind of the service', '\x1b[B\x1b[B\x1b[B\x1b[B\r'], // fastapi, mongodb, nginx, node, postgres: the 5th
      ['Name of the postgres service', '\r'], // its default: db2
      ['5433', '\r'],
      ['Add another service', 'n\r'],
      ['deploy layer', 'y\r'],
      ['Write this stack', '\r'],
    ],
    ['new', '--no-git'],
  );
  expect(r.status, r.stdout).toBe(0);
  expect(r.stdout).toContain('service:  db2 (postgres, host port 5433)');
  expect(r.stdout).toContain('layers:   deploy');
  const spec = parse(readFileSync(join(cwd, 'two', '.create-stack.yaml'), 'utf8'));
  expect(spec.services).toEqual([
    { name: 'api', kind: 'fastapi', port: 8080 },
    { name: 'web', kind: 'node' },
    { name: 'db', kind: 'postgres' },
    { name: 'cache', kind: 'redis' },
    { name: 'db2', kind: 'postgres', port: 5433 },
  ]);
  expect(spec.with).toEqual(['deploy']);
});

it('answering no to the summary writes nothing and exits 130', () => {
  if (!requireTool('python3', () => hasCommand('python3'))) return;
  const cwd = join(work, 'no');
  mkdirSync(cwd);
  const r = drive(cwd, [['Stack name', 'nope\r'], ['Preset', '\r'], ['deploy layer', '\r'], ['Write this stack', 'n\r']], ['new', '--no-git', '--service', 'api:fastapi']);
  expect(r.stdout).toContain('name:     nope');
  expect(r.stdout).toContain('cancelled, nothing written');
  expect(r.status).toBe(130);
  expect(readdirSync(cwd)).toEqual([]);
});
