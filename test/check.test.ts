// `create-stack check` as users run it: exit codes, text/JSON/SARIF output, configuration (check:
// section, --config, --rule, inline ignores), bad input and hostile files.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { runCli, removeDir, tempDir } from './helpers/cli.js';
import { multitoolValidate, sarifSchemaErrors } from './helpers/sarif.js';
import { JSON_SCHEMA } from '../src/check/format/json.js';

const work = tempDir('cs-check-');
afterAll(() => removeDir(work));
let n = 0;
function repo(files: Record<string, string>): string {
  const dir = join(work, `r${++n}`);
  mkdirSync(dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const CLEAN = `services:
  web:
    image: "nginx:1.27.3-alpine"
    restart: unless-stopped
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]
    deploy:
      resources:
        limits: {cpus: "0.50", memory: 256M}
    logging:
      driver: local
`;

const DIRTY = `version: "3.8"
services:
  db:
    image: postgres
    ports:
      - "5432:5432"
    environment:
      POSTGRES_PASSWORD: hunter2
`;

describe('exit codes and text output', () => {
  it('a clean repo: only the summary, exit 0', () => {
    const dir = repo({ 'compose.yaml': CLEAN });
    const r = runCli(['check'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('no problems in 1 file checked\n');
  });

  it('errors: exit 1, eslint-style lines with exact positions, grouped by file, no colour off a TTY', () => {
    const dir = repo({ 'compose.yaml': DIRTY });
    const r = runCli(['check', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/\x1b\[/);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('compose.yaml');
    expect(r.stdout).toMatch(/^compose\.yaml:1:1 {2}warning {2}compose\/no-version +the top-level version: key/m);
    expect(r.stdout).toMatch(/^compose\.yaml:4:12 {2}error {4}compose\/image-pinned +service db: image "postgres" has no tag/m);
    expect(r.stdout).toMatch(/^compose\.yaml:6:9 {2}error {4}compose\/db-port-exposed +service db publishes database port 5432 on all interfaces/m);
    expect(r.stdout).toMatch(/^compose\.yaml:8:7 {2}error {4}compose\/literal-secret +service db: POSTGRES_PASSWORD/m);
    expect(lines.at(-2)).toMatch(/^\d+ problems \(3 errors, \d+ warnings, 0 info\) in 1 file checked; \d+ fixable with --fix$/);
  });

  it('warnings alone exit 0; --max-warnings turns too many into exit 1; --quiet shows errors only', () => {
    const dir = repo({ 'compose.yaml': 'services:\n  web:\n    image: "nginx:1.27.3"\n' });
    expect(runCli(['check'], { cwd: dir }).code).toBe(0);
    expect(runCli(['check', '--max-warnings', '10'], { cwd: dir }).code).toBe(0);
    expect(runCli(['check', '--max-warnings', '0'], { cwd: dir }).code).toBe(1);
    const dirty = repo({ 'compose.yaml': DIRTY });
    const q = runCli(['check', '--quiet'], { cwd: dirty });
    expect(q.stdout).not.toMatch(/ {2}warning {2}/);
    expect(q.stdout).toMatch(/compose\/literal-secret/);
  });

  it('a file that does not parse is a finding with its line and column, never exit 2', () => {
    const dir = repo({ 'compose.yaml': 'services:\n  web:\n    image: "nginx:1.27\n', 'docker-compose.prod.yml': 'services:\n  a: 1\n  a: 2\n' });
    const r = runCli(['check'], { cwd: dir });
    expect(r.code).toBe(1);
    // yaml reports an unclosed quote where the text ends.
    expect(r.stdout).toMatch(/^compose\.yaml:4:1 {2}error {4}yaml\/parse-error +Missing closing "quote/m);
    expect(r.stdout).toMatch(/^docker-compose\.prod\.yml:3:3 {2}error {4}yaml\/parse-error .*[Mm]ap keys must be unique/m);
  });

  it('several paths; a file path checks that file only; paths shown from the current directory', () => {
    const a = repo({ 'compose.yaml': DIRTY });
    const b = repo({ 'compose.yaml': CLEAN, 'other/compose.yaml': DIRTY });
    const r = runCli(['check', a, join(b, 'compose.yaml'), '--format', 'json'], { cwd: work });
    const report = JSON.parse(r.stdout);
    const files = new Set(report.findings.map((f: { file: string }) => f.file));
    expect([...files]).toEqual([`r${a.split('/r').pop()}/compose.yaml`]);
  });
});

describe('bad input: exit 2, nothing written', () => {
  it('a missing path is named', () => {
    const r = runCli(['check', 'no-such-dir'], { cwd: work });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no-such-dir does not exist/);
  });
  it('an unknown rule id, an unknown level, an unknown format or option', () => {
    const dir = repo({ 'compose.yaml': CLEAN });
    for (const args of [['--rule', 'compose/nope=off'], ['--rule', 'compose/image-pinned=loud'], ['--format', 'xml'], ['--frobnicate'], ['--max-warnings', 'x']]) {
      const r = runCli(['check', ...args], { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^error \[/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(runCli(['check', '--rule', 'image-pinned=off'], { cwd: dir }).stderr).toMatch(/did you mean compose\/image-pinned/);
  });
  it('an unreadable or malformed config', () => {
    const dir = repo({ 'compose.yaml': CLEAN, 'bad.yaml': 'check: [\n', 'unknown.yaml': 'check:\n  rules:\n    compose/typo: off\n' });
    expect(runCli(['check', '--config', 'missing.yaml'], { cwd: dir }).code).toBe(2);
    expect(runCli(['check', '--config', 'bad.yaml'], { cwd: dir }).stderr).toMatch(/cannot be read/);
    expect(runCli(['check', '--config', 'unknown.yaml'], { cwd: dir }).stderr).toMatch(/no rule "compose\/typo"/);
    const spec = repo({ 'compose.yaml': CLEAN, '.create-stack.yaml': 'check:\n  rules:\n    compose/typo: warn\n' });
    expect(runCli(['check'], { cwd: spec }).code).toBe(2);
  });
});

describe('configuration', () => {
  it('check: in .create-stack.yaml sets levels and ignores paths; --rule overrides it', () => {
    const dir = repo({
      'compose.yaml': DIRTY,
      'legacy/compose.yaml': DIRTY,
      '.create-stack.yaml': 'check:\n  rules:\n    compose/literal-secret: warn\n    compose/image-pinned: off\n  ignore:\n    - legacy/**\n',
    });
    const r = JSON.parse(runCli(['check', '--format', 'json'], { cwd: dir }).stdout);
    const rules = r.findings.map((f: { rule: string; severity: string; file: string }) => `${f.file} ${f.rule} ${f.severity}`);
    expect(rules).toContain('compose.yaml compose/literal-secret warning');
    expect(rules.some((x: string) => x.includes('image-pinned'))).toBe(false);
    expect(rules.some((x: string) => x.startsWith('legacy/'))).toBe(false);
    const over = JSON.parse(runCli(['check', '--format', 'json', '--rule', 'compose/image-pinned=warn'], { cwd: dir }).stdout);
    expect(over.findings.some((f: { rule: string; severity: string }) => f.rule === 'compose/image-pinned' && f.severity === 'warning')).toBe(true);
  });

  it('--config <file> replaces the repo config; the file may be the check section itself', () => {
    const dir = repo({ 'compose.yaml': DIRTY, 'lint.yaml': 'rules:\n  compose/db-port-exposed: off\n  compose/literal-secret: off\n  compose/image-pinned: off\n' });
    const r = runCli(['check', '--config', 'lint.yaml'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/ {2}error {2}/);
  });

  it('# create-stack-ignore <rule-id> on the line above silences that finding only', () => {
    const dir = repo({
      'compose.yaml': `services:\n  db:\n    # create-stack-ignore compose/image-pinned\n    image: postgres\n    environment:\n      # create-stack-ignore compose/image-pinned\n      POSTGRES_PASSWORD: hunter2\n`,
    });
    const r = JSON.parse(runCli(['check', '--format', 'json'], { cwd: dir }).stdout);
    const ids = r.findings.map((f: { rule: string }) => f.rule);
    expect(ids).not.toContain('compose/image-pinned');
    expect(ids).toContain('compose/literal-secret');
  });

  it('a .create-stack.yaml with a check: section is still an answers file for new', () => {
    const dir = repo({ 'a.yaml': 'tool: create-stack\nname: x\npreset: bd-build-data\nservices:\n  - {name: api, kind: fastapi}\ncheck:\n  rules:\n    compose/restart-policy: off\n' });
    const r = runCli(['new', 'y', '--answers', 'a.yaml', '--dry-run', '--no-git'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('formats', () => {
  const dir = repo({ 'compose.yaml': DIRTY, 'Dockerfile': 'FROM python\nCMD python app.py\n', 'sub dir/compose.yaml': 'services:\n  x:\n    image: "redis:latest"\n' });

  it('--format json matches its documented schema', () => {
    const r = runCli(['check', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const validate = new Ajv({ allErrors: true }).compile(JSON_SCHEMA);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.version).toBe(1);
    expect(report.findings.find((f: { rule: string }) => f.rule === 'compose/image-pinned')).toMatchObject({ file: 'compose.yaml', line: 4, column: 12, severity: 'error', fixable: false });
    // The schema documented in docs/check.md is this one.
    expect(readFileSync(join(import.meta.dirname, '..', 'docs', 'check.md'), 'utf8')).toContain(JSON.stringify(JSON_SCHEMA, null, 2));
  });

  it('--format sarif: valid for the SARIF multitool and the 2.1.0 schema, with rules, tags, their help, relative URIs', () => {
    const out = join(dir, 'report.sarif');
    const r = runCli(['check', '--format', 'sarif', '--output', out], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const text = readFileSync(out, 'utf8');
    const log = JSON.parse(text);
    expect(sarifSchemaErrors(log)).toEqual([]);
    const v = multitoolValidate(text);
    expect(v.ok, v.output).toBe(true);
    const run = log.runs[0];
    const rule = run.tool.driver.rules.find((x: { id: string }) => x.id === 'compose/image-pinned');
    // No made-up address: the help itself says why and how to fix.
    expect(rule.helpUri).toBeUndefined();
    expect(rule.help.markdown).toMatch(/\*\*Fix:\*\* ./);
    expect(rule.properties.tags).toContain('compose');
    const res = run.results.find((x: { ruleId: string }) => x.ruleId === 'compose/image-pinned');
    expect(res.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'compose.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 4, startColumn: 12 } });
    expect(run.results.some((x: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => x.locations[0]!.physicalLocation.artifactLocation.uri === 'sub%20dir/compose.yaml')).toBe(true);
  });

  it('--list-rules in text, JSON and markdown', () => {
    expect(runCli(['check', '--list-rules'], { cwd: dir }).stdout).toMatch(/^compose\/image-pinned +error/m);
    const list = JSON.parse(runCli(['check', '--list-rules', '--format', 'json'], { cwd: dir }).stdout);
    expect(list.length).toBeGreaterThan(40);
  });
});

describe('the command name', () => {
  it('create-stack check is the command, never a stack called "check"', () => {
    const dir = repo({});
    const r = runCli(['check'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('no problems in 0 files checked\n');
    expect(r.stderr).not.toMatch(/no services given/);
    expect(runCli(['new', 'check', '--yes'], { cwd: dir }).stderr).toMatch(/is a create-stack command/);
  });
});

describe('hostile files: a finding or exit 2 within seconds, never a hang or a stack trace', () => {
  const timed = (dir: string) => {
    const t0 = Date.now();
    const r = runCli(['check', '--format', 'json'], { cwd: dir });
    return { ...r, ms: Date.now() - t0 };
  };

  it('a YAML bomb (billion laughs)', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const dir = repo({ 'compose.yaml': `${levels.join('\n')}\nservices:\n  x:\n    image: "nginx:1.27"\n    labels: *i\n`, 'k8s.yaml': `apiVersion: v1\nkind: ConfigMap\n${levels.join('\n')}\n` });
    const r = timed(dir);
    expect(r.ms).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    const f = JSON.parse(r.stdout).findings;
    expect(f.filter((x: { rule: string }) => x.rule === 'yaml/unreadable-file').map((x: { file: string }) => x.file).sort()).toEqual(['compose.yaml', 'k8s.yaml']);
  });

  it('a 20 MB compose file and a binary one', () => {
    const dir = repo({ 'docker-compose.yml': 'services:\n' + '  # padding\n'.repeat(20 * 1024 * 1024 / 12), 'compose.yaml': 'services:\0\x01\x02' });
    const r = timed(dir);
    expect(r.ms).toBeLessThan(20_000);
    const f = JSON.parse(r.stdout).findings.map((x: { file: string; rule: string; message: string }) => `${x.file} ${x.rule} ${x.message}`);
    expect(f).toContainEqual(expect.stringMatching(/^docker-compose\.yml yaml\/unreadable-file .*MiB/));
    expect(f).toContainEqual(expect.stringMatching(/^compose\.yaml yaml\/unreadable-file .*binary/));
  });

  it('a symlink loop and a link out of the repo are not followed', () => {
    const dir = repo({ 'compose.yaml': CLEAN });
    symlinkSync(dir, join(dir, 'loop'));
    symlinkSync('/', join(dir, 'root'));
    const r = timed(dir);
    expect(r.ms).toBeLessThan(20_000);
    expect(r.code).toBe(0);
  });

  it('an unreadable directory and file are skipped, not a crash', () => {
    const dir = repo({ 'compose.yaml': CLEAN, 'locked/compose.yaml': DIRTY });
    chmodSync(join(dir, 'locked'), 0o000);
    try {
      const r = timed(dir);
      expect(r.stderr).toBe('');
      expect([0, 1]).toContain(r.code);
    } finally {
      chmodSync(join(dir, 'locked'), 0o755);
    }
  });
});
