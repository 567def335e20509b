import { isObj, serviceFinding, viewServices } from '../../compose.js';
import { mapAt, setIn } from '../../yaml-edit.js';
import type { Rule, RawFinding } from '../../types.js';

interface Data {
  file: string;
  /** The service's path in that file; with `logging` set, its logging mapping is edited instead. */
  path: (string | number)[];
  logging: boolean;
}

/** Drivers that rotate, or that ship logs off the host (nothing grows on disk). */
const SHIPPED = new Set(['local', 'none', 'syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'etwlogs', 'gcplogs', 'logentries', 'loki']);

export const rule: Rule = {
  id: 'compose/logging-rotation',
  severity: 'warning',
  title: 'Logging rotates (json-file with max-size and max-file, or local)',
  rationale: 'Seed 001 (Logs y datos temporales): the default json-file driver keeps every line for ever and fills the disk of a long-running host.',
  howToFix: 'Set logging: {driver: json-file, options: {max-size: "10m", max-file: "3"}} (a shared x-logging anchor keeps it in one place), or driver: local.',
  fixable: true,
  examples: {
    bad: 'services:\n  web:\n    image: "nginx:1.27"\n',
    good: 'services:\n  web:\n    image: "nginx:1.27"\n    logging:\n      driver: json-file\n      options:\n        max-size: "10m"\n        max-file: "3"\n',
  },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { svc } of viewServices(ctx.repo)) {
      const logging = svc.value.logging;
      if (isObj(logging)) {
        const driver = String(logging.driver ?? 'json-file');
        if (SHIPPED.has(driver) || driver.includes('/')) continue; // a plugin driver ships logs elsewhere
        const opts = isObj(logging.options) ? logging.options : {};
        if (driver === 'json-file' && opts['max-size'] !== undefined && opts['max-file'] !== undefined) continue;
        if (driver !== 'json-file') continue;
        const origin = [...svc.origins].reverse().find((o) => o.file.pair([...o.path, 'logging']))!;
        const data: Data = { file: origin.file.path, path: [...origin.path, 'logging'], logging: true };
        out.push(serviceFinding(ctx, svc, ['logging'], `service ${svc.name}: json-file logging without max-size and max-file grows without bound`, { data }));
      } else {
        const first = svc.origins[0]!;
        const data: Data = { file: first.file.path, path: first.path, logging: false };
        out.push(serviceFinding(ctx, svc, [], `service ${svc.name} has no logging rotation (default json-file keeps every line)`, { data }));
      }
    }
    return out;
  },
  fix(ctx, finding) {
    const data = finding.data as Data;
    const doc = ctx.doc(data.file);
    if (!doc) return;
    if (!data.logging) {
      if (!mapAt(doc, [...data.path, 'logging'])) setIn(doc, data.path, 'logging', { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } });
      return;
    }
    // The mapping may be an anchor shared by many services: edited once, where it is defined.
    const logging = mapAt(doc, data.path);
    if (!logging) return;
    if (!logging.has('options')) logging.set('options', doc.createNode({}));
    const path = [...data.path, 'options'];
    if (!mapAt(doc, path)?.has('max-size')) setIn(doc, path, 'max-size', '10m');
    if (!mapAt(doc, path)?.has('max-file')) setIn(doc, path, 'max-file', '3');
  },
};
