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
    ],
    ['new', '--no-git'],
  );
  expect(r.stdout).toContain('Created asked/');
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
  const r = drive(cwd, [['Stack name', 'Bad\r'], ['upper-case', '\x15good\r'], ['Preset', '\r']], ['new', '--no-git', '--service', 'api:fastapi']);
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
    ],
    ['new', '--no-git'],
  );
  expect(r.stdout).toContain('Created pair-support/');
  expect(r.status).toBe(0);
  const spec = parse(readFileSync(join(cwd, 'pair', '.create-stack.yaml'), 'utf8'));
  expect(spec).toMatchObject({ preset: 'app-support', appKind: 'node', dbMemory: '512MB' });
});
