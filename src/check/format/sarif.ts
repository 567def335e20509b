// --format sarif: SARIF 2.1.0 as GitHub code scanning ingests it (rules with their whole help and tags,
// relative artifact URIs under %SRCROOT%, regions with line and column). No helpUri: the project
// publishes no address of its own, and code scanning shows help.markdown, which holds everything.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, Rule } from '../types.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

export function formatSarif(findings: Finding[], rules: Rule[], version: string, srcRoot: string): string {
  const used = [...rules].sort((a, b) => (a.id < b.id ? -1 : 1));
  const index = new Map(used.map((r, i) => [r.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'create-stack',
            version,
            semanticVersion: version,
            rules: used.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|[/-])(\w)/g, (_, _s, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.rationale },
              help: { text: `${r.rationale}\nFix: ${r.howToFix}`, markdown: `${r.rationale}\n\n**Fix:** ${r.howToFix}` },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { tags: [r.id.split('/')[0]!, ...(r.fixable ? ['fixable'] : [])], precision: 'high' },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(srcRoot.endsWith('/') ? srcRoot : `${srcRoot}/`).href } },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                // A file outside the checked tree (the sibling app repo: ../<app>/…) by its absolute URI.
                artifactLocation: f.file.startsWith('../') ? { uri: pathToFileURL(resolve(srcRoot, f.file)).href } : { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' },
                region: { startLine: f.line, startColumn: f.col },
              },
            },
          ],
        })),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
