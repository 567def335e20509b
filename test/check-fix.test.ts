// check --fix: through the engine (atomic, --dry-run diffs), YAML edited through the Document API
// (comments, order, anchors, merge keys kept), schema-valid, idempotent; each fixable rule's output
// kept as a snapshot.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli, removeDir, tempDir } from './helpers/cli.js';
import { composeSchemaErrors } from './helpers/validators.js';

const work = tempDir('cs-fix-');
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

interface Report {
  findings: Array<{ rule: string; file: string; line: number; column: number; fixable: boolean }>;
}
const check = (dir: string, args: string[] = []): Report => JSON.parse(runCli(['check', '--format', 'json', ...args], { cwd: dir }).stdout);

/** The text of every comment, wherever it ended up. */
function comments(text: string): string[] {
  return text
    .split('\n')
    .map((l) => /(?:^|\s)(#.*)$/.exec(l.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""'))?.[1]?.trim())
    .filter((c): c is string => !!c)
    .sort();
}

const FIXABLE: Record<string, string> = {
  'compose/no-version': 'version: "3.8"\n# the web tier\nservices:\n  web:\n    image: "nginx:1.27.3"\n',
  'compose/restart-policy': 'services:\n  web:\n    image: "nginx:1.27.3"  # pinned\n    ports: ["8080:80"]\n',
  'compose/logging-rotation': 'x-logging: &logging\n  driver: json-file\nservices:\n  a:\n    image: "nginx:1.27.3"\n    logging: *logging\n  b:\n    image: "httpd:2.4.62"\n    logging: *logging\n  c:\n    image: "redis:7.4.1"\n',
  'compose/depends-on-healthy': 'services:\n  api:\n    image: "api:1.0"\n    depends_on:\n      - db   # the database\n      - cache\n  db:\n    image: "postgres:16.6"\n    healthcheck:\n      test: ["CMD-SHELL", "pg_isready"]\n  cache:\n    image: "redis:7.4.1"\n',
  'layout/config-read-only': 'services:\n  api:\n    image: "api:1.0"\n    volumes:\n      - ./data/api/config:/etc/api/config\n      - ./data/api/config/extra:/etc/extra:rw\n      - type: bind\n        source: ./data/web/config\n        target: /etc/web\n',
};

describe('each fixable rule: fixed output, schema-valid, nothing left, idempotent', () => {
  for (const [rule, text] of Object.entries(FIXABLE)) {
    it(rule, async () => {
      const dir = repo({ 'compose.yaml': text, 'data/api/config/extra/.gitkeep': '', 'data/web/config/.gitkeep': '' });
      expect(check(dir).findings.some((f) => f.rule === rule && f.fixable)).toBe(true);
      // Only this rule's fix: the other fixable rules are off.
      const others = Object.keys(FIXABLE).filter((r) => r !== rule).flatMap((r) => ['--rule', `${r}=off`]);
      const r = runCli(['check', '--fix', ...others], { cwd: dir });
      expect(r.stdout).toMatch(/^fixed 1 file in \.: compose\.yaml$/m);
      const fixed = readFileSync(join(dir, 'compose.yaml'), 'utf8');
      await expect(fixed).toMatchFileSnapshot(`__snapshots__/check/fix/${rule.replace('/', '__')}.yaml`);
      expect(composeSchemaErrors(parse(fixed))).toEqual([]);
      expect(comments(fixed)).toEqual(comments(text));
      expect(check(dir).findings.filter((f) => f.rule === rule)).toEqual([]);
      const again = runCli(['check', '--fix', '--dry-run', ...others], { cwd: dir });
      expect(again.stdout).toMatch(/nothing to fix/);
      expect(readFileSync(join(dir, 'compose.yaml'), 'utf8')).toBe(fixed);
    });
  }

  it('an anchor shared by services is fixed once, where it is defined; aliases and merge keys stay', () => {
    const dir = repo({ 'compose.yaml': FIXABLE['compose/logging-rotation']!.replace('  c:\n', '  c:\n    <<: *defaults\n').replace('x-logging', 'x-defaults: &defaults\n  restart: always\nx-logging') });
    runCli(['check', '--fix'], { cwd: dir });
    const fixed = readFileSync(join(dir, 'compose.yaml'), 'utf8');
    expect(fixed.match(/max-size/g)).toHaveLength(2); // the anchor, and service c's own block
    expect(fixed.match(/\*logging/g)).toHaveLength(2);
    expect(fixed).toContain('<<: *defaults');
    expect(fixed.indexOf('max-size')).toBeLessThan(fixed.indexOf('services:'));
  });

  it('.env: gitignored and chmod 600 (the engine writes the mode)', () => {
    const dir = repo({ '.env': 'DB_PASSWORD=x\n', '.gitignore': 'node_modules/\n' });
    chmodSync(join(dir, '.env'), 0o644);
    expect(check(dir).findings.map((f) => f.rule).sort()).toEqual(['secrets/env-gitignored', 'secrets/env-mode']);
    const dry = runCli(['check', '--fix', '--dry-run'], { cwd: dir });
    expect(dry.stdout).toMatch(/\+\/\.env/);
    expect(dry.stdout).toMatch(/dry run: nothing was written/);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\n');
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o644);
    const r = runCli(['check', '--fix'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toMatch(/^node_modules\/\n# Secrets.*\n\/\.env\n$/);
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('DB_PASSWORD=x\n');
    expect(check(dir).findings).toEqual([]);
  });

  it('--fix --dry-run prints the diff and writes nothing; JSON output stays JSON (the diff goes to stderr)', () => {
    const text = FIXABLE['compose/no-version']!;
    const dir = repo({ 'compose.yaml': text });
    const r = runCli(['check', '--fix', '--dry-run'], { cwd: dir });
    expect(r.stdout).toMatch(/^-version: "3\.8"$/m);
    expect(readFileSync(join(dir, 'compose.yaml'), 'utf8')).toBe(text);
    const j = runCli(['check', '--fix', '--dry-run', '--format', 'json'], { cwd: dir });
    expect(() => JSON.parse(j.stdout)).not.toThrow();
    expect(j.stderr).toMatch(/^-version/m);
  });
});

// ../shared beside the repo (a worktree one level deeper finds it one level up).
const CORPUS = [join(import.meta.dirname, '..', '..', 'shared'), join(import.meta.dirname, '..', '..', '..', 'shared')]
  .map((s) => join(s, 'corpus', 'awesome-compose'))
  .find((p) => existsSync(p))!;
if (!CORPUS) throw new Error('the awesome-compose corpus (../shared/corpus/awesome-compose) is missing');
const corpusDirs = readdirSync(CORPUS).filter((d) => statSync(join(CORPUS, d)).isDirectory()).sort();

describe('the awesome-compose corpus', () => {
  const copy = join(work, 'corpus');
  cpSync(CORPUS, copy, { recursive: true });

  it('every file is checked without a crash', () => {
    const r = runCli(['check', '--format', 'json', '.'], { cwd: copy });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report & { summary: { filesChecked: number } };
    expect(report.summary.filesChecked).toBe(corpusDirs.length);
    expect(report.findings.filter((f) => (f as unknown as { message: string }).message.startsWith('internal error'))).toEqual([]);
  });

  // Reviewed by hand: rule, line and column of each finding against the file.
  for (const name of ['wordpress-mysql', 'aspnet-mssql', 'elasticsearch-logstash-kibana', 'pihole-cloudflared-DoH', 'nginx-golang-postgres']) {
    it(`findings of ${name} (snapshot)`, async () => {
      const r = runCli(['check', '--format', 'json', name], { cwd: CORPUS });
      const lines = (JSON.parse(r.stdout) as { findings: Array<{ file: string; line: number; column: number; severity: string; rule: string; message: string }> }).findings.map(
        (f) => `${f.file}:${f.line}:${f.column} ${f.severity} ${f.rule} ${f.message}`,
      );
      await expect(lines.join('\n') + '\n').toMatchFileSnapshot(`__snapshots__/check/corpus/${name}.txt`);
    });
  }

  it('--fix on every file keeps every comment, passes the Compose schema and is idempotent', () => {
    const fixDir = join(work, 'corpus-fix');
    cpSync(CORPUS, fixDir, { recursive: true });
    const before = new Map(corpusDirs.flatMap((d) => readdirSync(join(fixDir, d)).filter((f) => /\.ya?ml$/.test(f)).map((f) => [`${d}/${f}`, readFileSync(join(fixDir, d, f), 'utf8')] as const)));
    const r = runCli(['check', '--fix', '.'], { cwd: fixDir });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^fixed \d+ files in \./m);
    for (const [path, text] of before) {
      const after = readFileSync(join(fixDir, path), 'utf8');
      expect(comments(after), path).toEqual(comments(text));
      expect(composeSchemaErrors(parse(after)), path).toEqual([]);
    }
    const fixable = check(fixDir).findings.filter((f) => f.fixable);
    expect(fixable).toEqual([]);
    const second = runCli(['check', '--fix', '--dry-run', '.'], { cwd: fixDir });
    expect(second.stdout).toMatch(/nothing to fix/);
  });
});
