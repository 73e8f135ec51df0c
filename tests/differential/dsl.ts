/**
 * The .scn shorthand: a few lines of Python-looking text per scenario,
 * compiled here to the neutral JSON of scenario.ts. README.md has the
 * grammar; in short:
 *
 *     scenario tcp.echo requires=ipv6 timeout=3
 *       actor server
 *         srv = socket(AF_INET6, SOCK_STREAM)
 *         srv.bind(("::1", 0))
 *         srv.listen()
 *         addr = srv.getsockname()
 *         set ready
 *         conn, peer = srv.accept()
 *         conn.recv(1024)
 *       actor client
 *         wait ready
 *         c = create_connection(addr)
 *         c.sendall(b"hi")
 *         c.fileno() | nonneg
 */
import { FILTERS, type Expr, type Filter, type Scenario, type Step } from './scenario.js';

/** The features a scenario may require (runner.py's features()). */
const FEATURES = ['ipv6', 'unix', 'linux', 'dualstack'];

type Tok =
  | { k: 'id'; v: string }
  | { k: 'num'; v: string }
  | { k: 'str'; v: string }
  | { k: 'bytes'; v: string }
  | { k: 'p'; v: string };

function unescape(body: string, where: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const n = body[++i];
    switch (n) {
      case 'n': out.push(10); break;
      case 'r': out.push(13); break;
      case 't': out.push(9); break;
      case '0': out.push(0); break;
      case '\\': out.push(92); break;
      case "'": out.push(39); break;
      case '"': out.push(34); break;
      case 'x': {
        const hex = body.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`${where}: bad \\x escape`);
        out.push(parseInt(hex, 16));
        i += 2;
        break;
      }
      default:
        throw new Error(`${where}: unknown escape \\${n ?? ''}`);
    }
  }
  return out;
}

function tokenize(line: string, where: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '#') break;
    const rest = line.slice(i);
    let m: RegExpMatchArray | null;
    if ((m = /^(b?)(["'])((?:\\.|(?!\2).)*)\2/.exec(rest))) {
      const bytes = unescape(m[3]!, where);
      if (m[1] === 'b') toks.push({ k: 'bytes', v: Buffer.from(bytes).toString('hex') });
      else toks.push({ k: 'str', v: Buffer.from(bytes).toString('utf8') });
      i += m[0].length;
    } else if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) {
      toks.push({ k: 'id', v: m[0] });
      i += m[0].length;
    } else if ((m = /^(0x[0-9a-fA-F]+|\d+\.\d*(e[+-]?\d+)?|\d+e[+-]?\d+|\d+)/.exec(rest))) {
      toks.push({ k: 'num', v: m[0] });
      i += m[0].length;
    } else if ('()[],=.|-'.includes(c)) {
      toks.push({ k: 'p', v: c });
      i++;
    } else {
      throw new Error(`${where}: unexpected character ${JSON.stringify(c)}`);
    }
  }
  return toks;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[], private readonly where: string) {}

  private peek(o = 0): Tok | undefined {
    return this.toks[this.pos + o];
  }
  private isP(v: string, o = 0): boolean {
    const t = this.peek(o);
    return t !== undefined && t.k === 'p' && t.v === v;
  }
  private eat(v: string): void {
    if (!this.isP(v)) throw this.fail(`expected "${v}"`);
    this.pos++;
  }
  private fail(what: string): Error {
    const t = this.peek();
    return new Error(`${this.where}: ${what} at ${t === undefined ? 'end of line' : JSON.stringify(t.v)}`);
  }
  get done(): boolean {
    return this.pos >= this.toks.length;
  }

  /** [targets =] expr [| filter] */
  step(src: string): Step {
    let as: string[] | undefined;
    // Lookahead for `a, b =`.
    let j = 0;
    const names: string[] = [];
    for (;;) {
      const t = this.peek(j);
      if (t?.k !== 'id') break;
      names.push(t.v);
      if (this.isP(',', j + 1)) { j += 2; continue; }
      if (this.isP('=', j + 1)) { as = names; this.pos += j + 2; }
      break;
    }
    const expr = this.expr();
    let filter: Filter | undefined;
    if (this.isP('|')) {
      this.pos++;
      const t = this.peek();
      if (t?.k !== 'id' || !(FILTERS as readonly string[]).includes(t.v)) throw this.fail(`expected a filter (${FILTERS.join(', ')})`);
      filter = t.v as Filter;
      this.pos++;
    }
    if (!this.done) throw this.fail('unexpected text');
    const step: Step = { do: expr };
    if (as !== undefined) step.as = as;
    if (filter !== undefined) step.filter = filter;
    step.src = src;
    return step;
  }

  expr(): Expr {
    let e = this.primary();
    for (;;) {
      if (this.isP('.')) {
        this.pos++;
        const t = this.peek();
        if (t?.k !== 'id') throw this.fail('expected a name after "."');
        this.pos++;
        if (this.isP('(')) {
          const { args, kw } = this.args();
          e = kw === undefined ? { method: e, name: t.v, args } : { method: e, name: t.v, args, kw };
        } else {
          e = { attr: e, name: t.v };
        }
      } else if (this.isP('[')) {
        this.pos++;
        const t = this.peek();
        if (t?.k !== 'num') throw this.fail('expected an index');
        this.pos++;
        this.eat(']');
        e = { index: e, at: Number(t.v) };
      } else {
        return e;
      }
    }
  }

  private args(): { args: Expr[]; kw?: Record<string, Expr> } {
    this.eat('(');
    const args: Expr[] = [];
    let kw: Record<string, Expr> | undefined;
    while (!this.isP(')')) {
      const t = this.peek();
      if (t?.k === 'id' && this.isP('=', 1)) {
        this.pos += 2;
        (kw ??= {})[t.v] = this.expr();
      } else {
        if (kw !== undefined) throw this.fail('positional argument after keyword argument');
        args.push(this.expr());
      }
      if (!this.isP(',')) break;
      this.pos++;
    }
    this.eat(')');
    return kw === undefined ? { args } : { args, kw };
  }

  private number(text: string, negative: boolean): Expr {
    const v = text.startsWith('0x') ? parseInt(text, 16) : Number(text);
    const isInt = !/[.e]/.test(text) || text.startsWith('0x');
    if (isInt && !Number.isSafeInteger(v)) {
      const digits = BigInt(text).toString();
      return { bigint: negative ? `-${digits}` : digits };
    }
    return negative ? -v : v;
  }

  private primary(): Expr {
    const t = this.peek();
    if (t === undefined) throw this.fail('expected an expression');
    this.pos++;
    switch (t.k) {
      case 'num':
        return this.number(t.v, false);
      case 'str':
        return t.v;
      case 'bytes':
        return { bytes: t.v };
      case 'p':
        if (t.v === '-') {
          const n = this.peek();
          if (n?.k !== 'num') throw this.fail('expected a number after "-"');
          this.pos++;
          return this.number(n.v, true);
        }
        if (t.v === '(') {
          const items: Expr[] = [];
          let comma = false;
          while (!this.isP(')')) {
            items.push(this.expr());
            if (!this.isP(',')) break;
            this.pos++;
            comma = true;
          }
          this.eat(')');
          if (items.length === 1 && !comma) return items[0]!;
          return { tuple: items };
        }
        if (t.v === '[') {
          const items: Expr[] = [];
          while (!this.isP(']')) {
            items.push(this.expr());
            if (!this.isP(',')) break;
            this.pos++;
          }
          this.eat(']');
          return { list: items };
        }
        throw new Error(`${this.where}: unexpected "${t.v}"`);
      case 'id': {
        if (t.v === 'None') return null;
        if (t.v === 'True') return true;
        if (t.v === 'False') return false;
        if (t.v === 'socket' && this.isP('.')) {
          // socket.NAME: a module attribute; socket.name(...): a module function.
          this.pos++;
          const n = this.peek();
          if (n?.k !== 'id') throw this.fail('expected a name after "socket."');
          this.pos++;
          if (this.isP('(')) {
            const { args, kw } = this.args();
            return kw === undefined ? { call: n.v, args } : { call: n.v, args, kw };
          }
          return { const: n.v };
        }
        if (this.isP('(')) {
          const { args, kw } = this.args();
          return kw === undefined ? { call: t.v, args } : { call: t.v, args, kw };
        }
        if (/^[A-Z][A-Z0-9_]*$/.test(t.v)) return { const: t.v };
        return { var: t.v };
      }
    }
  }
}

/** Parses one step line (as written in a .scn file). */
export function parseStep(line: string, where = 'step'): Step {
  const text = line.trim();
  let m: RegExpMatchArray | null;
  if ((m = /^(set|wait)\s+([A-Za-z_][\w]*)\s*(#.*)?$/.exec(text))) {
    return m[1] === 'set' ? { set: m[2]!, src: text.replace(/\s*#.*$/, '') } : { wait: m[2]!, src: text.replace(/\s*#.*$/, '') };
  }
  if ((m = /^sleep\s+([\d.]+)\s*(#.*)?$/.exec(text))) return { sleep: Number(m[1]), src: `sleep ${m[1]}` };
  const src = text.replace(/\s+#[^"']*$/, '');
  return new Parser(tokenize(text, where), where).step(src);
}

/** Parses a .scn file into scenarios. */
export function parseScenarios(text: string, file: string): Scenario[] {
  const out: Scenario[] = [];
  let cur: Scenario | null = null;
  let actor: string | null = null;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    const line = raw.trim();
    const where = `${file}:${n + 1}`;
    if (line === '' || line.startsWith('#')) continue;
    let m: RegExpMatchArray | null;
    if ((m = /^scenario\s+([\w./-]+)(.*)$/.exec(line))) {
      cur = { name: m[1]!, actors: {} };
      actor = null;
      for (const opt of m[2]!.trim().split(/\s+/).filter((s) => s !== '')) {
        const [k, v] = opt.split('=');
        if (k === 'requires' && v !== undefined) {
          cur.requires = v.split(',');
          const unknown = cur.requires.filter((r) => !FEATURES.includes(r));
          if (unknown.length > 0) throw new Error(`${where}: unknown feature ${unknown.join(',')} (known: ${FEATURES.join(', ')})`);
        }
        else if (k === 'timeout' && v !== undefined) cur.timeout = Number(v);
        else throw new Error(`${where}: unknown scenario option ${opt}`);
      }
      out.push(cur);
      continue;
    }
    if (cur === null) throw new Error(`${where}: a step outside every scenario`);
    if ((m = /^actor\s+([A-Za-z_]\w*)$/.exec(line))) {
      actor = m[1]!;
      if (cur.actors[actor] !== undefined) throw new Error(`${where}: actor ${actor} declared twice`);
      cur.actors[actor] = [];
      continue;
    }
    if (actor === null) {
      actor = 'main';
      cur.actors[actor] = [];
    }
    cur.actors[actor]!.push(parseStep(line, where));
  }
  const names = new Set<string>();
  for (const s of out) {
    if (names.has(s.name)) throw new Error(`${file}: scenario ${s.name} appears twice`);
    names.add(s.name);
  }
  return out;
}
