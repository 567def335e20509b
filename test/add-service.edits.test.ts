// add service on a stack the user has edited: their edits survive (inside owned YAML files too, node by
// node), the result is new A+B plus exactly those edits; an edit the add must also change is a conflict
// (exit 2, nothing written; --dry-run shows the diff; --force lets the add win on that node only).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { composeSchemaErrors, dockerComposeConfig } from './helpers/validators.js';
import { snap, treeDiff } from './helpers/tree.js';
import { mergeLines } from '../src/add-service/merge-lines.js';
import { mergeYaml } from '../src/add-service/merge-yaml.js';

const work = tempDir('cs-addsvc-edits-');
afterAll(() => removeDir(work));
let n = 0;

function newStack(services: string[]): string {
  const parent = join(work, `p${++n}`);
  mkdirSync(parent);
  const r = runCli(['new', 'shop', '--no-git', ...services.flatMap((s) => ['--service', s])], { cwd: parent });
  if (r.code !== 0) throw new Error(r.stderr);
  return join(parent, 'shop');
}

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${JSON.stringify(from)}`);
  writeFileSync(file, text.replace(from, to));
}

const A = ['api:fastapi', 'web:node', 'db:postgres'];

describe('the user edits survive', () => {
  const dir = newStack(A);
  const fresh = newStack([...A, 'cache:redis']);
  const EDITS: Array<[string, string, string]> = [
    ['docker-compose.yml', '      LOG_LEVEL: "${API_LOG_LEVEL:-info}"\n', '      LOG_LEVEL: "${API_LOG_LEVEL:-info}"\n      FEATURE_X: "on"  # my flag\n'],
    ['docker-compose.yml', 'networks:\n  app-network:\n', '  # my own mail catcher\n  mailhog:\n    image: mailhog/mailhog:v1.0.1\n    networks:\n      - app-network\n\nnetworks:\n  app-network:\n'],
    ['docker-compose.yml', '    image: "shop-web:${TAG:-dev}"\n', '    image: "shop-web:${TAG:-dev}"\n    labels:\n      team: frontend\n'],
    ['docker-compose.override.yml', '\nservices:\n', '\n# my override notes\nservices:\n'],
    ['README.md', '# shop', '# shop\n\nOur team notes live here.'],
    ['data/api/main.py', '\n', '\n# my code\n'],
    ['.create-stack.yaml', 'services:\n', '# the services we run\nservices:\n'],
  ];
  for (const [f, from, to] of EDITS) edit(join(dir, f), from, to);
  const edited = snap(dir);

  it('exit 0, and the result is new A+B plus exactly the edits', () => {
    const r = runCli(['add', 'service', 'cache:redis'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const now = snap(dir);
    // Undo the edits on the result: what is left must be new A+B byte for byte.
    for (const [f, from, to] of EDITS) {
      expect(now[f]!.content, f).toContain(to);
      now[f] = { ...now[f]!, content: now[f]!.content.replace(to, from) };
    }
    expect(treeDiff(now, snap(fresh))).toEqual([]);
    expect(edited['data/api/main.py']!.content).toBe(readFileSync(join(dir, 'data/api/main.py'), 'utf8'));
  });

  it('the merged compose files pass the schema and docker-compose config', () => {
    for (const f of ['docker-compose.yml', 'docker-compose.override.yml', 'docker-compose.prod.yml']) {
      expect(composeSchemaErrors(parse(readFileSync(join(dir, f), 'utf8'))), f).toEqual([]);
    }
    for (const set of [['docker-compose.yml', 'docker-compose.override.yml'], ['docker-compose.yml', 'docker-compose.prod.yml']]) {
      const r = dockerComposeConfig(dir, set);
      if (!r.skipped) expect(r.ok, r.output).toBe(true);
    }
  });

  it('remove service then gives back the edited tree (the edits stay)', () => {
    const r = runCli(['remove', 'service', 'cache', '--force'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { ['.env']: _a, ...now } = snap(dir);
    const { ['.env']: _b, ...before } = edited;
    expect(treeDiff(now, before)).toEqual([]);
  });
});

describe('a node both the user and the add change is a conflict', () => {
  const setup = () => {
    const dir = newStack(A);
    // The user wrote api's depends_on in the short form: the add must add the cache to it.
    edit(join(dir, 'docker-compose.yml'), '    depends_on:\n      db:\n        condition: service_healthy\n', '    depends_on:\n      - db\n');
    return dir;
  };

  it('exit 2 add-conflict naming the node, nothing written', () => {
    const dir = setup();
    const before = snap(dir);
    const r = runCli(['add', 'service', 'cache:redis'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[add-conflict]');
    expect(r.stderr).toContain('docker-compose.yml: services.api.depends_on');
    expect(snap(dir)).toEqual(before);
  });

  it('--dry-run shows the diff and says where it would stop; nothing written', () => {
    const dir = setup();
    const before = snap(dir);
    const r = runCli(['add', 'service', 'cache:redis', '--dry-run'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+++ b/docker-compose.yml');
    expect(r.stdout).toContain('+  cache:');
    expect(r.stdout).toContain('[add-conflict]');
    expect(snap(dir)).toEqual(before);
  });

  it('--force: the add wins on that node, every other edit stays', () => {
    const dir = setup();
    edit(join(dir, 'docker-compose.yml'), '      LOG_LEVEL: "${API_LOG_LEVEL:-info}"\n', '      LOG_LEVEL: "${API_LOG_LEVEL:-info}"\n      FEATURE_X: "on"\n');
    const r = runCli(['add', 'service', 'cache:redis', '--force'], { cwd: dir });
    expect(r.code).toBe(0);
    const api = parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).services.api;
    expect(api.depends_on).toEqual({ db: { condition: 'service_healthy' }, cache: { condition: 'service_healthy' } });
    expect(api.environment.FEATURE_X).toBe('on');
  });
});

describe('a port conflict suggests a port that is free', () => {
  it('the next free one, past the ports the user publishes by hand', () => {
    const dir = newStack(['api:fastapi', 'db:postgres']);
    edit(join(dir, 'docker-compose.yml'), 'networks:\n  app-network:\n', '  mailhog:\n    image: mailhog/mailhog:v1.0.1\n    ports:\n      - "8025:8025"\n      - "8026:1025"\n\nnetworks:\n  app-network:\n');
    const r = runCli(['add', 'service', 'mail-ui:node:8025'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[port-conflict]');
    expect(r.stderr).toMatch(/fix: .*mail-ui:node:8027\b/);
  });
});

describe('refusals on a stack: exit 2, nothing written', () => {
  const dir = newStack(['api:fastapi', 'db:postgres']);
  edit(join(dir, 'docker-compose.yml'), 'networks:\n  app-network:\n', '  mailhog:\n    image: mailhog/mailhog:v1.0.1\n    ports:\n      - "8025:8025"\n\nnetworks:\n  app-network:\n');
  const cases: Array<[string, string[], string]> = [
    ['a name the user gave a service of their own', ['add', 'service', 'mailhog:redis'], 'service-exists'],
    ['a host port a service of the user publishes', ['add', 'service', 'mail-ui:node:8025'], 'port-conflict'],
    ['a host port of the spec', ['add', 'service', 'web:node:8000'], 'port-conflict'],
    ['unknown kind', ['add', 'service', 'x:rails'], 'kind-unknown'],
    ['bad name', ['add', 'service', 'Cache:redis'], 'name-format'],
    ['malformed', ['add', 'service', 'cache'], 'service-format'],
    ['link to nothing', ['add', 'service', 'cache:redis', '--link', 'nope'], 'link-unknown'],
    ['link the preset would not wire', ['add', 'service', 'cache:redis', '--link', 'db'], 'link-not-wired'],
    ['--file on a stack', ['add', 'service', 'cache:redis', '--file', 'docker-compose.yml'], 'option-not-applicable'],
    ['no service, no terminal', ['add', 'service'], 'input-missing'],
    ['unknown option', ['add', 'service', 'cache:redis', '--colour'], 'option-unknown'],
    ['remove: nothing named', ['remove', 'service'], 'input-missing'],
    ['remove what?', ['remove', 'thing'], 'remove-what'],
  ];
  it.each(cases)('%s', (_l, args, rule) => {
    const before = snap(dir);
    const r = runCli(args, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`[${rule}]`);
    expect(r.stderr).toMatch(/fix: /);
    expect(snap(dir)).toEqual(before);
  });
  it('--link naming a consumer the preset wires is accepted', () => {
    const r = runCli(['add', 'service', 'cache:redis', '--link', 'api', '--dry-run'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('the merges themselves', () => {
  it('diff3: both sides applied when apart; a conflict when they meet', () => {
    const base = 'a\nb\nc\nd\ne\n';
    expect(mergeLines(base, 'A\nb\nc\nd\ne\n', 'a\nb\nc\nd\nE\n')).toEqual({ text: 'A\nb\nc\nd\nE\n', conflicts: [] });
    expect(mergeLines(base, 'a\nb\nx\nc\nd\ne\n', 'a\nb\nc\nd\ne\nf\n').text).toBe('a\nb\nx\nc\nd\ne\nf\n');
    const c = mergeLines(base, 'a\nB1\nc\nd\ne\n', 'a\nB2\nc\nd\ne\n');
    expect(c.conflicts.length).toBe(1);
    expect(c.text).toBe('a\nB1\nc\nd\ne\n');
    expect(mergeLines(base, 'a\nB1\nc\nd\ne\n', 'a\nB2\nc\nd\ne\n', { prefer: 'theirs' }).text).toBe('a\nB2\nc\nd\ne\n');
  });

  it('YAML: an entry added beside a user comment and a user key; quoting, anchors and comments of ours kept', () => {
    const base = 'x: &a\n  k: 1\nm:\n  one: 1\n  list:\n    - a\n';
    const ours = "# top\nx: &a\n  k: 1\nm:\n  one: 1   # mine\n  mine: 'q'\n  list:\n    - a\n    - user\n";
    const theirs = 'x: &a\n  k: 1\nm:\n  one: 1\n  list:\n    - a\n    - b\n  two: 2\n';
    const r = mergeYaml(base, ours, theirs)!;
    expect(r.conflicts).toEqual([]);
    expect(r.text).toBe("# top\nx: &a\n  k: 1\nm:\n  one: 1   # mine\n  mine: 'q'\n  list:\n    - a\n    - b\n    - user\n  two: 2\n");
  });

  it('YAML: a value both changed differently is a conflict; a key removed where the user left it goes', () => {
    const base = 'm:\n  a: 1\n  b: 2\n  c: 3\n';
    const r = mergeYaml(base, 'm:\n  a: 10\n  b: 2\n  c: 3\n', 'm:\n  a: 11\n  b: 2\n')!;
    expect(r.conflicts.join()).toContain('m.a');
    expect(mergeYaml(base, 'm:\n  a: 1\n  b: 2\n  c: 3\n  d: 4\n', 'm:\n  a: 1\n  b: 2\n')!.text).toBe('m:\n  a: 1\n  b: 2\n  d: 4\n');
  });
});
