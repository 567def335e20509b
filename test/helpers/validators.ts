/**
 * Validators that prove generated files with the real tool of their kind.
 *
 * Every helper returns plain data (string arrays or a ToolResult) so tests can
 * use it directly in `expect(...)`.
 *
 * External CLI tools (docker-compose, shellcheck, yamllint, python3) are gated
 * by `requireTool`: on CI (`CI=true`) a missing tool is a hard error, locally
 * it prints a loud warning and the helper returns `{ ok: true, skipped: true }`.
 * Tests that must see a failure should check `skipped` first.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { validate as validateDockerfile, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { parse as parseYaml } from 'yaml';

const require = createRequire(import.meta.url);

/** Result of running an external tool. */
export interface ToolResult {
  /** true when the tool accepted the input (or the tool was skipped). */
  ok: boolean;
  /** Tool output: diagnostics on failure; for docker-compose config, the merged YAML on success. */
  output: string;
  /** true when the tool is not installed and we are not on CI. */
  skipped?: boolean;
}

export interface ComposeConfigResult extends ToolResult {
  /** docker-compose stderr (warnings such as unset variables live here). */
  stderr: string;
  /**
   * Non-empty stderr lines when the command succeeded (e.g. "The FOO variable is not set.
   * Defaulting to a blank string."). docker-compose v1 only prefixes them with "WARNING:"
   * when stderr is a TTY, so every line counts; a leading "WARNING: " is stripped.
   */
  warnings: string[];
}

// ---------------------------------------------------------------------------
// Tool presence
// ---------------------------------------------------------------------------

const toolCache = new Map<string, boolean>();

/** Probe helper: `cmd --version` can be spawned (ENOENT → missing). */
export function hasCommand(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000 });
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  return code !== 'ENOENT';
}

/**
 * Returns true when the tool is available. When it is missing:
 * on CI (CI=true) throws; otherwise prints a loud warning to stderr and returns false.
 * The probe result is cached per name (the warning is printed once per name).
 */
export function requireTool(name: string, probe: () => boolean): boolean {
  let present = toolCache.get(name);
  if (present === undefined) {
    present = probe();
    toolCache.set(name, present);
    if (!present && process.env.CI !== 'true') {
      process.stderr.write(
        `\n!!! SKIPPED: ${name} not installed — validations that need it are NOT being run. ` +
          `Install it (see .ci/run) to get real coverage. !!!\n\n`,
      );
    }
  }
  if (!present && process.env.CI === 'true') {
    throw new Error(
      `Validator "${name}" is missing on CI. It must be installed by .ci/run (apt-get install ${name}).`,
    );
  }
  return present;
}

function skippedResult(name: string): ToolResult {
  return { ok: true, skipped: true, output: `SKIPPED: ${name} not installed` };
}

function commandTool(cmd: string): boolean {
  return requireTool(cmd, () => hasCommand(cmd));
}

function combined(r: SpawnSyncReturns<string>): string {
  return [r.stdout, r.stderr].filter((s) => s && s.length > 0).join('\n').trim();
}

function spawnErrorText(cmd: string, r: SpawnSyncReturns<string>): string | undefined {
  if (r.error) return `${cmd} failed to run: ${r.error.message}`;
  if (r.signal) return `${cmd} killed by signal ${r.signal}\n${combined(r)}`;
  return undefined;
}

// ---------------------------------------------------------------------------
// Compose: JSON schema (dclint's copy of the compose-spec schema)
// ---------------------------------------------------------------------------

/** Absolute path of dclint's bundled compose-spec JSON schema. */
export const COMPOSE_SCHEMA_PATH = join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');

let composeValidator: ValidateFunction | undefined;

function getComposeValidator(): ValidateFunction {
  if (composeValidator) return composeValidator;
  const schema = JSON.parse(readFileSync(COMPOSE_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  // The file declares "$schema": "https://json-schema.org/draft-07/schema" (https, no '#'),
  // which Ajv does not recognise as its draft-07 meta-schema and refuses to compile
  // ('no schema with key or ref'). The content is draft-07, so point it at the canonical id.
  schema.$schema = 'http://json-schema.org/draft-07/schema#';
  const ajv = new Ajv({ strict: false, allErrors: true });
  // ajv-formats is CJS with `module.exports = formatsPlugin` plus `.default`; normalise.
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
    addFormatsModule) as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  composeValidator = ajv.compile(schema);
  return composeValidator;
}

function formatAjvError(e: ErrorObject): string {
  const where = e.instancePath === '' ? '(root)' : e.instancePath;
  const params = e.params as Record<string, unknown>;
  let extra = '';
  if (e.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    extra = `: '${params.additionalProperty}'`;
  } else if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    extra = `: ${JSON.stringify(params.allowedValues)}`;
  }
  return `${where} ${e.message ?? 'is invalid'}${extra}`;
}

/** Validate a parsed compose document against the compose-spec schema; [] means valid. */
export function composeSchemaErrors(doc: unknown): string[] {
  const validate = getComposeValidator();
  if (validate(doc)) return [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) seen.add(formatAjvError(e));
  return [...seen];
}

// ---------------------------------------------------------------------------
// Compose: docker-compose v1 `config`
// ---------------------------------------------------------------------------

/**
 * Run `docker-compose -f a -f b ... config` in cwd (docker-compose v1.29 needs no daemon for this).
 * The environment is hermetic: only PATH, HOME, LANG plus `env` — the developer's shell
 * variables do not leak into interpolation. docker-compose still reads `.env` from the
 * project directory (the directory of the first -f file).
 * On success `output` is the merged YAML (stdout only); on failure it is stdout+stderr.
 */
export function dockerComposeConfig(cwd: string, files: string[], env: Record<string, string> = {}): ComposeConfigResult {
  if (!commandTool('docker-compose')) return { ...skippedResult('docker-compose'), stderr: '', warnings: [] };
  const args = [...files.flatMap((f) => ['-f', f]), 'config'];
  const baseEnv: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
  if (process.env.HOME) baseEnv.HOME = process.env.HOME;
  const r = spawnSync('docker-compose', args, {
    cwd,
    env: { ...baseEnv, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const stderr = r.stderr ?? '';
  const warnings = stderr
    .split('\n')
    .map((l) => l.trim().replace(/^WARNING:\s*/, ''))
    .filter((l) => l.length > 0);
  const err = spawnErrorText('docker-compose', r);
  if (err) return { ok: false, output: err, stderr, warnings: [] };
  if (r.status !== 0) return { ok: false, output: combined(r), stderr, warnings: [] };
  return { ok: true, output: r.stdout, stderr, warnings };
}

/**
 * Like dockerComposeConfig but returns the parsed merged document.
 * Returns undefined when docker-compose is skipped (not installed, not CI);
 * throws (with docker-compose's message) when `config` fails.
 * Note: docker-compose v1 adds `version: '3.9'` and absolutises build/volume paths.
 */
export function composeConfigMerged(cwd: string, files: string[], env: Record<string, string> = {}): unknown {
  const r = dockerComposeConfig(cwd, files, env);
  if (r.skipped) return undefined;
  if (!r.ok) throw new Error(`docker-compose config failed for ${files.join(', ')} in ${cwd}:\n${r.output}`);
  return parseYaml(r.output) as unknown;
}

// ---------------------------------------------------------------------------
// Shell
// ---------------------------------------------------------------------------

/**
 * `shellcheck -x -S style --format=gcc` on the given files (dialect from each shebang).
 * `-P SCRIPTDIR` makes `source ./lib.sh` resolve relative to the script, not to cwd.
 */
export function shellcheckErrors(files: string[], cwd?: string): ToolResult {
  if (!commandTool('shellcheck')) return skippedResult('shellcheck');
  if (files.length === 0) return { ok: true, output: '' };
  const r = spawnSync('shellcheck', ['-x', '-P', 'SCRIPTDIR', '-S', 'style', '--format=gcc', '--', ...files], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const err = spawnErrorText('shellcheck', r);
  if (err) return { ok: false, output: err };
  return { ok: r.status === 0, output: combined(r) };
}

// ---------------------------------------------------------------------------
// Dockerfile
// ---------------------------------------------------------------------------

// LSP DiagnosticSeverity (what validate() returns): Error = 1, Warning = 2, Information = 3, Hint = 4.
// Not to be confused with dockerfile-utils' ValidationSeverity (settings input): IGNORE 0, WARNING 1, ERROR 2.
const DIAG_ERROR = 1;
const DIAG_WARNING = 2;

// Pin every configurable check to at least WARNING so a change of defaults upstream cannot hide problems.
const DOCKERFILE_SETTINGS: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.WARNING,
  directiveCasing: ValidationSeverity.WARNING,
  emptyContinuationLine: ValidationSeverity.WARNING,
  instructionCasing: ValidationSeverity.WARNING,
  instructionCmdMultiple: ValidationSeverity.WARNING,
  instructionEntrypointMultiple: ValidationSeverity.WARNING,
  instructionHealthcheckMultiple: ValidationSeverity.WARNING,
  instructionJSONInSingleQuotes: ValidationSeverity.WARNING,
  instructionWorkdirRelative: ValidationSeverity.WARNING,
};

/** Lint a Dockerfile's content; every Error or Warning diagnostic is a problem, as "line N: [error] message". */
export function dockerfileLintProblems(content: string): string[] {
  const diags = validateDockerfile(content, DOCKERFILE_SETTINGS);
  return diags
    .filter((d) => d.severity === DIAG_ERROR || d.severity === DIAG_WARNING)
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character)
    .map((d) => {
      const level = d.severity === DIAG_ERROR ? 'error' : 'warning';
      return `line ${d.range.start.line + 1}: [${level}] ${d.message}`;
    });
}

// ---------------------------------------------------------------------------
// YAML
// ---------------------------------------------------------------------------

/** `yamllint -d relaxed -f parsable`; ok = exit 0 and no `[error]` lines (warnings are reported in output). */
export function yamllintErrors(files: string[]): ToolResult {
  if (!commandTool('yamllint')) return skippedResult('yamllint');
  if (files.length === 0) return { ok: true, output: '' };
  const r = spawnSync('yamllint', ['-d', 'relaxed', '-f', 'parsable', '--', ...files], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const err = spawnErrorText('yamllint', r);
  if (err) return { ok: false, output: err };
  const output = combined(r);
  return { ok: r.status === 0 && !/\[error\]/.test(output), output };
}

// ---------------------------------------------------------------------------
// Python / Node syntax checks
// ---------------------------------------------------------------------------

// One fixed, reused directory (not mkdtemp) so repeated runs do not pile up temp dirs.
const PYCACHE_PREFIX = join(tmpdir(), 'create-stack-pycache');

/**
 * `python3 -m py_compile` per file. Bytecode goes to a throwaway PYTHONPYCACHEPREFIX
 * so no __pycache__ directory appears next to the checked (generated) files.
 */
export function pyCompileErrors(files: string[]): ToolResult {
  if (!commandTool('python3')) return skippedResult('python3');
  const env = { ...process.env, PYTHONPYCACHEPREFIX: PYCACHE_PREFIX };
  return perFile(files, (f) => spawnSync('python3', ['-m', 'py_compile', f], { encoding: 'utf8', env, timeout: 60_000 }), 'python3');
}

/** `node --check` per file, using the same node binary that runs the tests. */
export function nodeCheckErrors(files: string[]): ToolResult {
  return perFile(files, (f) => spawnSync(process.execPath, ['--check', f], { encoding: 'utf8', timeout: 60_000 }), 'node');
}

function perFile(files: string[], run: (f: string) => SpawnSyncReturns<string>, cmd: string): ToolResult {
  const failures: string[] = [];
  for (const f of files) {
    const r = run(f);
    const err = spawnErrorText(cmd, r);
    if (err) failures.push(`${f}: ${err}`);
    else if (r.status !== 0) failures.push(`${f}:\n${combined(r)}`);
  }
  return { ok: failures.length === 0, output: failures.join('\n\n') };
}

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------

/**
 * All files under root (dotfiles included) as sorted '/'-separated relative paths.
 * Directories are descended; symlinks are listed, not followed.
 */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, ent.name);
      if (ent.isDirectory()) walk(abs);
      else out.push(relative(root, abs).split(sep).join(posix.sep));
    }
  };
  walk(root);
  return out.sort();
}
