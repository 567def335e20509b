// --format json: a stable, versioned report. JSON_SCHEMA documents it (docs/check.md shows it) and
// the tests validate the output against it.
import type { Finding } from '../types.js';
import type { Summary } from './text.js';

export const JSON_FORMAT_VERSION = 1;

export function formatJson(findings: Finding[], summary: Summary, version: string): string {
  const report = {
    version: JSON_FORMAT_VERSION,
    tool: { name: 'create-stack', version },
    summary: { errors: summary.errors, warnings: summary.warnings, info: summary.info, fixable: summary.fixable, filesChecked: summary.filesChecked },
    findings: findings.map((f) => ({ rule: f.rule, severity: f.severity, file: f.file, line: f.line, column: f.col, message: f.message, fixable: f.fixable })),
  };
  return JSON.stringify(report, null, 2) + '\n';
}

export const JSON_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'create-stack check --format json',
  type: 'object',
  required: ['version', 'tool', 'summary', 'findings'],
  additionalProperties: false,
  properties: {
    version: { const: JSON_FORMAT_VERSION, description: 'Format version; bumped only on incompatible changes.' },
    tool: {
      type: 'object',
      required: ['name', 'version'],
      additionalProperties: false,
      properties: { name: { const: 'create-stack' }, version: { type: 'string' } },
    },
    summary: {
      type: 'object',
      required: ['errors', 'warnings', 'info', 'fixable', 'filesChecked'],
      additionalProperties: false,
      properties: {
        errors: { type: 'integer', minimum: 0 },
        warnings: { type: 'integer', minimum: 0 },
        info: { type: 'integer', minimum: 0 },
        fixable: { type: 'integer', minimum: 0 },
        filesChecked: { type: 'integer', minimum: 0 },
      },
    },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['rule', 'severity', 'file', 'line', 'column', 'message', 'fixable'],
        additionalProperties: false,
        properties: {
          rule: { type: 'string', pattern: '^[a-z0-9-]+/[a-z0-9-]+$', description: 'Rule id (docs/rules.md).' },
          severity: { enum: ['error', 'warning', 'info'] },
          file: { type: 'string', description: 'Path relative to the current directory, "/" separators.' },
          line: { type: 'integer', minimum: 1 },
          column: { type: 'integer', minimum: 1 },
          message: { type: 'string' },
          fixable: { type: 'boolean', description: 'create-stack check --fix repairs it.' },
        },
      },
    },
  },
} as const;
