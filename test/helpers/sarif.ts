// SARIF 2.1.0 validation: Microsoft's own validator (Sarif.Multitool validate, a self-contained
// binary in @microsoft/sarif-multitool-linux) and the 2.1.0 JSON schema shipped beside it.
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);
const PKG = dirname(require.resolve('@microsoft/sarif-multitool-linux/package.json'));
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

let schemaValidate: ReturnType<Ajv2020['compile']> | null = null;

/** Errors of the SARIF log against sarif-2.1.0.json (draft 2020-12). */
export function sarifSchemaErrors(log: unknown): string[] {
  if (!schemaValidate) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    schemaValidate = ajv.compile(JSON.parse(readFileSync(join(PKG, 'sarif-2.1.0.json'), 'utf8')));
  }
  if (schemaValidate(log)) return [];
  return (schemaValidate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

export function multitoolPath(): string {
  const bin = join(PKG, 'Sarif.Multitool');
  // npm did not run the package's postinstall: the binary may lack its execute bit.
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    chmodSync(bin, statSync(bin).mode | 0o100);
  }
  return bin;
}

export interface MultitoolResult {
  ok: boolean;
  errors: number;
  output: string;
}

/** Runs `Sarif.Multitool validate` on the log; ok when it reports no error-level result. */
export function multitoolValidate(text: string): MultitoolResult {
  const dir = mkdtempSync(join(tmpdir(), 'cs-sarif-'));
  try {
    const input = join(dir, 'in.sarif');
    const out = join(dir, 'out.sarif');
    writeFileSync(input, text);
    const r = spawnSync(multitoolPath(), ['validate', input, '--output', out], {
      env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.error) throw r.error;
    const output = `${r.stdout}\n${r.stderr}`;
    const report = JSON.parse(readFileSync(out, 'utf8')) as { runs: Array<{ results?: Array<{ level?: string; ruleId?: string; message?: { text?: string } }> }> };
    const results = report.runs.flatMap((run) => run.results ?? []);
    const errors = results.filter((x) => (x.level ?? 'warning') === 'error');
    return {
      ok: r.status === 0 && errors.length === 0,
      errors: errors.length,
      output: output + results.map((x) => `\n${x.level} ${x.ruleId}: ${x.message?.text ?? ''}`).join(''),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
