import { parseImage } from '../../../facts.js';
import { serviceFinding, viewServices } from '../../compose.js';
import type { Rule, RawFinding } from '../../types.js';

/** Why an image reference is not pinned, or null when it is. */
export function unpinned(image: string): string | null {
  if (image.includes('${')) return null; // chosen at run time: the variable's value is the pin
  const ref = parseImage(image);
  if (ref.digest) return null;
  if (ref.tag === null || ref.tag === '') return `image "${image}" has no tag: it means :latest, which changes under you`;
  if (ref.tag === 'latest') return `image "${image}" uses :latest, which changes under you`;
  return null;
}

export const rule: Rule = {
  id: 'compose/image-pinned',
  severity: 'error',
  title: 'Images are pinned by tag or digest, never latest or untagged',
  rationale: 'Reproducible builds and deploys: an untagged or :latest image is whatever the registry holds today, so the same compose file runs different software tomorrow (hadolint DL3007, dclint require-project-name-field and no-unbound-image-tag).',
  howToFix: 'Name an exact version (postgres:16.6-alpine3.21) or a digest (@sha256:…).',
  fixable: false,
  examples: { bad: 'services:\n  db:\n    image: postgres\n', good: 'services:\n  db:\n    image: "postgres:16.6-alpine3.21"\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { svc } of viewServices(ctx.repo)) {
      const image = svc.value.image;
      // A service built here names its own image: the tag is the build's.
      if (typeof image !== 'string' || svc.value.build !== undefined) continue;
      const why = unpinned(image);
      if (!why) continue;
      out.push(serviceFinding(ctx, svc, ['image'], `service ${svc.name}: ${why}`, { at: 'value' }));
    }
    return out;
  },
};
