// Host ports a repo's compose files already publish, whichever file and service publishes them.
import type { RepoModel, YamlFile } from '../model/index.js';

/** `"127.0.0.1:8080:80/tcp"`, `"8000-8002:8000-8002"`, `{published: 8080}` → host ports (none for `"80"`). */
export function hostPortsOf(entry: unknown): number[] {
  if (typeof entry === 'number') return [];
  if (entry && typeof entry === 'object') {
    const p = (entry as { published?: unknown }).published;
    return p === undefined || p === null ? [] : hostPortsOf(`${String(p)}:0`);
  }
  const s = String(entry).replace(/\/\w+$/, '');
  const parts = s.split(':');
  if (parts.length < 2) return [];
  const host = parts[parts.length - 2]!;
  const m = /^(\d+)(?:-(\d+))?$/.exec(host);
  if (!m) return [];
  const from = Number(m[1]);
  const to = Math.min(Number(m[2] ?? m[1]), from + 1024);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Every published host port of every compose file in the repo (and `extra`), with who publishes it. */
export function publishedPorts(model: RepoModel, extra?: YamlFile): Map<number, string> {
  const out = new Map<number, string>();
  const files = [...model.compose().map((c) => c.yaml)];
  if (extra && !files.some((f) => f.path === extra.path)) files.push(extra);
  for (const f of files) {
    const js = f.toJS() as { services?: Record<string, { ports?: unknown }> } | undefined;
    const services = js && typeof js === 'object' && js.services && typeof js.services === 'object' ? js.services : {};
    for (const [name, svc] of Object.entries(services)) {
      const ports = svc && typeof svc === 'object' && Array.isArray(svc.ports) ? svc.ports : [];
      for (const p of ports) for (const n of hostPortsOf(p)) if (!out.has(n)) out.set(n, `service "${name}" of ${f.path}`);
    }
  }
  return out;
}
