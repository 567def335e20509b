// `create-stack update`. test/fixtures/update/shop is a stack written by this code with its record;
// a copy is edited as a user would, then updated to a changed template set (a bumped image tag, a
// changed and a new healthcheck field, a new file, removed files, a changed script line), rendered
// through the same planner with withTemplates. The CLI cases update a copy "aged" to look written by
// an earlier version (its files and its record changed the same way) to the shipped templates.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Handlebars from 'handlebars';
import { parse, parseAllDocuments } from 'yaml';
import { createStack, kinds, updateStack, withTemplates, type Migration, type TemplateSet } from '../dist/index.js';
import { BIN, ROOT, removeDir, runCli, tempDir } from './helpers/cli.js';
import { composeSchemaErrors, listFiles } from './helpers/validators.js';
import { changed, editLines, editYaml, flatten, related, rng } from './helpers/random-edits.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'update', 'shop');
const RECORD = '.create-stack/base.json.gz';
const work = tempDir('cs-update-');
afterAll(() => removeDir(work));
let n = 0;

/** A fresh copy of the fixture: <work>/case-N/shop. */
function copyFixture(): string {
  const parent = join(work, `case-${++n}`);
  mkdirSync(parent);
  cpSync(FIXTURE, join(parent, 'shop'), { recursive: true });
  return join(parent, 'shop');
}

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const edit = (dir: string, f: string, from: string | RegExp, to: string) => {
  const text = read(dir, f);
  const next = text.replace(from, to);
  expect(next, `${f}: ${from} not found`).not.toBe(text);
  writeFileSync(join(dir, f), next);
};
const record = (dir: string) => JSON.parse(gunzipSync(readFileSync(join(dir, RECORD))).toString('utf8')) as { version: string; files: Record<string, string> };
const parses = (text: string) => {
  const docs = parseAllDocuments(text);
  return Array.isArray(docs) && docs.every((d) => d.errors.length === 0);
};

/** Makes the copy look written by an earlier version: each change is applied to the file and its record. */
function age(dir: string, changes: Array<[path: string, from: string | RegExp, to: string]>, extra: Record<string, string> = {}, version?: string): void {
  const rec = record(dir);
  for (const [path, from, to] of changes) {
    const text = read(dir, path);
    const next = text.replace(from, to);
    expect(next, `${path}: ${from}`).not.toBe(text);
    writeFileSync(join(dir, path), next);
    rec.files[path] = next;
  }
  for (const [path, content] of Object.entries(extra)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
    rec.files[path] = content;
  }
  if (version) {
    const spec = read(dir, '.create-stack.yaml').replace(/^version: .*$/m, `version: "${version}"`);
    writeFileSync(join(dir, '.create-stack.yaml'), spec);
    rec.files['.create-stack.yaml'] = spec;
    rec.version = version;
  }
  writeFileSync(join(dir, RECORD), gzipSync(JSON.stringify({ format: 1, version: rec.version, files: rec.files })));
}

// ---------------------------------------------------------------------------------------------
// The changed template set.

const KNOWN_HELPERS = { json: true, yaml: true, sh: true, concat: true, eq: true, upper: true, join: true };
function compile(source: string) {
  return new Function(`return ${Handlebars.precompile(source, { noEscape: true, knownHelpers: KNOWN_HELPERS })}`)();
}
const source = (name: string) => readFileSync(join(ROOT, 'templates', `${name}.hbs`), 'utf8');
const changedSource = (name: string, from: string, to: string) => {
  const s = source(name);
  expect(s.includes(from), `${name}: ${from}`).toBe(true);
  return compile(s.split(from).join(to));
};

const OLD_PG = kinds.postgres!.image;
const NEW_PG = OLD_PG.replace(/^postgres:(\d+)\.(\d+)/, (_m: string, a: string, b: string) => `postgres:${a}.${Number(b) + 1}`);

function newStandard(): TemplateSet {
  return {
    kinds: { postgres: { ...kinds.postgres!, image: NEW_PG } },
    templates: {
      'bd-build-data/root/docker-compose.yml': changedSource('bd-build-data/root/docker-compose.yml', '      interval: 30s\n      timeout: 10s\n      retries: 5\n      start_period: 60s\n', '      interval: 20s\n      timeout: 10s\n      retries: 5\n      start_period: 60s\n      start_interval: 5s\n'),
      'bd-build-data/root/data/scripts/test.sh': changedSource('bd-build-data/root/data/scripts/test.sh', '# test.sh: check that every service of', '# test.sh: check, once, that every service of'),
      'bd-build-data/root/docs/UPDATING.md': compile('# Updating {{name}}\n\nRun `npx create-stack update` in this repo.\n'),
      'bd-build-data/root/data/scripts/diagnostic.sh': null,
      'bd-build-data/root/data/scripts/cleanup.sh': null,
    },
  };
}

/** What the new standard (or the shipped one) writes for the fixture's spec, in a directory of its own. */
function freshRender(set: TemplateSet | null = newStandard()): string {
  const dest = join(work, `fresh-${++n}`);
  mkdirSync(dest);
  const spec = { name: 'shop', preset: 'bd-build-data' as const, with: [], services: [{ name: 'api', kind: 'fastapi' }, { name: 'db', kind: 'postgres' }, { name: 'cache', kind: 'redis' }] };
  if (set) withTemplates(set, () => createStack(spec, { dest }));
  else createStack(spec, { dest });
  return join(dest, 'shop');
}

const update = (dir: string, opts: Record<string, unknown> = {}) => updateStack({ repo: dir, templates: newStandard(), ...opts });
const actions = (r: Awaited<ReturnType<typeof update>>) => new Set(r.result.states.flatMap((s) => s.changes.map((c) => c.action)));

describe('update to a changed standard', () => {
  it('untouched files follow; edited YAML keeps the user keys and gains the template ones; new and removed files', async () => {
    const dir = copyFixture();
    const userComment = '# our team: api gets EXTRA_FLAG\n';
    writeFileSync(join(dir, 'docker-compose.yml'), userComment + read(dir, 'docker-compose.yml'));
    edit(dir, 'docker-compose.yml', '      SERVICE_NAME: "api"\n', '      SERVICE_NAME: "api"\n      EXTRA_FLAG: "1"\n');
    edit(dir, 'docker-compose.yml', /\n {2}db:\n/, '\n  db:\n    labels:\n      team: data\n');
    writeFileSync(join(dir, 'README.md'), read(dir, 'README.md') + '\nOur notes.\n');
    writeFileSync(join(dir, 'data/scripts/cleanup.sh'), read(dir, 'data/scripts/cleanup.sh') + '# our cleanup step\n');

    const r = await update(dir);
    expect(r.update.conflicts).toEqual([]);
    expect(r.exitCode).toBe(0);
    const fresh = freshRender();

    // Untouched files are the new render.
    for (const f of ['build/db/Dockerfile', 'build/api/Dockerfile', 'docker-compose.prod.yml', 'data/scripts/test.sh', 'docs/UPDATING.md']) {
      expect(read(dir, f), f).toBe(read(fresh, f));
    }
    expect(read(dir, 'build/db/Dockerfile')).toContain(`FROM ${NEW_PG}`);
    // Edited YAML: the user's keys and comment, the template's new and changed fields.
    const compose = read(dir, 'docker-compose.yml');
    expect(compose.startsWith(userComment)).toBe(true);
    const doc = parse(compose, { merge: true });
    expect(doc.services.api.environment.EXTRA_FLAG).toBe('1');
    expect(doc.services.db.labels).toEqual({ team: 'data' });
    for (const svc of ['api', 'db', 'cache']) expect(doc.services[svc].healthcheck).toMatchObject({ interval: '20s', start_interval: '5s' });
    expect(composeSchemaErrors(doc)).toEqual([]);
    // Apart from the user's edits, it is the new render.
    const theirs = parse(read(fresh, 'docker-compose.yml'), { merge: true });
    delete doc.services.api.environment.EXTRA_FLAG;
    delete doc.services.db.labels;
    expect(doc).toEqual(theirs);
    expect(read(dir, 'README.md')).toContain('Our notes.');
    // Removed by the new version: gone when untouched, kept and listed when the user changed it.
    expect(existsSync(join(dir, 'data/scripts/diagnostic.sh'))).toBe(false);
    expect(read(dir, 'data/scripts/cleanup.sh')).toContain('# our cleanup step');
    expect(r.result.states[0]!.changes.find((c) => c.path === 'data/scripts/cleanup.sh')).toMatchObject({ action: 'kept', removed: true });
    // The record now holds the new render (not the merge), and forgets the removed files.
    const rec = record(dir);
    expect(rec.files['docker-compose.yml']).toBe(read(fresh, 'docker-compose.yml'));
    expect(rec.files['data/scripts/diagnostic.sh']).toBeUndefined();
    expect(rec.files['data/scripts/cleanup.sh']).toBeUndefined();
    expect(rec.files['docs/UPDATING.md']).toBeDefined();
    // A missing .env is written as new writes it.
    expect(existsSync(join(dir, '.env'))).toBe(true);

    // Twice: nothing changes the second time.
    const before = Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f))]));
    const again = await update(dir);
    expect(again.exitCode).toBe(0);
    expect([...actions(again)].sort()).toEqual(['kept', 'unchanged']);
    expect(Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f))]))).toEqual(before);
  });

  it('a real conflict: exit 1, every conflict listed with its place, the files left as the user has them and parsing', async () => {
    const dir = copyFixture();
    edit(dir, 'docker-compose.yml', /(\n {2}db:\n[\s\S]*?interval: )30s/, '$110s');
    edit(dir, 'data/scripts/test.sh', '# test.sh: check that every service of', '# test.sh: our own check that every service of');
    const composeOurs = read(dir, 'docker-compose.yml');
    const testOurs = read(dir, 'data/scripts/test.sh');
    const r = await update(dir);
    expect(r.exitCode).toBe(1);
    const byFile = Object.fromEntries(r.update.conflicts.map((c) => [c.path, c]));
    expect(Object.keys(byFile).sort()).toEqual(['data/scripts/test.sh', 'docker-compose.yml']);
    expect(byFile['docker-compose.yml']!.message).toMatch(/^services\.db\.healthcheck\.interval: you changed it to "10s", the new version to "20s" \(was "30s"\)/);
    const line = composeOurs.split('\n').findIndex((l) => l.includes('interval: 10s')) + 1;
    expect(byFile['docker-compose.yml']!.where).toBe(`${line}:17`);
    expect(byFile['data/scripts/test.sh']!.where).toBe('line 2');
    expect(read(dir, 'docker-compose.yml')).toBe(composeOurs);
    expect(parses(read(dir, 'docker-compose.yml'))).toBe(true);
    expect(read(dir, 'data/scripts/test.sh')).toBe(testOurs);
    // Everything else did update.
    expect(read(dir, 'build/db/Dockerfile')).toContain(`FROM ${NEW_PG}`);
    // The conflict is seen again until it is resolved; nothing changes meanwhile.
    const again = await update(dir);
    expect(again.exitCode).toBe(1);
    expect(again.update.conflicts.length).toBe(2);
    expect([...actions(again)].sort()).toEqual(['kept', 'unchanged']);
    // Resolved by hand (the template's value): the next update is clean.
    edit(dir, 'docker-compose.yml', 'interval: 10s', 'interval: 20s');
    writeFileSync(join(dir, 'data/scripts/test.sh'), read(freshRender(), 'data/scripts/test.sh'));
    expect((await update(dir)).exitCode).toBe(0);
  });

  it('--strategy merge writes <file>.base/.theirs (gitignored) beside YAML and markers into other text; ours and theirs resolve', async () => {
    const conflicted = () => {
      const dir = copyFixture();
      edit(dir, 'docker-compose.yml', /(\n {2}db:\n[\s\S]*?interval: )30s/, '$110s');
      edit(dir, 'data/scripts/test.sh', '# test.sh: check that every service of', '# test.sh: our own check that every service of');
      return dir;
    };
    const dir = conflicted();
    const ours = read(dir, 'docker-compose.yml');
    const r = await update(dir, { strategy: 'merge' });
    expect(r.exitCode).toBe(1);
    expect(read(dir, 'docker-compose.yml')).toBe(ours);
    expect(read(dir, 'docker-compose.yml.base')).toBe(read(FIXTURE, 'docker-compose.yml'));
    expect(read(dir, 'docker-compose.yml.theirs')).toBe(read(freshRender(), 'docker-compose.yml'));
    const test = read(dir, 'data/scripts/test.sh');
    expect(test).toMatch(/^<<<<<<< data\/scripts\/test\.sh \(yours\)\n# test\.sh: our own check[\s\S]*\n=======\n# test\.sh: check, once,[\s\S]*\n>>>>>>> /m);
    expect(spawnSync('git', ['init', '-q'], { cwd: dir }).status).toBe(0);
    const ignored = spawnSync('git', ['check-ignore', 'docker-compose.yml.base', 'docker-compose.yml.theirs'], { cwd: dir, encoding: 'utf8' });
    expect(ignored.stdout.split('\n').filter(Boolean)).toEqual(['docker-compose.yml.base', 'docker-compose.yml.theirs']);
    // Once resolved, the next update removes the leftovers.
    writeFileSync(join(dir, 'docker-compose.yml'), read(dir, 'docker-compose.yml.theirs'));
    await update(dir, { strategy: 'merge' });
    expect(existsSync(join(dir, 'docker-compose.yml.base'))).toBe(false);

    const t = conflicted();
    const rt = await update(t, { strategy: 'theirs' });
    expect(rt.exitCode).toBe(0);
    expect(parse(read(t, 'docker-compose.yml')).services.db.healthcheck.interval).toBe('20s');
    expect(read(t, 'data/scripts/test.sh')).toContain('# test.sh: check, once,');
    const o = conflicted();
    const ro = await update(o, { strategy: 'ours' });
    expect(ro.exitCode).toBe(0);
    const v = parse(read(o, 'docker-compose.yml'));
    expect(v.services.db.healthcheck).toMatchObject({ interval: '10s', start_interval: '5s' });
    expect(v.services.api.healthcheck.interval).toBe('20s');
    expect(read(o, 'data/scripts/test.sh')).toContain('# test.sh: our own check');
  });

  it('a file the user deleted stays deleted; --dry-run writes nothing', async () => {
    const dir = copyFixture();
    rmSync(join(dir, 'data/doc/README.md'));
    const before = Object.fromEntries(listFiles(dir).map((f) => [f, read(dir, f)]));
    const dry = await update(dir, { dryRun: true });
    expect(dry.result.written).toBe(false);
    expect(Object.fromEntries(listFiles(dir).map((f) => [f, read(dir, f)]))).toEqual(before);
    const r = await update(dir);
    expect(r.update.files.find((f) => f.path === 'data/doc/README.md')!.outcome).toBe('deleted-kept');
    expect(existsSync(join(dir, 'data/doc/README.md'))).toBe(false);
  });

  it('migrations: a renamed key of .create-stack.yaml and a moved file the user edited', async () => {
    const dir = copyFixture();
    age(dir, [['.create-stack.yaml', /^with: \[\]$/m, 'layers: []']], {}, '0.0.9');
    writeFileSync(join(dir, 'data/doc/architecture.md'), read(dir, 'data/doc/architecture.md') + '\nOur diagram notes.\n');
    const set = newStandard();
    set.templates!['bd-build-data/root/data/doc/architecture.md'] = null;
    set.templates!['bd-build-data/root/docs/architecture.md'] = compile(source('bd-build-data/root/data/doc/architecture.md'));
    const migrations: Migration[] = [
      {
        id: '001-layers-is-with',
        version: '0.1.0',
        description: 'layers: in .create-stack.yaml is now with:',
        migrate: (tree) =>
          tree.editSpec((doc) => {
            if (!doc.has('layers')) return;
            doc.set('with', doc.get('layers'));
            doc.delete('layers');
          }),
      },
      { id: '002-architecture-in-docs', version: '0.1.0', description: 'data/doc/architecture.md moved to docs/', migrate: (tree) => tree.move('data/doc/architecture.md', 'docs/architecture.md') },
    ];
    // Without them this version cannot read the spec at all.
    await expect(updateStack({ repo: dir, templates: set, migrations: [] })).rejects.toMatchObject({ rule: 'answers-shape' });
    const r = await updateStack({ repo: dir, templates: set, migrations });
    expect(r.update.migrations).toEqual(['001-layers-is-with', '002-architecture-in-docs']);
    expect(r.exitCode).toBe(0);
    const spec = parse(read(dir, '.create-stack.yaml'));
    expect(spec.layers).toBeUndefined();
    expect(spec.with).toEqual([]);
    expect(spec.version).not.toBe('0.0.9');
    expect(existsSync(join(dir, 'data/doc/architecture.md'))).toBe(false);
    expect(read(dir, 'docs/architecture.md')).toContain('Our diagram notes.');
    expect(record(dir).files['docs/architecture.md']).toBeDefined();
    expect(record(dir).files['data/doc/architecture.md']).toBeUndefined();
    // Migrations ran once: the repo now records this version.
    expect((await updateStack({ repo: dir, templates: set, migrations })).update.migrations).toEqual([]);
  });

  it('200 seeded random user edits × the template change: no user edit the template did not touch is lost, YAML always parses', async () => {
    const dir = copyFixture();
    const rand = rng(14);
    const fresh = freshRender();
    const files = ['docker-compose.yml', 'docker-compose.override.yml', 'docker-compose.prod.yml', 'build/db/Dockerfile', 'data/scripts/test.sh', 'README.md'];
    const original = Object.fromEntries(files.map((f) => [f, read(dir, f)]));
    let kept = 0;
    for (let i = 0; i < 200; i++) {
      const f = files[i % files.length]!;
      const yaml = f.endsWith('.yml');
      const base = original[f]!;
      const ours = yaml ? editYaml(base, rand, i) : editLines(base.split('\n'), rand, `user ${i}`, 1 + Math.floor(rand() * 3)).join('\n');
      writeFileSync(join(dir, f), ours);
      const r = await update(dir, { dryRun: true });
      const change = r.result.states[0]!.changes.find((c) => c.path === f)!;
      const result = change.action === 'update' ? change.after : ours;
      const theirs = read(fresh, f);
      if (yaml) {
        expect(parses(result), `${f} #${i}`).toBe(true);
        const [fb, fo, ft, fr] = [base, ours, theirs, result].map((t) => flatten(parse(t, { merge: true })));
        const templ = changed(fb!, ft!);
        for (const p of changed(fb!, fo!)) {
          if (templ.some((q) => related(p, q))) continue;
          expect(fr!.get(p), `${f} #${i}: ${p}`).toBe(fo!.get(p));
          kept++;
        }
      } else {
        const lines = new Set(result.split('\n'));
        for (const l of ours.split('\n')) if (l.startsWith(`user ${i}`)) expect(lines.has(l), `${f} #${i}: ${l}`).toBe(true);
      }
      writeFileSync(join(dir, f), base);
    }
    expect(kept).toBeGreaterThan(80);
  });
});

// ---------------------------------------------------------------------------------------------
// The CLI, on a copy aged to look written by an earlier version; update brings it to the shipped one.

function agedCopy(): string {
  const dir = copyFixture();
  age(
    dir,
    [
      ['docker-compose.yml', /interval: 30s/g, 'interval: 45s'],
      ['build/db/Dockerfile', `FROM ${OLD_PG}`, 'FROM postgres:16.0-alpine3.20'],
      ['README.md', /\n$/, '\nAn older paragraph of the README.\n'],
    ],
    { 'data/scripts/old-tool.sh': '#!/usr/bin/env bash\necho old\n' },
    '0.0.9',
  );
  // The team's edits since.
  edit(dir, 'docker-compose.yml', '      SERVICE_NAME: "api"\n', '      SERVICE_NAME: "api"\n      EXTRA_FLAG: "1"\n');
  writeFileSync(join(dir, '.env'), 'DB_PASSWORD=kept\n');
  return dir;
}

describe('create-stack update (CLI)', () => {
  it('--dry-run prints the unified diff and writes nothing; the run brings the repo up to date; twice changes nothing', () => {
    const dir = agedCopy();
    const before = Object.fromEntries(listFiles(dir).map((f) => [f, read(dir, f)]));
    const dry = runCli(['update', '--dry-run'], { cwd: dir });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('create-stack update: 0.0.9 → ');
    expect(dry.stdout).toMatch(/^-\s+interval: 45s$/m);
    expect(dry.stdout).toMatch(/^\+\s+interval: 30s$/m);
    expect(dry.stdout).toContain('--- a/data/scripts/old-tool.sh');
    expect(Object.fromEntries(listFiles(dir).map((f) => [f, read(dir, f)]))).toEqual(before);
    const r = runCli(['update', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ ok: true, from: '0.0.9', conflicts: [] });
    expect(json.files).toContainEqual({ file: './docker-compose.yml', outcome: 'merged' });
    // The shipped templates may have moved on since the fixture was written: compare with their render.
    const current = freshRender(null);
    expect(read(dir, 'build/db/Dockerfile')).toBe(read(current, 'build/db/Dockerfile'));
    expect(read(dir, 'docker-compose.yml')).toBe(read(current, 'docker-compose.yml').replace('      SERVICE_NAME: "api"\n', '      SERVICE_NAME: "api"\n      EXTRA_FLAG: "1"\n'));
    // .env is the user's: kept, only gaining what is missing (as with new --force).
    expect(read(dir, '.env').startsWith('DB_PASSWORD=kept\n')).toBe(true);
    expect(existsSync(join(dir, 'data/scripts/old-tool.sh'))).toBe(false);
    expect(parse(read(dir, '.create-stack.yaml')).version).toBe(parse(read(current, '.create-stack.yaml')).version);
    const again = runCli(['update'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('up to date');
  });

  it('a conflict: exit 1 with a one-line cause on stderr; bad input: exit 2, nothing written', () => {
    const dir = agedCopy();
    edit(dir, 'build/db/Dockerfile', 'FROM postgres:16.0-alpine3.20', 'FROM postgres:15.9-alpine3.20');
    const r = runCli(['update'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/build\/db\/Dockerfile:\d+\s+lines \d+-\d+: you and the new version changed the same lines/);
    expect(r.stderr).toMatch(/^create-stack update: 1 conflict left for you/);
    expect(read(dir, 'build/db/Dockerfile')).toContain('FROM postgres:15.9-alpine3.20');
    const before = Object.fromEntries(listFiles(dir).map((f) => [f, read(dir, f)]));
    for (const args of [['update', '--to', '9.9.9'], ['update', '--strategy', 'mine'], ['update', 'extra'], ['update', '--bogus']]) {
      const bad = runCli(args, { cwd: dir });
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(/^error \[[a-z-]+\]/);
    }
    const outside = runCli(['update'], { cwd: join(dir, '..', '..') });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('[not-a-stack]');
    expect(Object.fromEntries(listFiles(dir).map((f) => [f, read(dir, f)]))).toEqual(before);
  });

  // Two CLI runs per rename and write: on two shared cores this outlasts the default timeout.
  it('SIGKILL at every rename and write of an update: the next run recovers and ends with the same tree', { timeout: 900_000 }, () => {
    const preload = join(ROOT, 'test', 'helpers', 'kill-at-op.cjs');
    const env = (extra: Record<string, string>) => ({ NODE_OPTIONS: `--require ${preload}`, ...extra });
    // The tree an uninterrupted update ends with, and how many renames and writes it makes.
    const clean = agedCopy();
    const countFile = join(work, `count-${++n}`);
    expect(runCli(['update'], { cwd: clean, env: env({ COUNT_OPS: countFile }) }).code).toBe(0);
    const ops = Number(readFileSync(countFile, 'utf8').trim());
    expect(ops).toBeGreaterThan(8);
    // .env gains fresh secrets for what it lacks on every first write: compared without it.
    const tree = (dir: string) => Object.fromEntries(listFiles(dir).filter((f) => f !== '.env').map((f) => [f, read(dir, f)]));
    const expected = tree(clean);
    for (let at = 1; at <= ops; at++) {
      const dir = agedCopy();
      const killed = runCli(['update'], { cwd: dir, env: env({ KILL_AT_OP: String(at) }) });
      expect(killed.code, `op ${at}`).toBeNull();
      const next = runCli(['update'], { cwd: dir });
      expect(next.code, `op ${at}: ${next.stderr}`).toBe(0);
      expect(tree(dir), `op ${at}`).toEqual(expected);
      expect(read(dir, '.env').startsWith('DB_PASSWORD=kept\n'), `op ${at}`).toBe(true);
      expect(readdirSync(join(dir, '..')), `op ${at}`).toEqual(['shop']);
    }
  });
});

void BIN;

describe('update of an app-support pair', () => {
  it('updates both repos from either one; an edited file of the sibling is merged', () => {
    const parent = join(work, `pair-${++n}`);
    mkdirSync(parent);
    expect(runCli(['new', 'demo', '--preset', 'app-support', '--yes', '--no-git'], { cwd: parent }).code).toBe(0);
    const support = join(parent, 'demo-support');
    const app = join(parent, 'demo');
    const up = runCli(['update'], { cwd: app });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('up to date');
    // The support repo as an earlier version wrote it, edited since; updated from the app repo.
    age(support, [['kubernetes/kustomization.yaml', /\n$/, '\n# an older comment\n']], {}, '0.0.9');
    edit(support, 'kubernetes/kustomization.yaml', /^/, '# ours\n');
    const r = runCli(['update', '--repo', app, '--json'], { cwd: parent });
    expect(r.code, r.stderr).toBe(0);
    const text = read(support, 'kubernetes/kustomization.yaml');
    expect(text.startsWith('# ours\n')).toBe(true);
    expect(text).not.toContain('an older comment');
    expect(JSON.parse(r.stdout).files).toContainEqual({ file: 'demo-support/kubernetes/kustomization.yaml', outcome: 'merged' });
  });
});
