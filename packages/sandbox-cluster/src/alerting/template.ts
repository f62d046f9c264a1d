/**
 * The subset of Prometheus's alert templating (Go text/template with
 * Prometheus's functions) that alert labels and annotations use:
 * `{{ $labels.<name> }}`, `{{ $value }}`, `{{ .Labels.<name> }}`,
 * `{{ .Value }}`, `{{ $externalLabels.<name> }}`, string and number
 * literals, the functions `printf`, `humanize`, `humanize1024`,
 * `humanizePercentage`, `humanizeDuration`, `toUpper`, `toLower`, `title`
 * and pipelines (`{{ $value | humanizePercentage }}`). Actions such as
 * `if`/`range` are refused when the scenario is loaded.
 */

/** What a template is expanded with. */
export interface TemplateData {
  labels: Record<string, string>;
  value: number;
  externalLabels?: Record<string, string>;
}

type Arg =
  | { kind: 'labels'; name: string; source: 'labels' | 'externalLabels' }
  | { kind: 'value' }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number };

interface Command {
  func?: string;
  args: Arg[];
}

type Part = { text: string } | { pipeline: Command[] };

/** A template that could not be parsed; the message says why. */
export class TemplateError extends Error {}

const FUNCTIONS = new Set([
  'printf',
  'humanize',
  'humanize1024',
  'humanizePercentage',
  'humanizeDuration',
  'toUpper',
  'toLower',
  'title',
]);

function tokenize(action: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < action.length) {
    const c = action[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < action.length && action[j] !== '"') {
        j += action[j] === '\\' ? 2 : 1;
      }
      if (j >= action.length)
        throw new TemplateError('unterminated quoted string');
      tokens.push(action.slice(i, j + 1));
      i = j + 1;
    } else if (c === '`') {
      const j = action.indexOf('`', i + 1);
      if (j < 0) throw new TemplateError('unterminated raw quoted string');
      tokens.push(action.slice(i, j + 1));
      i = j + 1;
    } else if (c === '|') {
      tokens.push('|');
      i++;
    } else {
      let j = i;
      while (j < action.length && !/[\s|]/.test(action[j])) j++;
      tokens.push(action.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

function unquote(token: string): string {
  if (token.startsWith('`')) return token.slice(1, -1);
  return JSON.parse(token.replace(/\\'/g, "'")) as string;
}

function parseArg(token: string): Arg {
  if (token.startsWith('"') || token.startsWith('`')) {
    try {
      return { kind: 'string', value: unquote(token) };
    } catch {
      throw new TemplateError(`malformed string ${token}`);
    }
  }
  if (/^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(token)) {
    return { kind: 'number', value: Number(token) };
  }
  if (token === '$value' || token === '.Value') return { kind: 'value' };
  const label =
    /^(\$labels|\.Labels|\$externalLabels|\.ExternalLabels)\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(
      token,
    );
  if (label) {
    return {
      kind: 'labels',
      name: label[2],
      source: label[1].toLowerCase().includes('external')
        ? 'externalLabels'
        : 'labels',
    };
  }
  throw new TemplateError(`unsupported term "${token}"`);
}

function parseCommand(tokens: string[]): Command {
  if (!tokens.length) throw new TemplateError('missing command in pipeline');
  const [head, ...rest] = tokens;
  if (FUNCTIONS.has(head)) {
    return { func: head, args: rest.map(parseArg) };
  }
  if (/^[a-zA-Z]+$/.test(head)) {
    throw new TemplateError(`function "${head}" not defined`);
  }
  if (rest.length)
    throw new TemplateError(`can't give argument to non-function ${head}`);
  return { args: [parseArg(head)] };
}

/** Parses a template; throws TemplateError naming what is not supported. */
export function parseTemplate(text: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      parts.push({ text: text.slice(i) });
      break;
    }
    let before = text.slice(i, open);
    let start = open + 2;
    if (text[start] === '-' && /\s/.test(text[start + 1] ?? '')) {
      before = before.replace(/\s+$/, '');
      start++;
    }
    if (before) parts.push({ text: before });
    const close = text.indexOf('}}', start);
    if (close < 0) throw new TemplateError('unclosed action');
    let end = close;
    let trimAfter = false;
    if (text[close - 1] === '-' && /\s/.test(text[close - 2] ?? '')) {
      end = close - 1;
      trimAfter = true;
    }
    const action = text.slice(start, end).trim();
    if (/^(if|else|end|range|with|define|template|block)\b/.test(action)) {
      throw new TemplateError(
        `"${action.split(/\s/)[0]}" actions are not supported`,
      );
    }
    if (action.startsWith('/*')) {
      // a comment
    } else {
      const tokens = tokenize(action);
      const commands: string[][] = [[]];
      for (const t of tokens) {
        if (t === '|') commands.push([]);
        else commands[commands.length - 1].push(t);
      }
      parts.push({ pipeline: commands.map(parseCommand) });
    }
    i = close + 2;
    if (trimAfter) {
      while (i < text.length && /\s/.test(text[i])) i++;
    }
  }
  return parts;
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64) / %v of a float64. */
function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    return goExponent(v.toExponential());
  }
  return String(v);
}

/** Writes a JS exponent (1e+0) as Go does (1e+00). */
function goExponent(s: string): string {
  return s.replace(/e([-+])(\d)$/, 'e$10$2');
}

/** Go's %.{precision}g. */
function formatG(v: number, precision: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return '0';
  const p = Math.max(precision, 1);
  const exp = Math.floor(Math.log10(Math.abs(Number(v.toPrecision(p)))));
  if (exp < -4 || exp >= p) {
    const [m, e] = v.toExponential(p - 1).split('e');
    const mantissa = m.includes('.') ? m.replace(/\.?0+$/, '') : m;
    return goExponent(`${mantissa}e${e}`);
  }
  const fixed = v.toFixed(Math.max(p - 1 - exp, 0));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

function humanize(value: number): string {
  let v = value;
  if (v === 0 || !Number.isFinite(v)) return formatG(v, 4);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return `${formatG(v, 4)}${prefix}`;
}

function humanize1024(value: number): string {
  let v = value;
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return formatG(v, 4);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return `${formatG(v, 4)}${prefix}`;
}

function humanizeDuration(value: number): string {
  let v = value;
  if (!Number.isFinite(v)) return formatG(v, 4);
  if (v === 0) return '0s';
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    const s = Math.abs(v);
    const seconds = Math.floor(s) % 60;
    const minutes = Math.floor(s / 60) % 60;
    const hours = Math.floor(s / 3600) % 24;
    const days = Math.floor(s / 86400);
    if (days) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${formatG(s, 4)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${formatG(v, 4)}${prefix}s`;
}

type TValue = string | number;

function describeType(v: TValue) {
  return typeof v === 'number' ? 'float64' : 'string';
}

function asString(v: TValue): string {
  return typeof v === 'number' ? goFloat(v) : v;
}

function asNumber(v: TValue, func: string): number {
  if (typeof v === 'number') return v;
  const n = Number(v);
  if (v.trim() === '' || Number.isNaN(n)) {
    throw new TemplateError(
      `error calling ${func}: strconv.ParseFloat: parsing "${v}": invalid syntax`,
    );
  }
  return n;
}

/** One verb of Go's fmt for one argument. */
function formatVerb(verb: string, arg: TValue, p: number | undefined): string {
  if (verb === 'v' || verb === 's') return asString(arg);
  if (verb === 'q') return JSON.stringify(asString(arg));
  const bad = `%!${verb}(${describeType(arg)}=${asString(arg)})`;
  // $value is a float64: Go refuses %d for it, and %f/%e/%g for strings.
  if (typeof arg !== 'number') return bad;
  switch (verb) {
    case 'f':
    case 'F':
      return Number.isFinite(arg) ? arg.toFixed(p ?? 6) : goFloat(arg);
    case 'e':
      return Number.isFinite(arg)
        ? goExponent(arg.toExponential(p ?? 6))
        : goFloat(arg);
    case 'g':
      return p === undefined ? goFloat(arg) : formatG(arg, p);
    default:
      return bad;
  }
}

/** Go's fmt.Sprintf for the verbs alert templates use. */
function sprintf(format: string, args: TValue[]): string {
  let n = 0;
  return (
    format.replace(
      /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g,
      (_whole, flags: string, width: string | undefined, precision, verb) => {
        if (verb === '%') return '%';
        if (n >= args.length) return `%!${verb}(MISSING)`;
        const arg = args[n++];
        const p = precision === undefined ? undefined : Number(precision);
        let out = formatVerb(verb, arg, p);
        if (width && out.length < Number(width)) {
          const pad = (
            flags.includes('0') && !flags.includes('-') ? '0' : ' '
          ).repeat(Number(width) - out.length);
          out = flags.includes('-') ? out + pad : pad + out;
        }
        return out;
      },
    ) +
    (n < args.length
      ? `%!(EXTRA ${args
          .slice(n)
          .map(a => `${describeType(a)}=${asString(a)}`)
          .join(', ')})`
      : '')
  );
}

function callFunction(func: string, args: TValue[]): TValue {
  const one = () => {
    if (args.length !== 1)
      throw new TemplateError(
        `wrong number of args for ${func}: want 1 got ${args.length}`,
      );
    return args[0];
  };
  switch (func) {
    case 'printf':
      if (!args.length)
        throw new TemplateError('wrong number of args for printf');
      return sprintf(asString(args[0]), args.slice(1));
    case 'humanize':
      return humanize(asNumber(one(), func));
    case 'humanize1024':
      return humanize1024(asNumber(one(), func));
    case 'humanizePercentage':
      return `${formatG(asNumber(one(), func) * 100, 4)}%`;
    case 'humanizeDuration':
      return humanizeDuration(asNumber(one(), func));
    case 'toUpper':
      return asString(one()).toUpperCase();
    case 'toLower':
      return asString(one()).toLowerCase();
    default:
      return asString(one()).replace(/\b\w/g, c => c.toUpperCase());
  }
}

function evalArg(arg: Arg, data: TemplateData): TValue {
  switch (arg.kind) {
    case 'value':
      return data.value;
    case 'string':
    case 'number':
      return arg.value;
    default:
      return (
        (arg.source === 'labels' ? data.labels : data.externalLabels ?? {})[
          arg.name
        ] ?? ''
      );
  }
}

/**
 * Expands a template. An error while expanding reads as Prometheus writes
 * it into the annotation: `<error expanding template: ...>`.
 */
export function expandTemplate(
  name: string,
  text: string,
  data: TemplateData,
): string {
  if (!text.includes('{{')) return text;
  try {
    const parts = parseTemplate(text);
    return parts
      .map(part => {
        if ('text' in part) return part.text;
        let piped: TValue | undefined;
        for (const command of part.pipeline) {
          const args = command.args.map(a => evalArg(a, data));
          if (piped !== undefined) args.push(piped);
          if (command.func) piped = callFunction(command.func, args);
          else piped = args[0];
        }
        return piped === undefined ? '' : asString(piped);
      })
      .join('');
  } catch (e) {
    return `<error expanding template: template: __alert_${name}: ${
      (e as Error).message
    }>`;
  }
}
