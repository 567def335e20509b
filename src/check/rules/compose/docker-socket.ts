import { fileServices, parseVolume } from '../../compose.js';
import type { Rule, RawFinding } from '../../types.js';

export const rule: Rule = {
  id: 'compose/docker-socket',
  severity: 'warning',
  title: 'The Docker socket is not mounted',
  rationale: 'Seed 004 (Traefik): the Docker socket is root on the host; whoever compromises a container that mounts it owns the server. Where a proxy needs it, mount it read-only, behind a socket proxy, and silence this with a create-stack-ignore comment that says why.',
  howToFix: 'Remove the mount, or use a docker-socket-proxy exposing only the API calls needed.',
  fixable: false,
  examples: { bad: 'services:\n  proxy:\n    image: "traefik:v3.2"\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n', good: 'services:\n  proxy:\n    image: "traefik:v3.2"\n    volumes:\n      - ./data/traefik/config:/etc/traefik:ro\n' },
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { file, name, svc } of fileServices(ctx.repo)) {
      if (!Array.isArray(svc.volumes)) continue;
      svc.volumes.forEach((entry, i) => {
        const v = parseVolume(entry);
        if (v && /^(?:\/var)?\/run\/docker\.sock$/.test(v.source)) out.push(ctx.at(file.yaml, ['services', name, 'volumes', i], `service ${name} mounts the Docker socket (root on the host)`));
      });
    }
    return out;
  },
};
