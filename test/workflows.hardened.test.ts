/**
 * Every GitHub workflow any preset generates (with and without --with deploy) is hardened:
 * - every third-party action is pinned to a full 40-hex commit SHA with its release in a comment
 *   (`uses: owner/repo[/path]@<sha> # vX.Y.Z`), from the one table in src/actions.ts;
 * - no `secrets: inherit`: a caller passes each secret the called workflow declares under
 *   on.workflow_call.secrets, and nothing else;
 * - `packages: write` only in jobs that push an image, and those jobs do not run on the events that
 *   do not push (pull requests): their `if:` is evaluated for each trigger of the workflow;
 * - actionlint accepts them.
 * The checks themselves are proven to fail on a workflow that breaks each rule.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { actionlintProblems } from './helpers/actionlint.js';
import { removeDir, runCli, tempDir } from './helpers/cli.js';
import { ACTIONS } from '../src/actions.js';

/** Every preset, with the deploy layer where it applies (server takes no layer and writes no workflow). */
const CASES: Array<{ label: string; args: string[]; repo: string }> = [
  { label: 'bd-build-data', args: ['new', 'plain', '--service', 'api:fastapi', '--service', 'cache:redis'], repo: 'plain' },
  { label: 'bd-build-data --with deploy', args: ['new', 'shop', '--service', 'api:fastapi', '--service', 'db:postgres', '--service', 'cache:redis', '--with', 'deploy'], repo: 'shop' },
  { label: 'app-support --with deploy', args: ['new', 'x', '--preset', 'app-support', '--with', 'deploy'], repo: 'x-support' },
  { label: 'platform', args: ['new', 'pf', '--preset', 'platform'], repo: 'pf' },
  { label: 'platform --with deploy', args: ['new', 'pfk', '--preset', 'platform', '--with', 'deploy'], repo: 'pfk' },
  { label: 'server', args: ['new', 'srv', '--preset', 'server'], repo: 'srv' },
];

const work = tempDir('cs-wf-hardened-');
/** Workflow files by "<case>: <file>". */
const workflows = new Map<string, string>();
const generated = new Map<string, number | null>();

beforeAll(() => {
  for (const c of CASES) {
    const r = runCli([...c.args, '--yes', '--no-git'], { cwd: work });
    generated.set(c.label, r.code);
    if (r.code !== 0) throw new Error(`${c.label}: exit ${r.code}\n${r.stderr}`);
    const dir = join(work, c.repo, '.github/workflows');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) workflows.set(`${c.label}: ${f}`, join(dir, f));
  }
});
afterAll(() => removeDir(work));

type Job = {
  uses?: string;
  if?: string | boolean;
  permissions?: string | Record<string, string>;
  secrets?: string | Record<string, string>;
  with?: Record<string, unknown>;
  steps?: Array<{ uses?: string; run?: string; with?: Record<string, unknown> }>;
};
type Workflow = { on?: Record<string, any> | string | string[]; permissions?: string | Record<string, string>; jobs?: Record<string, Job> };

const PINNED = /^[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40}$/;

/** Problems with the `uses:` of a workflow's text: not a SHA, or no `# vX` comment naming the release. */
function pinProblems(text: string): string[] {
  const out: string[] = [];
  const wf = parse(text) as Workflow;
  const refs: string[] = [];
  for (const job of Object.values(wf.jobs ?? {})) {
    if (job.uses) refs.push(job.uses);
    for (const s of job.steps ?? []) if (s.uses) refs.push(s.uses);
  }
  for (const ref of refs) {
    if (ref.startsWith('./')) continue;
    if (!PINNED.test(ref)) {
      out.push(`${ref}: not owner/repo[/path]@<40-hex SHA>`);
      continue;
    }
    const line = text.split('\n').find((l) => new RegExp(`^\\s*(?:-\\s+)?uses:\\s+${ref.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(\\s|$)`).test(l));
    if (!line || !/\s#\s+v\d+(?:\.\d+)*\s*$/.test(line)) out.push(`${ref}: no "# vX" comment naming the release`);
  }
  return out;
}

/** The events a workflow runs on. */
function events(wf: Workflow): string[] {
  const on = wf.on;
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on;
  return Object.keys(on ?? {});
}

/**
 * Whether a job's `if:` lets it run for an event (inputs empty unless a workflow_call sets them).
 * Only the forms the generated workflows use are understood; anything else throws, so a new form
 * has to be taught here before it can pass.
 */
function runsOn(cond: string | boolean | undefined, event: string, inputs: Record<string, unknown>): boolean {
  if (cond === undefined || cond === true) return true;
  if (cond === false) return false;
  const expr = cond.trim().replace(/^\$\{\{\s*([\s\S]*?)\s*\}\}$/, '$1').trim();
  let m: RegExpExecArray | null;
  if ((m = /^(!?)inputs\.(\w+)$/.exec(expr))) return m[1] ? !inputs[m[2]!] : !!inputs[m[2]!];
  if ((m = /^github\.event_name\s*(==|!=)\s*'(\w+)'$/.exec(expr))) return (event === m[2]) === (m[1] === '==');
  throw new Error(`if: ${cond} is a form this test does not evaluate; teach runsOn()`);
}

/** A job pushes an image: a build-push step with push: true, a `docker push`, or a call of a workflow with push: true. */
function pushes(job: Job): boolean {
  if (job.uses) return job.with?.push === true;
  return (job.steps ?? []).some((s) => (s.uses?.startsWith('docker/build-push-action@') && s.with?.push === true) || /\bdocker\s+(?:image\s+)?push\b/.test(s.run ?? ''));
}

/** Problems with secrets and packages: write in one workflow; `read` opens a called local workflow. */
function privilegeProblems(text: string, read: (localPath: string) => string | null): string[] {
  const out: string[] = [];
  const wf = parse(text) as Workflow;
  if (/^\s*secrets:\s*inherit\b/m.test(text)) out.push('secrets: inherit');
  const top = wf.permissions;
  if (top === 'write-all' || (typeof top === 'object' && top.packages === 'write')) out.push('packages: write at the top level');
  const evs = events(wf);
  for (const [name, job] of Object.entries(wf.jobs ?? {})) {
    if (job.secrets === 'inherit') out.push(`${name}: secrets: inherit`);
    if (job.permissions === 'write-all') out.push(`${name}: permissions: write-all`);
    const writesPackages = typeof job.permissions === 'object' && job.permissions.packages === 'write';
    if (writesPackages) {
      if (!pushes(job)) out.push(`${name}: packages: write in a job that pushes no image`);
      for (const ev of evs) {
        // A called workflow's push job runs when its caller asks (push: true); other events have no inputs.
        const inputs = ev === 'workflow_call' ? { push: true } : {};
        if (ev !== 'push' && ev !== 'workflow_call' && ev !== 'workflow_dispatch' && runsOn(job.if, ev, inputs)) out.push(`${name}: packages: write on ${ev}, which pushes nothing`);
      }
    }
    if (job.uses?.startsWith('./')) {
      const called = read(job.uses);
      if (called === null) {
        out.push(`${name}: ${job.uses} does not exist`);
        continue;
      }
      const declared = Object.keys((parse(called) as Workflow & { on: any }).on?.workflow_call?.secrets ?? {}).sort();
      const passed = typeof job.secrets === 'object' ? Object.keys(job.secrets).sort() : [];
      if (JSON.stringify(declared) !== JSON.stringify(passed)) out.push(`${name}: passes secrets [${passed}] to ${job.uses}, which declares [${declared}]`);
    }
  }
  // A reusable workflow reads only the secrets it declares (GITHUB_TOKEN is always there).
  const call = typeof wf.on === 'object' && !Array.isArray(wf.on) ? wf.on.workflow_call : undefined;
  if (call !== undefined) {
    const declared = new Set(Object.keys(call?.secrets ?? {}));
    for (const [, s] of text.matchAll(/secrets\.(\w+)/g)) if (s !== 'GITHUB_TOKEN' && !declared.has(s!)) out.push(`reads secrets.${s} without declaring it under on.workflow_call.secrets`);
  }
  return out;
}

describe('generated workflows', () => {
  it('exist for every preset that has CI (the deploy layer: ci, build, deploy)', () => {
    expect([...generated.values()].every((c) => c === 0)).toBe(true);
    for (const label of ['bd-build-data --with deploy', 'app-support --with deploy', 'platform --with deploy']) {
      for (const f of ['ci.yml', 'build.yml', 'deploy.yml']) expect([...workflows.keys()], label).toContain(`${label}: ${f}`);
    }
    expect([...workflows.keys()].filter((k) => k.startsWith('platform: ')).length).toBe(7);
    expect(workflows.size).toBeGreaterThanOrEqual(20);
  });

  it('pin every third-party action to a commit SHA with its release in a comment, from src/actions.ts', () => {
    const known = new Set<string>(Object.values(ACTIONS).map((a) => a.uses));
    let count = 0;
    for (const [key, path] of workflows) {
      const text = readFileSync(path, 'utf8');
      expect(pinProblems(text), key).toEqual([]);
      for (const [, ref, version] of text.matchAll(/uses:\s+(\S+)\s+#\s+(v\S+)/g)) {
        count++;
        expect(known.has(ref!), `${key}: ${ref} is not in src/actions.ts`).toBe(true);
        expect(Object.values(ACTIONS).find((a) => a.uses === ref)!.version, `${key}: ${ref}`).toBe(version);
      }
    }
    expect(count).toBeGreaterThan(50);
  });

  it('inherit no secrets, pass each called workflow exactly what it declares, write packages only where an image is pushed', () => {
    for (const [key, path] of workflows) {
      const dir = join(path, '..', '..', '..');
      const read = (p: string) => (existsSync(join(dir, p)) ? readFileSync(join(dir, p), 'utf8') : null);
      expect(privilegeProblems(readFileSync(path, 'utf8'), read), key).toEqual([]);
    }
    // The deploy layer's push job exists and is the one that writes packages.
    const build = parse(readFileSync(workflows.get('bd-build-data --with deploy: build.yml')!, 'utf8')) as Workflow;
    expect(build.jobs!.push!.permissions).toEqual({ contents: 'read', packages: 'write' });
    expect(build.jobs!.image!.permissions).toEqual({ contents: 'read' });
    const sibling = parse(readFileSync(workflows.get('app-support --with deploy: deploy.yml')!, 'utf8')) as Workflow;
    expect(sibling.jobs!.build!.secrets).toEqual({ APP_REPO_TOKEN: '${{ secrets.APP_REPO_TOKEN }}' });
  });

  it('pass actionlint', async () => {
    for (const [key, path] of workflows) expect(await actionlintProblems(path), key).toEqual([]);
  });
});

describe('the checks fail on a workflow that breaks them', () => {
  const BAD = `name: bad
on:
  pull_request:
  workflow_call:
    inputs:
      push: { type: boolean, default: false }
permissions:
  contents: read
jobs:
  tagged:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      packages: write
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@39370e3970a6d050c480ffad4ff0ed4d3fdee5af
      - uses: docker/build-push-action@48aba3b46d1b1fec4febb7c5d0c644b249a11355 # v6.10.0
        with:
          push: true
          token: \${{ secrets.NPM_TOKEN }}
  call:
    uses: ./.github/workflows/build.yml
    secrets: inherit
`;

  it('pinProblems names a tag and a SHA without its release', () => {
    expect(pinProblems(BAD)).toEqual([
      'actions/checkout@v4: not owner/repo[/path]@<40-hex SHA>',
      'actions/setup-node@39370e3970a6d050c480ffad4ff0ed4d3fdee5af: no "# vX" comment naming the release',
    ]);
  });

  it('privilegeProblems names inherit, packages: write on pull requests and in a job that pushes nothing, undeclared secrets', () => {
    const called = 'on:\n  workflow_call:\n    secrets:\n      TOKEN: { required: false }\njobs: {}\n';
    const p = privilegeProblems(BAD, () => called);
    expect(p).toContain('secrets: inherit');
    expect(p).toContain('call: secrets: inherit');
    expect(p).toContain('tagged: packages: write on pull_request, which pushes nothing');
    expect(p).toContain('call: passes secrets [] to ./.github/workflows/build.yml, which declares [TOKEN]');
    expect(p).toContain('reads secrets.NPM_TOKEN without declaring it under on.workflow_call.secrets');
    const noPush = BAD.replace('push: true', 'push: false');
    expect(privilegeProblems(noPush, () => called)).toContain('tagged: packages: write in a job that pushes no image');
    // Gated to the caller's push, the same job passes the event rule.
    const gated = BAD.replace('  tagged:\n', "  tagged:\n    if: ${{ inputs.push }}\n");
    expect(privilegeProblems(gated, () => called).filter((x) => x.includes('on pull_request'))).toEqual([]);
  });

  it('runsOn refuses an if: it cannot evaluate', () => {
    expect(() => runsOn("contains(github.ref, 'main')", 'pull_request', {})).toThrow(/teach runsOn/);
  });
});
