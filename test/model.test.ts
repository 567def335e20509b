// The compose repo model: discovery (gitignore, links, limits), positions in the original text,
// merge keys, merged views, and hostile files that must become problems, not hangs.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRepo, YamlFile, locateInService, parseGitignore } from '../src/model/index.js';
import { removeDir, tempDir } from './helpers/cli.js';

const work = tempDir('cs-model-');
afterAll(() => removeDir(work));
let n = 0;
function repo(files: Record<string, string>): string {
  const dir = join(work, `r${++n}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('discovery', () => {
  it('finds files by category, respects .gitignore, reads ignored .env files and marks them', () => {
    const dir = repo({
      '.gitignore': '.env\nbuild-out/\n*.log\n!keep.log\n',
      'compose.yaml': 'services: {}\n',
      'docker-compose.prod.yml': 'services: {}\n',
      '.env': 'A=1\n',
      'app/Dockerfile': 'FROM x\n',
      'app/Dockerfile.dockerignore': '*\n',
      'api.Dockerfile': 'FROM x\n',
      'scripts/run.sh': 'echo\n',
      'build-out/compose.yaml': 'services: {}\n',
      '.github/workflows/ci.yml': 'on: push\n',
      'k8s/deploy.yaml': 'apiVersion: v1\nkind: Service\n',
      'k8s/kustomization.yaml': 'resources: []\n',
      'chart/Chart.yaml': 'name: x\n',
      'chart/values.yaml': 'a: 1\n',
      'chart/templates/d.yaml': '{{ .Values.a }}\n',
      'node_modules/x/compose.yaml': 'services: {}\n',
    });
    const m = loadRepo(dir);
    const paths = (c: Parameters<typeof m.files>[0]) => m.files(c).map((f) => f.path).sort();
    expect(paths('compose')).toEqual(['compose.yaml', 'docker-compose.prod.yml']);
    expect(paths('dockerfile')).toEqual(['api.Dockerfile', 'app/Dockerfile']);
    expect(paths('shell')).toEqual(['scripts/run.sh']);
    expect(paths('workflow')).toEqual(['.github/workflows/ci.yml']);
    expect(paths('kubernetes')).toEqual(['k8s/deploy.yaml', 'k8s/kustomization.yaml']);
    expect(paths('helm-values')).toEqual(['chart/values.yaml']);
    expect(paths('helm-template')).toEqual(['chart/templates/d.yaml']);
    expect(m.files('env').map((f) => [f.path, f.ignored])).toEqual([['.env', true]]);
  });

  it('never follows a symbolic link: a loop and a link out of the repo are listed, not walked', () => {
    const outside = repo({ 'compose.yaml': 'services: {a: {image: x}}\n' });
    const dir = repo({ 'compose.yaml': 'services: {}\n' });
    symlinkSync(dir, join(dir, 'loop'));
    symlinkSync(outside, join(dir, 'out'));
    const m = loadRepo(dir);
    expect(m.files('compose').map((f) => f.path)).toEqual(['compose.yaml']);
    expect(m.found.links.sort()).toEqual(['loop', 'out']);
  });

  it('gitignore patterns: anchoring, ** and negation', () => {
    const rules = parseGitignore('/top.txt\na/**/b\n*.tmp\n!x.tmp\n');
    const hit = (p: string) => rules.reduce((r, rule) => (rule.re.test(p) ? !rule.negate : r), false);
    expect(hit('top.txt')).toBe(true);
    expect(hit('sub/top.txt')).toBe(false);
    expect(hit('a/b')).toBe(true);
    expect(hit('a/x/y/b')).toBe(true);
    expect(hit('deep/q.tmp')).toBe(true);
    expect(hit('x.tmp')).toBe(false);
  });
});

describe('positions and merge keys', () => {
  const text = [
    'x-defaults: &defaults',
    '  restart: unless-stopped',
    '  logging:',
    '    driver: json-file',
    'services:',
    '  # the api',
    '  api:',
    '    <<: *defaults',
    '    image: "python:3.12-slim"',
    '    ports:',
    '      - "8000:8000"',
    '',
  ].join('\n');
  const y = new YamlFile('compose.yaml', text);

  it('locates keys, values and sequence items at their line and column', () => {
    expect(y.locate(['services', 'api'])).toEqual({ line: 7, col: 3 });
    expect(y.locate(['services', 'api', 'image'])).toEqual({ line: 9, col: 5 });
    expect(y.locate(['services', 'api', 'image'], 'value')).toEqual({ line: 9, col: 12 });
    expect(y.locate(['services', 'api', 'ports', 0])).toEqual({ line: 11, col: 9 });
  });

  it('follows merge keys to the anchor that defines a value, and applies them in the JS view', () => {
    expect(y.locate(['services', 'api', 'restart'])).toEqual({ line: 2, col: 3 });
    expect((y.toJS() as any).services.api.restart).toBe('unless-stopped');
  });

  it('falls back to the deepest existing ancestor for a missing key', () => {
    expect(y.locate(['services', 'api', 'healthcheck', 'test'])).toEqual({ line: 7, col: 3 });
  });
});

describe('merged views', () => {
  it('merges base with override and with prod as docker compose -f does, and remembers origins', () => {
    const dir = repo({
      'docker-compose.yml': 'services:\n  api:\n    image: a:1\n    environment: [A=1, B=2]\n    ports: ["8000:8000"]\n',
      'docker-compose.override.yml': 'services:\n  api:\n    environment:\n      B: "3"\n    ports: ["9000:9000"]\n',
      'docker-compose.prod.yml': 'services:\n  api:\n    image: a:2\n',
    });
    const views = loadRepo(dir).merged();
    expect(views.map((v) => v.files.map((f) => f.yaml.path))).toEqual([
      ['docker-compose.yml', 'docker-compose.override.yml'],
      ['docker-compose.yml', 'docker-compose.prod.yml'],
    ]);
    const dev = views[0]!.services.get('api')!;
    expect(dev.value.environment).toEqual({ A: '1', B: '3' });
    expect(dev.value.ports).toEqual(['8000:8000', '9000:9000']);
    expect(views[1]!.services.get('api')!.value.image).toBe('a:2');
    const where = locateInService(views[1]!.services.get('api')!, ['image']);
    expect([where.file.path, where.pos]).toEqual(['docker-compose.prod.yml', { line: 3, col: 5 }]);
  });
});

describe('hostile files become problems, quickly', () => {
  it('a billion-laughs alias bomb', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9).fill(`*${'abcdefghi'[i - 1]}`).join(', ')}]`);
    const y = new YamlFile('bomb.yaml', lines.join('\n') + '\n');
    const t = Date.now();
    expect(y.toJS()).toBeUndefined();
    expect(Date.now() - t).toBeLessThan(5000);
    expect(y.problems.map((p) => p.kind)).toContain('yaml/alias-bomb');
  });
  it('binary data, a parse error with its position, an oversized file', () => {
    expect(new YamlFile('b.yaml', 'a: 1\0\0').problems[0]!.kind).toBe('file/binary');
    const bad = new YamlFile('c.yaml', 'services:\n  api:\n    image: [unclosed\n');
    expect(bad.problems[0]!.kind).toBe('yaml/parse-error');
    expect(bad.problems[0]!.pos.line).toBeGreaterThanOrEqual(3);
    const dir = repo({ 'compose.yaml': 'x: ' + 'y'.repeat(3 * 1024 * 1024) + '\n' });
    const m = loadRepo(dir);
    expect(m.yaml(m.files('compose')[0]!).problems[0]!.kind).toBe('file/too-large');
  });
});

describe('the corpus', () => {
  const corpus = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'awesome-compose');
  it('reads every compose file of awesome-compose into a merged view', () => {
    const dirs = readdirSync(corpus);
    expect(dirs.length).toBeGreaterThanOrEqual(20);
    for (const d of dirs) {
      const m = loadRepo(join(corpus, d));
      const views = m.merged();
      expect(views.length, d).toBeGreaterThan(0);
      expect(views[0]!.services.size, d).toBeGreaterThan(0);
    }
  });
});
