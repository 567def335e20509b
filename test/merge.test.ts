// merge3: YAML at node level (comments, order, anchors, merge keys of ours survive), other text with
// `git merge-file` semantics (checked against git itself), and a seeded property test of random user
// edits against a fixed template change on the files of a real generated stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, parseDocument, type Document, type YAMLMap } from 'yaml';
import { merge3 } from '../src/merge/index.js';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { changed, editLines, editYaml, flatten, maps, related, rng } from './helpers/random-edits.js';

const parses = (text: string) => {
  const docs = parseAllDocuments(text, { merge: true });
  return Array.isArray(docs) && docs.every((d) => d.errors.length === 0);
};

describe('merge3: trivial cases take a side without parsing', () => {
  it('base = ours → theirs; base = theirs → ours; ours = theirs → ours', () => {
    expect(merge3({ path: 'a.yml', base: 'a: 1\n', ours: 'a: 1\n', theirs: 'a: [\n' })).toMatchObject({ content: 'a: [\n', clean: true, how: 'theirs' });
    expect(merge3({ path: 'a.yml', base: 'a: 1\n', ours: 'x', theirs: 'a: 1\n' })).toMatchObject({ content: 'x', clean: true, how: 'ours' });
    expect(merge3({ path: 'a.txt', base: '', ours: 'x\n', theirs: 'x\n' })).toMatchObject({ content: 'x\n', clean: true, how: 'same' });
  });
});

describe('merge3: YAML at node level', () => {
  const base = `# header
x-logging: &default-logging
  driver: json-file
services:
  api:
    image: "python:3.12.8"  # pinned
    logging: *default-logging
    healthcheck:
      test: ["CMD", "python", "-c", "ok"]
      interval: 10s
  db:
    image: postgres:16.6
`;

  it('a key the user added and a key the template added both land; comments and order of ours survive', () => {
    const ours = base.replace('  db:\n', '    environment:\n      FOO: bar  # mine\n  db:\n').replace('# header\n', '# header\n# our note\n');
    const theirs = base.replace('      interval: 10s\n', '      interval: 10s\n      start_period: 20s\n');
    const r = merge3({ path: 'docker-compose.yml', base, ours, theirs });
    expect(r.clean).toBe(true);
    expect(r.content).toContain('# our note');
    expect(r.content).toMatch(/FOO: bar +# mine/);
    expect(r.content).toContain('start_period: 20s');
    expect(r.content).toContain('logging: *default-logging');
    expect(r.content.indexOf('environment:')).toBeLessThan(r.content.indexOf('  db:'));
    expect(parse(r.content, { merge: true }).services.api).toMatchObject({ environment: { FOO: 'bar' }, healthcheck: { start_period: '20s' } });
  });

  it('a value only the template changed follows it, keeping the comment on it', () => {
    const ours = base.replace('  db:\n', '  db:\n    restart: always\n');
    const theirs = base.replace('python:3.12.8', 'python:3.12.9');
    const r = merge3({ path: 'c.yml', base, ours, theirs });
    expect(r.clean).toBe(true);
    expect(r.content).toContain('"python:3.12.9"  # pinned');
    expect(r.content).toContain('restart: always');
  });

  it('a value both changed differently is a conflict at its line:col; ours stays, the file parses', () => {
    const ours = base.replace('postgres:16.6', 'postgres:16.8').replace('# header\n', '# header\n# note\n');
    const theirs = base.replace('postgres:16.6', 'postgres:16.7').replace('interval: 10s', 'interval: 5s');
    const r = merge3({ path: 'c.yml', base, ours, theirs });
    expect(r.clean).toBe(false);
    expect(r.conflicts).toEqual([{ path: 'c.yml', where: '13:12', message: expect.stringContaining('services.db.image') }]);
    expect(r.conflicts[0]!.message).toContain('postgres:16.8');
    expect(r.conflicts[0]!.message).toContain('postgres:16.7');
    expect(parses(r.content)).toBe(true);
    const value = parse(r.content, { merge: true });
    expect(value.services.db.image).toBe('postgres:16.8');
    expect(value.services.api.healthcheck.interval).toBe('5s'); // the rest still merged
    expect(merge3({ path: 'c.yml', base, ours, theirs, onConflict: 'theirs' }).content).toContain('postgres:16.7');
    // Never conflict markers in YAML.
    const marked = merge3({ path: 'c.yml', base, ours, theirs, onConflict: 'markers' });
    expect(marked.content).not.toContain('<<<<<<<');
    expect(parses(marked.content)).toBe(true);
  });

  it('a key the template removed goes when the user left it, and is a conflict when they changed it', () => {
    const theirs = base.replace('      interval: 10s\n', '');
    expect(merge3({ path: 'c.yml', base, ours: base.replace('16.6', '16.9'), theirs }).content).not.toContain('interval');
    const r = merge3({ path: 'c.yml', base, ours: base.replace('interval: 10s', 'interval: 30s'), theirs });
    expect(r.clean).toBe(false);
    expect(r.conflicts[0]!.message).toMatch(/services\.api\.healthcheck\.interval: .*removes it/);
    expect(r.content).toContain('interval: 30s');
  });

  it('anchors, aliases and merge keys of ours survive; a change under an alias never edits the anchor', () => {
    const ours = base
      .replace('x-logging: &default-logging\n', 'x-common: &common\n  restart: always\nx-logging: &default-logging\n')
      .replace('  db:\n    image', '  db:\n    <<: *common\n    image');
    const theirs = base.replace('python:3.12.8', 'python:3.12.9').replace('postgres:16.6', 'postgres:16.7');
    const r = merge3({ path: 'c.yml', base, ours, theirs });
    expect(r.clean).toBe(true);
    expect(r.content).toContain('&common');
    expect(r.content).toContain('<<: *common');
    expect(r.content).toContain('logging: *default-logging');
    const v = parse(r.content, { merge: true });
    expect(v.services.db).toEqual({ restart: 'always', image: 'postgres:16.7' });
    // Theirs changes what ours reaches through an alias: the alias becomes theirs' value, the anchor stays.
    const t2 = base.replace('services:\n  api:', 'services:\n  api:').replace('    logging: *default-logging\n', '    logging:\n      driver: local\n');
    const o2 = base.replace('  db:\n    image: postgres:16.6\n', '  db:\n    image: postgres:16.6\n    logging: *default-logging\n');
    const r2 = merge3({ path: 'c.yml', base, ours: o2, theirs: t2 });
    expect(r2.clean).toBe(true);
    const v2 = parse(r2.content, { merge: true });
    expect(v2.services.api.logging).toEqual({ driver: 'local' });
    expect(v2.services.db.logging).toEqual({ driver: 'json-file' });
    expect(v2['x-logging']).toEqual({ driver: 'json-file' });
  });

  it('lists of named items (Kubernetes containers) merge item by item', () => {
    const k8s = `apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: api
          image: shop-api:1
          ports:
            - containerPort: 8000
        - name: sidecar
          image: busybox:1
`;
    const ours = k8s.replace('          ports:\n', '          env:\n            - name: FOO\n              value: bar\n          ports:\n');
    const theirs = k8s.replace('shop-api:1', 'shop-api:2').replace('busybox:1', 'busybox:2').replace('        - name: sidecar\n', '        - name: init\n          image: alpine:3\n        - name: sidecar\n');
    const r = merge3({ path: 'deploy.yaml', base: k8s, ours, theirs });
    expect(r.clean).toBe(true);
    const c = parse(r.content).spec.template.spec.containers;
    expect(c.map((x: { name: string }) => x.name)).toEqual(['api', 'init', 'sidecar']);
    expect(c[0]).toMatchObject({ image: 'shop-api:2', env: [{ name: 'FOO', value: 'bar' }] });
    expect(c[2].image).toBe('busybox:2');
  });

  it('plain lists merge item-wise; the same position changed both ways is a conflict', () => {
    const b = 'ports:\n  - "80:80"\n  - "443:443"\nnetworks:\n  - a\n';
    const r = merge3({ path: 'c.yml', base: b, ours: b.replace('  - a\n', '  - a\n  - mine\n'), theirs: b.replace('  - "80:80"\n', '  - "8080:80"\n') });
    expect(r.clean).toBe(true);
    expect(parse(r.content)).toEqual({ ports: ['8080:80', '443:443'], networks: ['a', 'mine'] });
    const c = merge3({ path: 'c.yml', base: b, ours: b.replace('"80:80"', '"81:80"'), theirs: b.replace('"80:80"', '"82:80"') });
    expect(c.clean).toBe(false);
    expect(c.conflicts[0]!.where).toBe('2:5');
    expect(parse(c.content).ports).toEqual(['81:80', '443:443']);
  });

  it('multi-document files merge document by document', () => {
    const b = 'kind: A\nv: 1\n---\nkind: B\nv: 1\n';
    const r = merge3({ path: 'x.yaml', base: b, ours: b.replace('kind: A\n', 'kind: A\nmine: true\n'), theirs: b.replace('kind: B\nv: 1', 'kind: B\nv: 2') });
    expect(r.clean).toBe(true);
    expect(parseAllDocuments(r.content).map((d) => (d as Document).toJS())).toEqual([{ kind: 'A', mine: true, v: 1 }, { kind: 'B', v: 2 }]);
  });

  it('ours that is not valid YAML is left alone and reported', () => {
    const r = merge3({ path: 'c.yml', base, ours: base + 'oops: [\n', theirs: base.replace('16.6', '16.7') });
    expect(r.clean).toBe(false);
    expect(r.content).toBe(base + 'oops: [\n');
    expect(r.conflicts[0]!.message).toContain('not valid YAML');
  });

  it('a YAML bomb in ours does not hang the merge', () => {
    const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n';
    const r = merge3({ path: 'c.yml', base, ours: base + bomb, theirs: base.replace('16.6', '16.7') });
    expect(parses(r.content)).toBe(true);
  });

  it('a huge or binary version is not merged: ours is kept and the conflict says why', () => {
    const huge = 'x: 1\n'.repeat(600_000);
    for (const ours of [huge, 'a: 1\n\0\n']) {
      const r = merge3({ path: 'c.yml', base, ours, theirs: base.replace('16.6', '16.7') });
      expect(r).toMatchObject({ content: ours, clean: false });
      expect(r.conflicts[0]!.message).toContain('too large or binary');
    }
  });

  it('Helm templates (not YAML until rendered) merge line-wise', () => {
    const b = '{{- if .Values.enabled }}\napiVersion: v1\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n    a: b\nspec:\n  x: 1\n{{- end }}\n';
    const r = merge3({ path: 'templates/svc.yaml', base: b, ours: b.replace('    a: b\n', '    a: b\n    mine: yes\n'), theirs: b.replace('x: 1', 'x: 2') });
    expect(r).toMatchObject({ clean: true, how: 'lines' });
    expect(r.content).toContain('mine: yes');
    expect(r.content).toContain('x: 2');
  });
});

// ---------------------------------------------------------------------------------------------
// Line merge against git merge-file itself.

describe('merge3: text files with git merge-file semantics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-merge-'));
  afterAll(() => removeDir(dir));
  const git = (base: string, ours: string, theirs: string) => {
    writeFileSync(join(dir, 'b'), base);
    writeFileSync(join(dir, 'o'), ours);
    writeFileSync(join(dir, 't'), theirs);
    const r = spawnSync('git', ['merge-file', '-p', join(dir, 'o'), join(dir, 'b'), join(dir, 't')], { encoding: 'utf8' });
    return { clean: r.status === 0, content: r.stdout };
  };

  it('changes to different lines both land; the same change once; overlapping changes conflict with markers', () => {
    const b = 'a\nb\nc\nd\ne\n';
    expect(merge3({ path: 'f.sh', base: b, ours: 'a\nB\nc\nd\ne\n', theirs: 'a\nb\nc\nD\ne\n' }).content).toBe('a\nB\nc\nD\ne\n');
    expect(merge3({ path: 'f.sh', base: b, ours: 'a\nX\nc\nd\ne\n', theirs: 'a\nX\nc\nd\nE\n' }).content).toBe('a\nX\nc\nd\nE\n');
    const r = merge3({ path: 'f.sh', base: b, ours: 'a\nmine\nc\nd\ne\n', theirs: 'a\ntheirs\nc\nd\ne\n', onConflict: 'markers' });
    expect(r.clean).toBe(false);
    expect(r.conflicts).toEqual([{ path: 'f.sh', where: 'line 2', message: expect.stringContaining('same lines') }]);
    expect(r.content).toBe('a\n<<<<<<< f.sh (yours)\nmine\n||||||| f.sh (as create-stack wrote it)\nb\n=======\ntheirs\n>>>>>>> f.sh (create-stack now)\nc\nd\ne\n');
    expect(merge3({ path: 'f.sh', base: b, ours: 'a\nmine\nc\nd\ne\n', theirs: 'a\ntheirs\nc\nd\ne\n' }).content).toBe('a\nmine\nc\nd\ne\n');
  });

  it('agrees with git merge-file on 300 seeded random edit pairs (clean or not, and the clean text)', () => {
    const rand = rng(42);
    const base = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    let agreeClean = 0;
    for (let n = 0; n < 300; n++) {
      const o = editLines(base, rand, 'ours', 1 + Math.floor(rand() * 4));
      const t = editLines(base, rand, 'theirs', 1 + Math.floor(rand() * 4));
      const [bt, ot, tt] = [base, o, t].map((l) => l.map((x) => x + '\n').join(''));
      const mine = merge3({ path: 'f.txt', base: bt!, ours: ot!, theirs: tt! });
      const theirsGit = git(bt!, ot!, tt!);
      if (theirsGit.clean) {
        expect(mine.clean, `case ${n}`).toBe(true);
        expect(mine.content, `case ${n}`).toBe(theirsGit.content);
        agreeClean++;
      } else if (mine.clean) {
        // git is stricter only for changes that touch without overlapping; never the other way.
        expect(theirsGit.clean, `case ${n}: mine clean, git not`).toBe(false);
      }
    }
    expect(agreeClean).toBeGreaterThan(100);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: random user edits × a fixed template change, on the files of a real stack.

describe('merge3 property: 200 seeded random user edits × a fixed template change', () => {
  let work: string;
  const files: Record<string, string> = {};
  beforeAll(() => {
    work = tempDir('cs-merge-prop-');
    const r = runCli(['new', 'shop', '--yes', '--no-git', '--with', 'deploy'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['docker-compose.yml', 'docker-compose.prod.yml', 'deploy/kubernetes/base/api-deployment.yaml', 'deploy/kubernetes/base/kustomization.yaml', 'README.md', 'data/scripts/test.sh', 'Makefile']) {
      files[f] = readFileSync(join(work, 'shop', f), 'utf8');
    }
  });
  afterAll(() => removeDir(work));

  /** The template change: an image bump, a new healthcheck field, a removed key, a new service / lines. */
  function templateChange(path: string, text: string): string {
    if (path.endsWith('.yml') || path.endsWith('.yaml')) {
      const doc = parseDocument(text, { merge: true });
      const ms = maps(doc);
      const top = doc.contents as YAMLMap;
      if (path.startsWith('docker-compose')) {
        doc.setIn(['services', 'db', 'image'], 'postgres:16.7-alpine3.21');
        if (doc.hasIn(['services', 'api', 'healthcheck'])) doc.setIn(['services', 'api', 'healthcheck', 'start_period'], '30s');
        doc.setIn(['services', 'metrics'], doc.createNode({ image: 'prom/statsd-exporter:v0.27.1', restart: 'unless-stopped' }));
        if (doc.hasIn(['services', 'cache', 'restart'])) doc.deleteIn(['services', 'cache', 'restart']);
      } else {
        ms[1]?.set('templateAdded', 'yes');
        top.set('metadata', top.get('metadata') ?? doc.createNode({}));
        if (ms[2]?.items.length) ms[2].items.pop();
      }
      return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
    }
    const lines = text.split('\n');
    lines.splice(3, 1, '# changed by the template');
    lines.splice(Math.floor(lines.length / 2), 0, '# added by the template');
    return lines.join('\n');
  }

  it('never loses a user edit the template did not touch, never leaves unparseable YAML', () => {
    const rand = rng(2024);
    const paths = Object.keys(files);
    let conflicts = 0;
    let checkedEdits = 0;
    for (let n = 0; n < 200; n++) {
      const path = paths[n % paths.length]!;
      const base = files[path]!;
      const theirs = templateChange(path, base);
      const yaml = /\.ya?ml$/.test(path);
      const ours = yaml ? editYaml(base, rand, n) : editLines(base.split('\n'), rand, `user ${n}`, 1 + Math.floor(rand() * 3)).join('\n');
      const r = merge3({ path, base, ours, theirs });
      if (!r.clean) conflicts++;
      if (yaml) {
        expect(parses(r.content), `${path} #${n} must parse`).toBe(true);
        const [fb, fo, ft, fr] = [base, ours, theirs, r.content].map((t) => flatten(parse(t, { merge: true })));
        const mineChanged = changed(fb!, fo!);
        const templChanged = changed(fb!, ft!);
        for (const p of mineChanged) {
          if (templChanged.some((q) => related(p, q))) continue;
          expect(fr!.get(p), `${path} #${n}: user edit at ${p} lost`).toBe(fo!.get(p));
          checkedEdits++;
        }
        if (r.clean) {
          for (const p of templChanged) if (!mineChanged.some((q) => related(p, q))) expect(fr!.get(p), `${path} #${n}: template change at ${p} missing`).toBe(ft!.get(p));
        }
      } else {
        // Every line the user added is there (conflicts keep the user's lines).
        const have = new Set(r.content.split('\n'));
        for (const line of ours.split('\n')) if (line.startsWith(`user ${n}`)) expect(have.has(line), `${path} #${n}: ${line}`).toBe(true);
        if (r.clean) expect(r.content).toContain('# added by the template');
      }
    }
    expect(checkedEdits).toBeGreaterThan(150);
    expect(conflicts).toBeLessThan(200);
  });
});
