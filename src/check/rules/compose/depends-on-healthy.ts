import { isMap, isSeq, isScalar, type YAMLMap } from 'yaml';
import { isObj, serviceFinding, viewServices } from '../../compose.js';
import { hasHealthcheck } from './healthcheck.js';
import { nodeAt } from '../../yaml-edit.js';
import type { Rule, RawFinding } from '../../types.js';

interface Data {
  file: string;
  path: (string | number)[];
  healthy: string[];
}

export const rule: Rule = {
  id: 'compose/depends-on-healthy',
  severity: 'warning',
  title: 'depends_on a service with a healthcheck waits for it to be healthy',
  rationale: 'Seed 001: services start in order of readiness, not of process start. Without `condition: service_healthy` a dependant starts as soon as the database process exists and fails its first connections. An explicit `condition: service_started` is accepted as a deliberate choice (a monitor must start even when its target is unhealthy).',
  howToFix: 'Write depends_on in long form with `condition: service_healthy` for every dependency that has a healthcheck.',
  fixable: true,
  examples: {
    bad: 'services:\n  api:\n    image: "api:1.0"\n    depends_on:\n      - db\n  db:\n    image: "postgres:16.6"\n    healthcheck:\n      test: ["CMD-SHELL", "pg_isready"]\n',
    good: 'services:\n  api:\n    image: "api:1.0"\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: "postgres:16.6"\n    healthcheck:\n      test: ["CMD-SHELL", "pg_isready"]\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { view, svc } of viewServices(ctx.repo)) {
      const deps = svc.value.depends_on;
      if (!isObj(deps)) continue;
      // Where depends_on is written: the file of highest precedence that sets it.
      const origin = [...svc.origins].reverse().find((o) => o.file.pair([...o.path, 'depends_on']));
      if (!origin) continue;
      const written = origin.file.node([...origin.path, 'depends_on']);
      const short = isSeq(written);
      const healthy: string[] = [];
      for (const [name, dep] of Object.entries(deps)) {
        const target = view.services.get(name);
        if (!target || !hasHealthcheck(target.value)) continue;
        // The merged view turns a short list into condition: service_started; the list itself says none.
        const condition = short ? undefined : isObj(dep) ? dep.condition : undefined;
        if (condition === undefined) healthy.push(name);
      }
      if (!healthy.length) continue;
      const data: Data = { file: origin.file.path, path: [...origin.path, 'depends_on'], healthy };
      for (const name of healthy) {
        const at = short ? [(written as { items: unknown[] }).items.findIndex((i) => isScalar(i) && String(i.value) === name)] : [name];
        out.push(serviceFinding(ctx, svc, ['depends_on', ...(at[0] === -1 ? [] : at)], `service ${svc.name} depends on ${name}, which has a healthcheck, without condition: service_healthy`, { data }));
      }
    }
    return out;
  },
  fix(ctx, finding) {
    const data = finding.data as Data;
    const doc = ctx.doc(data.file);
    if (!doc) return;
    const node = nodeAt(doc, data.path);
    if (isSeq(node)) {
      // Short form → long form, one entry per listed service, order kept.
      const map = doc.createNode({}) as YAMLMap;
      for (const item of node.items) {
        const name = isScalar(item) ? String(item.value) : String(item);
        const key = doc.createNode(name);
        // An item's comments go above its entry.
        const notes = isScalar(item) ? [item.commentBefore, item.comment].filter(Boolean).join('\n') : '';
        if (notes) key.commentBefore = notes;
        map.set(key, doc.createNode({ condition: data.healthy.includes(name) ? 'service_healthy' : 'service_started' }));
      }
      const parent = nodeAt(doc, data.path.slice(0, -1));
      if (isMap(parent)) parent.set(data.path[data.path.length - 1], map);
    } else if (isMap(node)) {
      for (const name of data.healthy) {
        const entry = node.get(name, true);
        if (isMap(entry)) {
          if (!entry.has('condition')) entry.set('condition', 'service_healthy');
        } else node.set(name, doc.createNode({ condition: 'service_healthy' }));
      }
    }
  },
};
