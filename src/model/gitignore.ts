// A .gitignore matcher (the subset of gitignore(5) repos use: comments, !negation, trailing /,
// leading or inner / anchoring, *, ** and ?). Read once per directory; no git process is spawned.

interface Rule {
  re: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

function globBody(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // "**/" matches zero or more directories; a trailing "**" matches everything below.
        if (glob[i + 2] === '/') {
          out += '(?:.*/)?';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        out += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return out;
}

export function parseGitignore(text: string): Rule[] {
  const rules: Rule[] = [];
  for (let line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    line = line.replace(/(?<!\\)\s+$/, '');
    if (!line) continue;
    let negate = false;
    if (line.startsWith('!')) {
      negate = true;
      line = line.slice(1);
    }
    let dirOnly = false;
    if (line.endsWith('/')) {
      dirOnly = true;
      line = line.slice(0, -1);
    }
    // A pattern with a slash (other than a trailing one) is relative to the .gitignore's directory.
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    const body = globBody(line);
    rules.push({ re: new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`), negate, dirOnly });
  }
  return rules;
}

/** The .gitignore files met on the way down, each with the directory (relative, posix) it sits in. */
export class IgnoreStack {
  private layers: Array<{ base: string; rules: Rule[] }> = [];

  push(base: string, text: string): void {
    this.layers.push({ base, rules: parseGitignore(text) });
  }

  pop(base: string): void {
    if (this.layers.at(-1)?.base === base) this.layers.pop();
  }

  /** `rel` is the path from the walk's root; the last matching rule of the deepest file wins. */
  ignored(rel: string, isDir: boolean): boolean {
    let result = false;
    for (const { base, rules } of this.layers) {
      const local = base === '' ? rel : rel.startsWith(base + '/') ? rel.slice(base.length + 1) : null;
      if (local === null) continue;
      for (const r of rules) {
        if (r.dirOnly && !isDir) continue;
        if (r.re.test(local)) result = !r.negate;
      }
    }
    return result;
  }
}
