// A Dockerfile as instructions: keyword, arguments (continuation lines joined), where it starts, and
// the build stage it belongs to. Enough for the rules; BuildKit heredocs are kept as one argument.
import type { CheckContext, RawFinding } from '../../types.js';
import type { FoundFile } from '../../../model/index.js';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
  col: number;
  stage: number;
}

export interface Dockerfile {
  file: FoundFile;
  instructions: Instruction[];
  /** Stage names (FROM … AS name), by index. */
  stages: Array<{ name: string | null; image: string; line: number }>;
}

export function parseDockerfile(file: FoundFile, text: string): Dockerfile {
  const lines = text.split('\n');
  const instructions: Instruction[] = [];
  const stages: Dockerfile['stages'] = [];
  let escape = '\\';
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const d = /^#\s*escape\s*=\s*(\S)/.exec(raw);
    if (d && instructions.length === 0) escape = d[1]!;
    const m = /^(\s*)([A-Za-z]+)(\s+|$)(.*)$/.exec(raw);
    if (!m || raw.trimStart().startsWith('#')) continue;
    const start = i;
    let args = m[4]!;
    // Continuation lines (comment lines inside them are dropped, as Docker does).
    while (args.endsWith(escape) && i + 1 < lines.length) {
      args = args.slice(0, -1);
      i++;
      const next = lines[i]!.replace(/\r$/, '');
      if (next.trimStart().startsWith('#')) {
        args += escape;
        continue;
      }
      args += ' ' + next.trim();
    }
    const heredoc = /<<-?\s*["']?(\w+)["']?/.exec(args);
    if (heredoc) {
      while (i + 1 < lines.length && lines[i + 1]!.trim() !== heredoc[1]) args += '\n' + lines[++i];
      i++;
    }
    const keyword = m[2]!.toUpperCase();
    if (keyword === 'FROM') {
      const parts = args.trim().split(/\s+/).filter((p) => !p.startsWith('--'));
      const as = parts.findIndex((p) => p.toLowerCase() === 'as');
      stages.push({ name: as >= 0 ? (parts[as + 1] ?? null) : null, image: parts[0] ?? '', line: start + 1 });
    }
    instructions.push({ keyword, args: args.trim(), line: start + 1, col: m[1]!.length + 1, stage: Math.max(0, stages.length - 1) });
  }
  return { file, instructions, stages };
}

export function dockerfiles(ctx: CheckContext): Dockerfile[] {
  const out: Dockerfile[] = [];
  for (const f of ctx.repo.files('dockerfile')) {
    const text = ctx.repo.text(f);
    if (text !== null) out.push(parseDockerfile(f, text));
  }
  return out;
}

export function at(ctx: CheckContext, df: Dockerfile, ins: Instruction, message: string): RawFinding {
  return ctx.pos(df.file.path, { line: ins.line, col: ins.col }, message);
}

/** Shell commands of a RUN (exec form joined), for pattern checks. */
export function runCommand(ins: Instruction): string {
  let a = ins.args.replace(/^(--\S+\s+)+/, '');
  if (a.startsWith('[')) {
    try {
      a = (JSON.parse(a) as string[]).join(' ');
    } catch {
      /* not JSON: shell form after all */
    }
  }
  return a;
}
