import type { FoundFile, YamlFile } from '../../../model/index.js';
import type { CheckContext } from '../../types.js';

export const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function workflows(ctx: CheckContext): Array<{ f: FoundFile; y: YamlFile; wf: Record<string, unknown> }> {
  return ctx.repo.files('workflow').flatMap((f) => {
    const y = ctx.repo.yaml(f);
    const wf = y.toJS();
    return obj(wf) ? [{ f, y, wf }] : [];
  });
}

/** The events a workflow runs on (`on:` as a string, list or map). */
export function events(wf: Record<string, unknown>): string[] {
  const on = wf.on ?? wf.true; // YAML 1.1 readers turn a bare `on` into true
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  return obj(on) ? Object.keys(on) : [];
}
