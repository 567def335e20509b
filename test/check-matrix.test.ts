// The standard holds for its own output: every preset × option that `new` and `add` produce passes
// `create-stack check` with zero findings; and drift is found when a managed file is edited.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, removeDir, tempDir } from './helpers/cli.js';

const work = tempDir('cs-matrix-');
afterAll(() => removeDir(work));

const ALL_KINDS = ['a:fastapi', 'b:node', 'c:worker', 'd:postgres', 'e:redis', 'f:mongodb', 'g:nginx'];
const s = (list: string[]) => list.flatMap((x) => ['--service', x]);

interface Case {
  name: string;
  args: string[];
  repos: string[];
  add?: string[];
}

const CASES: Case[] = [
  { name: 'bd-default', args: ['--yes'], repos: ['bd-default'] },
  { name: 'bd-default-deploy', args: ['--yes', '--with', 'deploy'], repos: ['bd-default-deploy'] },
  { name: 'bd-all-kinds', args: s(ALL_KINDS), repos: ['bd-all-kinds'] },
  { name: 'bd-all-kinds-deploy', args: [...s(ALL_KINDS), '--with', 'deploy'], repos: ['bd-all-kinds-deploy'] },
  { name: 'bd-one-api', args: s(['api:fastapi:9000']), repos: ['bd-one-api'] },
  { name: 'bd-data-only', args: s(['db:postgres', 'cache:redis']), repos: ['bd-data-only'] },
  { name: 'bd-worker-mongo-deploy', args: [...s(['jobs:worker', 'docs:mongodb', 'web:nginx']), '--with', 'deploy'], repos: ['bd-worker-mongo-deploy'] },
  { name: 'bd-add-deploy', args: s(['api:fastapi', 'db:postgres']), repos: ['bd-add-deploy'], add: ['add', 'deploy'] },
  { name: 'as-fastapi', args: ['--preset', 'app-support', '--yes'], repos: ['as-fastapi', 'as-fastapi-support'] },
  { name: 'as-node-deploy', args: ['--preset', 'app-support', '--yes', '--app-kind', 'node', '--with', 'deploy'], repos: ['as-node-deploy', 'as-node-deploy-support'] },
  { name: 'as-worker', args: ['--preset', 'app-support', '--yes', '--app-kind', 'worker', '--db-memory', '2GB'], repos: ['as-worker', 'as-worker-support'] },
  { name: 'as-fastapi-add-deploy', args: ['--preset', 'app-support', '--yes'], repos: ['as-fastapi-add-deploy', 'as-fastapi-add-deploy-support'], add: ['add', 'deploy'] },
  { name: 'server', args: ['--preset', 'server', '--yes'], repos: ['server'] },
  { name: 'platform', args: ['--preset', 'platform', '--yes'], repos: ['platform'] },
  { name: 'platform-deploy', args: ['--preset', 'platform', '--yes', '--with', 'deploy'], repos: ['platform-deploy'] },
];

describe('every preset × option passes check with zero findings', () => {
  for (const c of CASES) {
    it(c.name, () => {
      // The first case keeps git (so .env is judged by git check-ignore); the others skip it for speed.
      const git = c === CASES[0] ? [] : ['--no-git'];
      const made = runCli(['new', c.name, ...c.args, ...git], { cwd: work });
      expect(made.code, made.stderr).toBe(0);
      if (c.add) {
        const added = runCli(c.add, { cwd: join(work, c.name) });
        expect(added.code, added.stderr).toBe(0);
      }
      const r = runCli(['check', '--format', 'json', ...c.repos], { cwd: work });
      const report = JSON.parse(r.stdout);
      expect(report.findings, JSON.stringify(report.findings, null, 1)).toEqual([]);
      expect(r.code).toBe(0);
      expect(report.summary.filesChecked).toBeGreaterThan(10);
      // The text form prints the summary only.
      expect(runCli(['check', ...c.repos], { cwd: work }).stdout).toMatch(/^no problems in \d+ files checked\n$/);
    });
  }
});

describe('drift', () => {
  it('an edited managed file and an older recorded version are reported (info: exit 0); user files are not', () => {
    const dir = join(work, 'bd-one-api');
    const compose = join(dir, 'docker-compose.yml');
    const lines = readFileSync(compose, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('restart: unless-stopped'));
    lines[at] = lines[at]!.replace('unless-stopped', 'always');
    writeFileSync(compose, lines.join('\n'));
    writeFileSync(join(dir, 'data', 'api', 'main.py'), '# my own code now\n');
    const spec = join(dir, '.create-stack.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace(/^version: .*$/m, 'version: "0.0.1"'));
    const r = runCli(['check', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const found = JSON.parse(r.stdout).findings.map((f: { file: string; line: number; rule: string; severity: string }) => `${f.file}:${f.line} ${f.rule} ${f.severity}`);
    expect(found).toEqual([
      `.create-stack.yaml:${readFileSync(spec, 'utf8').split('\n').findIndex((l) => l.startsWith('version:')) + 1} drift/spec-outdated info`,
      `docker-compose.yml:${at + 1} drift/managed-file-changed info`,
    ]);
    expect(runCli(['check'], { cwd: dir }).stdout).toMatch(/docker-compose\.yml differs from what create-stack renders .*create-stack update/);
  });
});
