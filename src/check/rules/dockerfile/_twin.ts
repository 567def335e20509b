// What a stage of a Dockerfile runs as, for comparing two Dockerfiles of one service: the base image,
// exposed ports, health check, command and user, each with the instruction that sets it. A stage built
// FROM an earlier stage inherits these, so the chain of stages is followed.
import { familyOf } from '../../../facts.js';
import { runCommand, type Dockerfile, type Instruction } from './_parse.js';

export interface Fact {
  /** Normalized value: equal values mean the same behaviour. */
  value: string;
  /** As written, for messages. */
  text: string;
  ins: Instruction;
}

export interface StageFacts {
  /** The FROM that names an image (not an earlier stage). */
  from: Fact;
  expose: Fact | null;
  healthcheck: Fact | null;
  cmd: Fact | null;
  /** value: the uid as a number when it resolves, else the name as written. */
  user: Fact | null;
}

export const FACT_NAMES = { from: 'base image', expose: 'EXPOSE', healthcheck: 'HEALTHCHECK', cmd: 'CMD', user: 'USER' } as const;

/** Stage indexes from `stage` back to the one whose FROM names an image. */
function chain(df: Dockerfile, stage: number): number[] {
  const out = [stage];
  for (let s = stage; out.length <= df.stages.length; ) {
    const image = df.stages[s]!.image.toLowerCase();
    const parent = df.stages.findIndex((x, i) => i < s && x.name?.toLowerCase() === image);
    if (parent < 0) break;
    out.push(parent);
    s = parent;
  }
  return out;
}

/** Exec form as its JSON array; shell form as the `/bin/sh -c` array Docker runs. */
export function argv(args: string): string {
  const a = args.trim();
  if (a.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(a);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return JSON.stringify(v);
    } catch {
      /* not JSON: shell form after all */
    }
  }
  return JSON.stringify(['/bin/sh', '-c', a]);
}

/** HEALTHCHECK without its timing options: `NONE`, or the command it runs. */
function healthcheck(args: string): string {
  const rest = args.trim().replace(/^(?:--[\w-]+=\S+\s+)*/, '');
  if (/^NONE$/i.test(rest)) return 'NONE';
  const m = /^CMD\s+([\s\S]*)$/i.exec(rest);
  return m ? argv(m[1]!) : rest;
}

/** `useradd … --uid N … name` / `adduser -u N … name` in the RUNs of the stages: name → uid. */
function createdUsers(ins: Instruction[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const i of ins) {
    if (i.keyword !== 'RUN') continue;
    for (const seg of runCommand(i).split(/&&|\|\||;|\|/)) {
      const words = seg.trim().split(/\s+/);
      const at = words.findIndex((w) => w === 'useradd' || w === 'adduser');
      if (at < 0) continue;
      let uid: number | null = null;
      let name: string | null = null;
      for (let k = at + 1; k < words.length; k++) {
        const w = words[k]!;
        const eq = /^--uid=(\d+)$/.exec(w);
        if (eq) uid = Number(eq[1]);
        else if ((w === '--uid' || w === '-u') && /^\d+$/.test(words[k + 1] ?? '')) uid = Number(words[++k]);
        else if (/^-/.test(w)) {
          // Options with a value (-g app, --home-dir /app, -s /bin/sh…) skip it; flags (--system, -D) do not.
          if (/^(?:-[gGdsckKe]|--(?:gid|groups|home-dir|home|shell|comment|gecos|ingroup|key|expiredate|inactive|skel))$/.test(w)) k++;
        } else name = w;
      }
      if (name && uid !== null) out.set(name, uid);
    }
  }
  return out;
}

function lastOf(ins: Instruction[], keyword: string): Instruction | undefined {
  for (let k = ins.length - 1; k >= 0; k--) if (ins[k]!.keyword === keyword) return ins[k];
  return undefined;
}

export function stageFacts(df: Dockerfile, stage: number): StageFacts {
  const stages = chain(df, stage);
  // Nearest stage first, each stage's instructions in order: the last one found wins.
  const own = (s: number) => df.instructions.filter((i) => i.stage === s);
  const all = [...stages].reverse().flatMap(own);
  const root = stages.at(-1)!;
  const fromIns = own(root).find((i) => i.keyword === 'FROM')!;
  const image = df.stages[root]!.image;
  const fact = (keyword: string, norm: (args: string) => string): Fact | null => {
    const ins = lastOf(all, keyword);
    return ins ? { value: norm(ins.args), text: ins.args, ins } : null;
  };
  // EXPOSE adds up over the chain; reported at the nearest one.
  const exposes = all.filter((i) => i.keyword === 'EXPOSE');
  const ports = [...new Set(exposes.flatMap((i) => i.args.split(/\s+/)).filter(Boolean).map((p) => p.replace(/\/tcp$/i, '')))].sort();
  const expose = exposes.length ? { value: ports.join(' '), text: ports.join(' '), ins: exposes.at(-1)! } : null;
  const users = createdUsers(all);
  const user = fact('USER', (args) => {
    const name = args.split(':')[0]!.trim();
    if (/^\d+$/.test(name)) return name;
    if (name === 'root') return '0';
    const uid = users.get(name) ?? familyOf(image)?.users?.[name];
    return uid === undefined ? name : String(uid);
  });
  return {
    from: { value: image, text: image, ins: fromIns },
    expose,
    healthcheck: fact('HEALTHCHECK', healthcheck),
    cmd: fact('CMD', argv),
    user,
  };
}

/** The stage an image is built from when no --target is given: the last. */
export function finalStage(df: Dockerfile): number {
  return df.stages.length - 1;
}
