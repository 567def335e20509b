import { posix } from 'node:path';
import { fileServices, isObj } from '../../compose.js';
import { readSibling, siblingFile, siblingPath } from '../../sibling.js';
import { parseDockerfile, type Dockerfile } from './_parse.js';
import { FACT_NAMES, finalStage, stageFacts, type Fact, type StageFacts } from './_twin.js';
import type { CheckContext, Rule, RawFinding } from '../../types.js';

const DEPLOY = 'deploy/docker/Dockerfile';

/** The Dockerfiles (and --target stages) Compose builds service `svc` from, in this repo or a sibling one (base file first). */
function composeDockerfiles(ctx: CheckContext, svc: string): Array<{ df: Dockerfile; target: string | null }> {
  const order = { base: 0, prod: 1, override: 2, variant: 3 } as const;
  const builds = new Map<string, { path: string; target: string | null }>();
  for (const { file, name, svc: s } of fileServices(ctx.repo).sort((a, b) => order[a.file.role] - order[b.file.role])) {
    if (name !== svc || s.build === undefined) continue;
    const build = typeof s.build === 'string' ? { context: s.build } : isObj(s.build) ? s.build : null;
    if (!build) continue;
    const context = typeof build.context === 'string' ? build.context : '.';
    const dockerfile = typeof build.dockerfile === 'string' ? build.dockerfile : 'Dockerfile';
    if (context.includes('$') || dockerfile.includes('$') || /^[a-z]+:\/\//i.test(context) || posix.isAbsolute(dockerfile)) continue;
    const rel = posix.normalize(posix.join(file.dir || '.', context, dockerfile));
    // Outside the repo: only a sibling repo's file (app-support builds ../<app>/Dockerfile) is read.
    if ((rel.startsWith('../') || rel === '..') && !siblingPath(rel)) continue;
    const target = typeof build.target === 'string' ? build.target : null;
    builds.set(`${rel}\0${target ?? ''}`, { path: rel, target });
  }
  const out: Array<{ df: Dockerfile; target: string | null }> = [];
  for (const { path, target } of builds.values()) {
    if (path.startsWith('../')) {
      const text = readSibling(ctx.repo.root, path);
      if (text !== null) out.push({ df: parseDockerfile(siblingFile(ctx.repo.root, path, 'dockerfile', text), text), target });
      continue;
    }
    const f = ctx.repo.file(path);
    const text = f ? ctx.repo.text(f) : null;
    if (f && text !== null) out.push({ df: parseDockerfile(f, text), target });
  }
  return out;
}

/** Two values that can be compared: users only when both resolve to a uid, or neither does. */
function differ(key: keyof StageFacts, a: Fact, b: Fact): boolean {
  if (a.value === b.value) return false;
  if (a.value.includes('$') || b.value.includes('$')) return false;
  if (key === 'user' && /^\d+$/.test(a.value) !== /^\d+$/.test(b.value)) return false;
  return true;
}

export const rule: Rule = {
  id: 'dockerfile/deploy-twin',
  severity: 'warning',
  title: 'The production stage of deploy/docker/Dockerfile runs as the image Compose builds',
  rationale:
    "One source of truth: with the deploy layer a service has two Dockerfiles, the one docker-compose.yml builds (`build/<svc>/Dockerfile`) and the `<svc>-production` stage of `deploy/docker/Dockerfile` that CI and Kubernetes build. A base image bumped, or a USER, EXPOSE, HEALTHCHECK or CMD changed in one and not the other, makes production run something development never ran. Compared: the base image (exact reference), the exposed ports, the HEALTHCHECK command (not its timings), CMD, and the user by uid (USER app resolves through the useradd that created it, USER node through the image's own users); ENTRYPOINT is not (the deploy image wraps the command in its entrypoint.sh). In app-support the support repo's Compose builds the sibling app repo (`../<app>/Dockerfile`): that file is read too, when it is checked out beside this one.",
  howToFix: 'Make the two agree: change the instruction in deploy/docker/Dockerfile or in the Compose Dockerfile the message names. A difference on purpose is kept with `# create-stack-ignore dockerfile/deploy-twin` on the line above it.',
  fixable: false,
  examples: {
    bad: '# deploy/docker/Dockerfile; docker-compose.yml builds api from build/api/Dockerfile (FROM python:3.12.8-slim-bookworm)\nFROM python:3.12.7-slim-bookworm AS api-production\nUSER 10001:10001\nCMD ["uvicorn", "main:app"]\n',
    good: '# deploy/docker/Dockerfile; docker-compose.yml builds api from build/api/Dockerfile (FROM python:3.12.8-slim-bookworm)\nFROM python:3.12.8-slim-bookworm AS api-production\nUSER 10001:10001\nCMD ["uvicorn", "main:app"]\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    const file = ctx.repo.file(DEPLOY);
    const text = file ? ctx.repo.text(file) : null;
    if (!file || text === null) return out;
    const deploy = parseDockerfile(file, text);
    deploy.stages.forEach((stage, index) => {
      const svc = /^(.+)-production$/.exec(stage.name ?? '')?.[1];
      if (!svc) return;
      const prod = stageFacts(deploy, index);
      const stageFrom = deploy.instructions.find((i) => i.keyword === 'FROM' && i.stage === index)!;
      for (const { df: twin, target } of composeDockerfiles(ctx, svc)) {
        // Compose builds the --target stage, else the last one; this very stage is no twin of itself.
        const at = target === null ? finalStage(twin) : twin.stages.findIndex((s) => s.name?.toLowerCase() === target.toLowerCase());
        if (at < 0 || (twin.file.path === DEPLOY && at === index)) continue;
        const other = stageFacts(twin, at);
        const where = (f: Fact | null) => `${twin.file.path}:${(f ?? other.from).ins.line}`;
        for (const key of Object.keys(FACT_NAMES) as Array<keyof StageFacts>) {
          const mine = prod[key];
          const theirs = other[key];
          const what = FACT_NAMES[key];
          if (mine && theirs) {
            if (!differ(key, mine, theirs)) continue;
            out.push(ctx.pos(DEPLOY, mine.ins, `${stage.name}: ${what} ${show(key, mine)} differs from ${where(theirs)} (${show(key, theirs)}), which docker-compose builds ${svc} from`));
          } else if (mine) {
            out.push(ctx.pos(DEPLOY, mine.ins, `${stage.name}: ${what} ${show(key, mine)}, but ${twin.file.path} (which docker-compose builds ${svc} from) has none`));
          } else if (theirs) {
            out.push(ctx.pos(DEPLOY, stageFrom, `${stage.name} has no ${what}, but ${where(theirs)} has ${show(key, theirs)} (docker-compose builds ${svc} from it)`));
          }
        }
      }
    });
    return out;
  },
};

function show(key: keyof StageFacts, f: Fact): string {
  if (key === 'user') return /^\d+$/.test(f.value) && f.value !== f.text.split(':')[0]!.trim() ? `${f.text} (uid ${f.value})` : f.text;
  return f.text.length > 80 ? `${f.text.slice(0, 77)}…` : f.text;
}
