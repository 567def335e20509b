// The record of what create-stack last wrote into a repo: `.create-stack/base.json.gz`.
//
// It is the gzip of a JSON object { format: 1, version, files: { <path>: <content> } } holding, for
// every file create-stack owns (not the user-owned ones: code stubs, config, .env), the exact text
// create-stack rendered for it the last time it wrote or confirmed that file. It is what lets
//   - `new --force` / `add --force` tell a file the user edited (disk ≠ record) from one that is only
//     out of date, and keep the edited one;
//   - `update` merge three ways offline: base = the record, ours = the disk, theirs = the new render.
// User-owned files and private (0600) files are never recorded, so the record holds no secrets.
// gzip of the same JSON is byte-identical (no timestamp), so a run that changes nothing leaves it as is.
// Read it with: gunzip -c .create-stack/base.json.gz | jq .
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { UserError } from './errors.js';
import { SPEC_FILE, type Change, type TargetState } from './apply.js';
import type { Plan } from './tree.js';

export const RECORD_FILE = '.create-stack/base.json.gz';
const FORMAT = 1;

export interface StackRecord {
  /** The create-stack version that wrote the record last. */
  version: string;
  /** Path → what create-stack rendered for it. */
  files: Record<string, string>;
}

export function encodeRecord(record: StackRecord): Buffer {
  const files: Record<string, string> = {};
  for (const path of Object.keys(record.files).sort()) files[path] = record.files[path]!;
  return gzipSync(JSON.stringify({ format: FORMAT, version: record.version, files }), { level: 9 });
}

export function decodeRecord(data: Uint8Array, where = RECORD_FILE): StackRecord {
  try {
    const json = JSON.parse(gunzipSync(data, { maxOutputLength: 64 * 1024 * 1024 }).toString('utf8')) as Partial<StackRecord> & { format?: number };
    if (json.format !== FORMAT || typeof json.version !== 'string' || !json.files || typeof json.files !== 'object') throw new Error('unknown format');
    for (const v of Object.values(json.files)) if (typeof v !== 'string') throw new Error('unknown format');
    return { version: json.version, files: json.files };
  } catch (err) {
    throw new UserError('record-corrupt', `${where} is not a record create-stack can read (${(err as Error).message.split('\n')[0]})`, `restore it from git (git checkout -- ${RECORD_FILE})`);
  }
}

/** The record of the repo in `dir`, or null when it has none (a repo made before records existed). */
export function readRecord(dir: string): StackRecord | null {
  const file = join(dir, RECORD_FILE);
  if (!existsSync(file)) return null;
  return decodeRecord(readFileSync(file), file);
}

export interface SettleOptions {
  /** The version of create-stack writing now. */
  version: string;
  /**
   * 'keep' (new, add): an owned file whose disk content differs from the record is the user's
   * edit: it is kept and listed as edited instead of overwritten. 'overwrite': the plan's content
   * wins (--overwrite-edited, and update, whose plan already merged the user's edits in).
   */
  edited: 'keep' | 'overwrite';
}

/**
 * Runs once the plan has been compared with the disk, before anything is written: keeps files the
 * user edited (unless told to overwrite them), turns a target's `remove` list into deletions of
 * files the user never changed, and adds the new record of every create-stack repo to its changes,
 * so it is written by the same atomic apply as the files it describes.
 */
export function settleRecord(plan: Plan, states: TargetState[], opts: SettleOptions): void {
  plan.targets.forEach((target, i) => {
    const state = states[i]!;
    const ours = target.tree.files.has(SPEC_FILE) || (state.exists && existsSync(join(target.dir, SPEC_FILE)));
    if (!ours) return;
    const old = state.nonEmpty ? readRecord(target.dir) : null;
    const files: Record<string, string> = { ...old?.files };
    for (const c of state.changes) {
      const file = target.tree.files.get(c.path);
      if (!file || file.userOwned || file.mode === 0o600) continue;
      if (c.action === 'update' && opts.edited === 'keep' && c.path !== SPEC_FILE && c.before !== files[c.path]) {
        // Changed since create-stack wrote it (or never recorded): the user's. Kept; the diff stays
        // in the change for --dry-run.
        c.action = 'kept';
        c.edited = true;
        continue;
      }
      if (c.action === 'kept') continue; // in a directory create-stack did not make: not ours
      if (file.base === null) delete files[c.path];
      else files[c.path] = file.base ?? file.content;
    }
    for (const path of target.remove ?? []) {
      const full = join(target.dir, path);
      const recorded = files[path];
      delete files[path];
      if (!existsSync(full)) continue;
      const before = readFileSync(full, 'utf8');
      const base = { path, size: 0, mode: 0o644, before, after: '' };
      state.changes.push(recorded === before ? { ...base, action: 'delete' } : { ...base, action: 'kept', edited: true, removed: true });
    }
    for (const path of target.discard ?? []) {
      delete files[path];
      const full = join(target.dir, path);
      if (existsSync(full)) state.changes.push({ path, action: 'delete', size: 0, mode: 0o644, before: readFileSync(full, 'utf8'), after: '' });
    }
    state.changes.push(recordChange(target.dir, state, encodeRecord({ version: opts.version, files }), Object.keys(files).length));
  });
}

function recordChange(dir: string, state: TargetState, data: Buffer, count: number): Change {
  const full = join(dir, RECORD_FILE);
  const exists = state.exists && existsSync(full);
  const same = exists && readFileSync(full).equals(data);
  const summary = `record of what create-stack wrote: ${count} files\n`;
  return { path: RECORD_FILE, action: same ? 'unchanged' : exists ? 'update' : 'create', size: data.length, mode: 0o644, after: summary, data, record: true };
}
