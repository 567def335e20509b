// `create-stack help` and `--help`: the whole CLI on one screen.
import { kinds, version } from '../templates.js';
import { PRESETS } from '../spec.js';

export const HELP = `create-stack ${version}: scaffold Docker Compose stacks in the bd/ build/ data/ standard

Usage
  create-stack new <name> [options]
  create-stack <name> [options]            (same; this is what \`npm create stack\` runs)
  create-stack add deploy [--repo <dir>]   add the deploy layer to a stack create-stack made
  create-stack add service <name>:<kind>[:<port>]...   add services (any compose repo; add service --help)
  create-stack remove service <name>...    remove services; data and your changes are kept
  create-stack update [--repo <dir>]       bring a stack to this version of the standard, merging your
                                           edits (--dry-run, --strategy merge|ours|theirs, --json)
  create-stack add app [<repo>] --server <dir> --route <svc>=<prefix>   route a stack through a server
  create-stack remove app <name> --server <dir>
  create-stack check [path ...]            check repos against the standard (check --help)
  create-stack list [--json]               kinds (ports, images), presets and layers
  create-stack help                        this help
  create-stack <command> --help            the options of one command

Options of new
  --preset <name>            ${PRESETS.join(' | ')} (default bd-build-data)
  --with deploy              add the deploy layer (Kubernetes, Helm, CI/CD, Makefile)
  --app-kind <kind>          app-support: kind of the application (fastapi, node, worker)
  --db-memory <size>         app-support: memory PostgreSQL is tuned for (e.g. 512MB, 4GB; default 4GB)
  --service <name>:<kind>[:<port>]
                             add a service; repeat for more. <port> is its host port
                             kinds: ${Object.keys(kinds).sort().join(', ')}
  --dest <dir>               parent directory of the new repo (default: current directory)
  --repo <dir>               add: the stack to change (default: current directory)
  --yes, -y                  take the defaults for everything not given, ask nothing
  --answers <file.yaml>      read the spec from a .create-stack.yaml (flags still win)
  --dry-run                  print what would be written (a tree, or diffs of changed files); write nothing
  --force                    write into a non-empty directory: files create-stack owns are rewritten
                             unless you edited them since it wrote them (kept, listed as "kept (edited)");
                             your code, config and .env are kept; nothing is deleted
  --overwrite-edited         with --force: also replace owned files you edited (--dry-run shows the diff)
  --no-git                   do not run git init + first commit
  --json                     print a machine-readable summary
  -h, --help                 this help
  -v, -V, --version          the version of create-stack

Examples
  npx create-stack new shop --service api:fastapi --service db:postgres --yes
  npx create-stack new shop --service api:fastapi:8001 --service web:node:3001 --service cache:redis
  npx create-stack new shop --yes --dry-run
  npx create-stack new shop2 --answers shop/.create-stack.yaml
  npx create-stack new demo --preset app-support --app-kind node --db-memory 2GB --yes
  cd shop && npx create-stack add deploy --dry-run
  cd shop && npx create-stack add service cache:redis --link api

Exit codes
  0 done   1 failure (nothing half-written is left behind)   2 bad input (nothing written)
  130 cancelled at a prompt (Ctrl-C; nothing written)
`;

export async function run(): Promise<number> {
  process.stdout.write(HELP);
  return 0;
}
