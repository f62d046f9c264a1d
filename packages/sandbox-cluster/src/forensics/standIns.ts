import fs from 'node:fs';
import path from 'node:path';

/**
 * `crictl` and `ctr` for a simulated node: they read `node.json` (written
 * by writeNodeSnapshot) from $SANDBOX_FORENSICS_DIR and answer in the real
 * tools' formats, through the CRI socket of the node's root folder only.
 */
const RUNTIME_TOOLS = String.raw`'use strict';
const fs = require('node:fs');
const path = require('node:path');

const node = JSON.parse(
  fs.readFileSync(path.join(process.env.SANDBOX_FORENSICS_DIR, 'node.json'), 'utf8'),
);
const [tool, ...argv] = process.argv.slice(2);

function fail(message) {
  process.stderr.write(message + '\n');
  process.exit(1);
}

function reachable(socket) {
  return path.resolve(socket) === node.criSocket && fs.existsSync(socket);
}

// Go's text/tabwriter: cells ended by a tab padded to the column's width.
function tabwrite(rows, minWidth, padding, trailingTab) {
  const widths = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      if (i < row.length - 1 || trailingTab) {
        widths[i] = Math.max(widths[i] || 0, minWidth, cell.length + padding);
      }
    });
  }
  for (const row of rows) {
    process.stdout.write(
      row
        .map((cell, i) => (i < row.length - 1 || trailingTab ? cell.padEnd(widths[i]) : cell))
        .join('') + '\n',
    );
  }
}

function option(args, i, names) {
  const arg = args[i];
  for (const name of names) {
    if (arg === name) return { value: args[i + 1], next: i + 2 };
    if (arg.startsWith(name + '=')) return { value: arg.slice(name.length + 1), next: i + 1 };
  }
  return undefined;
}

function crictl(args) {
  let endpoint = process.env.CONTAINER_RUNTIME_ENDPOINT || 'unix:///run/containerd/containerd.sock';
  let i = 0;
  for (; i < args.length && args[i].startsWith('-'); ) {
    const ep = option(args, i, ['--runtime-endpoint', '-r']);
    const timeout = option(args, i, ['--timeout', '-t']);
    if (ep) {
      endpoint = ep.value;
      i = ep.next;
    } else if (timeout) {
      i = timeout.next;
    } else {
      fail('Incorrect Usage: flag provided but not defined: ' + args[i]);
    }
  }
  const command = args[i];
  const rest = args.slice(i + 1);
  if (command === 'version' || command === '--version') {
    process.stdout.write('Version:  0.1.0\nRuntimeName:  containerd\nRuntimeVersion:  v1.7.22\nRuntimeApiVersion:  v1\n');
    return;
  }
  const socket = String(endpoint).replace(/^unix:\/\//, '');
  if (!reachable(socket)) {
    fail(
      'FATA[0000] validate service connection: validate CRI v1 runtime API for endpoint "' +
        endpoint +
        '": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix ' +
        socket +
        ': connect: no such file or directory"',
    );
  }
  if (command === 'ps') return ps(rest);
  if (command === 'inspect') return inspect(rest);
  fail('FATA[0000] the sandbox answers only "crictl ps" and "crictl inspect", not "' + command + '"');
}

function ps(args) {
  let all = false;
  let quiet = false;
  let name;
  let state;
  const labels = [];
  for (let i = 0; i < args.length; ) {
    const arg = args[i];
    if (arg === '-a' || arg === '--all') { all = true; i++; continue; }
    if (arg === '-q' || arg === '--quiet') { quiet = true; i++; continue; }
    const n = option(args, i, ['--name']);
    const l = option(args, i, ['--label']);
    const s = option(args, i, ['--state', '-s']);
    if (n) { name = new RegExp(n.value); i = n.next; continue; }
    if (l) { labels.push(l.value.split('=')); i = l.next; continue; }
    if (s) { state = String(s.value).toLowerCase(); i = s.next; continue; }
    fail('Incorrect Usage: flag provided but not defined: ' + arg);
  }
  const rows = node.containers
    .filter(c => (state ? c.state === 'CONTAINER_' + state.toUpperCase() : all || c.state === 'CONTAINER_RUNNING'))
    .filter(c => !name || name.test(c.name))
    .filter(c => labels.every(([k, v]) => c.labels[k] === v));
  if (quiet) {
    for (const c of rows) process.stdout.write(c.id + '\n');
    return;
  }
  tabwrite(
    [['CONTAINER', 'IMAGE', 'CREATED', 'STATE', 'NAME', 'ATTEMPT', 'POD ID', 'POD', 'NAMESPACE'], ...rows.map(c => c.psRow)],
    20,
    3,
    false,
  );
}

function inspect(args) {
  const ids = args.filter((a, i) => !a.startsWith('-') && !['-o', '--output'].includes(args[i - 1]));
  if (!ids.length) fail('FATA[0000] ID cannot be empty');
  for (const id of ids) {
    const found = node.containers.filter(c => c.id.startsWith(id));
    if (found.length !== 1) {
      fail(
        'FATA[0000] getting the status of the container "' + id +
          '": rpc error: code = NotFound desc = an error occurred when try to find container "' + id + '": not found',
      );
    }
    process.stdout.write(found[0].inspect);
  }
}

function ctr(args) {
  let address = process.env.CONTAINERD_ADDRESS || '/run/containerd/containerd.sock';
  let namespace = process.env.CONTAINERD_NAMESPACE || 'default';
  let i = 0;
  for (; i < args.length && args[i].startsWith('-'); ) {
    const a = option(args, i, ['--address', '-a']);
    const n = option(args, i, ['--namespace', '-n']);
    const t = option(args, i, ['--timeout', '--connect-timeout']);
    if (a) { address = a.value; i = a.next; }
    else if (n) { namespace = n.value; i = n.next; }
    else if (t) { i = t.next; }
    else if (args[i] === '--debug') { i++; }
    else fail('Incorrect Usage: flag provided but not defined: ' + args[i]);
  }
  const [object, verb, ...rest] = args.slice(i);
  if (!reachable(address)) {
    fail(
      'ctr: failed to dial "' + address +
        '": context deadline exceeded: connection error: desc = "transport: error while dialing: dial unix://' +
        address + ': timeout"',
    );
  }
  const containers = namespace === 'k8s.io' ? node.containers : [];
  const listing = verb === 'ls' || verb === 'list';
  if (['containers', 'container', 'c'].includes(object) && listing) {
    const quiet = rest.includes('-q') || rest.includes('--quiet');
    // Filters: several arguments are OR'ed, comma-separated terms AND'ed.
    const filters = rest.filter(a => a !== '-q' && a !== '--quiet').map(f =>
      f.split(',').map(term => {
        const m = /^labels\."([^"]+)"==(.*)$/.exec(term) || /^labels\.([^=]+)==(.*)$/.exec(term);
        if (!m) fail('ctr: the sandbox filters containers by labels."KEY"==VALUE only, not ' + term);
        return [m[1], m[2]];
      }),
    );
    const found = containers.filter(
      c => !filters.length || filters.some(terms => terms.every(([k, v]) => c.labels[k] === v)),
    );
    if (quiet) {
      for (const c of found) process.stdout.write(c.id + '\n');
      return;
    }
    tabwrite(
      [['CONTAINER', 'IMAGE', 'RUNTIME'], ...found.map(c => [c.id, c.image, 'io.containerd.runc.v2'])],
      4,
      4,
      true,
    );
    return;
  }
  if (['tasks', 'task', 't'].includes(object) && listing) {
    const rows = containers.filter(c => c.pid > 0).map(c => [c.id, String(c.pid), 'RUNNING']);
    const widths = [
      Math.max(4, ...rows.map(r => r[0].length)) + 4,
      Math.max(3, ...rows.map(r => r[1].length)) + 4,
    ];
    process.stdout.write('TASK'.padEnd(widths[0]) + 'PID'.padEnd(widths[1]) + 'STATUS    \n');
    for (const r of rows) process.stdout.write(r[0].padEnd(widths[0]) + r[1].padEnd(widths[1]) + r[2] + '\n');
    return;
  }
  fail('ctr: the sandbox answers only "containers ls" and "tasks ls", not "' + [object, verb].join(' ') + '"');
}

if (tool === 'crictl') crictl(argv);
else if (tool === 'ctr') ctr(argv);
else fail('unknown tool ' + tool);
`;

/**
 * `nsenter -t PID -n -- CMD`: runs CMD "inside" the network namespace of a
 * simulated process, which the stand-in `ip`, `ss` and `netstat` answer
 * for. Like the real one, it needs the PID in the PID namespace it sees.
 */
const NSENTER = `#!/bin/sh
pid=''
net=''
while [ $# -gt 0 ]; do
  case $1 in
  -t | --target) pid=$2; shift 2 ;;
  --target=*) pid=\${1#*=}; shift ;;
  -n | --net) net=1; shift ;;
  --) shift; break ;;
  -*) echo "nsenter: the sandbox enters network namespaces only (-t PID -n)" >&2; exit 1 ;;
  *) break ;;
  esac
done
[ -n "$pid" ] || { echo "nsenter: no target process specified" >&2; exit 1; }
case $pid in '' | *[!0-9]*) echo "nsenter: invalid target PID argument: '$pid'" >&2; exit 1 ;; esac
if [ ! -d "$SANDBOX_PROC/$pid" ] || [ ! -d "$SANDBOX_FORENSICS_DIR/netns/$pid" ]; then
  echo "nsenter: cannot open /proc/$pid/ns/net: No such file or directory" >&2
  exit 1
fi
[ -n "$net" ] && export SANDBOX_NETNS="$pid"
[ $# -gt 0 ] || set -- /bin/sh
exec "$@"
`;

/** Prints a file of the current simulated network namespace. */
function namespaceTool(name: string, pick: string): string {
  return `#!/bin/sh
if [ -z "\${SANDBOX_NETNS:-}" ]; then
  echo "${name}: the sandbox simulates ${name} inside a pod's network namespace only (nsenter -t PID -n -- ${name} ...)" >&2
  exit 1
fi
${pick}
exec cat "$SANDBOX_FORENSICS_DIR/netns/$SANDBOX_NETNS/$file"
`;
}

const IP = namespaceTool(
  'ip',
  `case "$*" in
addr | a | address | "addr show" | "address show" | "a show" | "addr list" | "address list") file=ip-addr ;;
*) echo "Object \\"$1\\" is not simulated by the sandbox, try \\"ip addr\\"." >&2; exit 255 ;;
esac`,
);

/** Accepts flag clusters of l, t, n, p (and -4/-6 style no-ops). */
function socketsTool(name: string, files: { plain: string; owners: string }) {
  return namespaceTool(
    name,
    `flags=''
for arg in "$@"; do
  case $arg in
  --*|-) echo "${name}: the sandbox lists listening TCP sockets only (-ltn, -ltnp)" >&2; exit 1 ;;
  -*) flags="$flags\${arg#-}" ;;
  *) echo "${name}: the sandbox lists listening TCP sockets only (-ltn, -ltnp)" >&2; exit 1 ;;
  esac
done
case $flags in *[!ltnpe]*) echo "${name}: the sandbox lists listening TCP sockets only (-ltn, -ltnp)" >&2; exit 1 ;; esac
case $flags in *l*) ;; *) echo "${name}: the sandbox lists listening TCP sockets only (-ltn, -ltnp)" >&2; exit 1 ;; esac
case $flags in *p*) file=${files.owners} ;; *) file=${files.plain} ;; esac`,
  );
}

const SS = socketsTool('ss', { plain: 'ss-ltn', owners: 'ss-ltnp' });
const NETSTAT = socketsTool('netstat', {
  plain: 'netstat-lnt',
  owners: 'netstat-plnt',
});

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Writes the stand-in tools into `dir/bin` (first on the script's PATH):
 * `crictl` and `ctr` (Node, answering from `dir/node.json`), `nsenter`,
 * `ip`, `ss` and `netstat` (sh, answering from `dir/netns/PID/`).
 */
export function writeStandIns(dir: string): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const runtime = path.join(dir, 'runtime-tools.cjs');
  fs.writeFileSync(runtime, RUNTIME_TOOLS);
  const tools: Record<string, string> = {
    nsenter: NSENTER,
    ip: IP,
    ss: SS,
    netstat: NETSTAT,
  };
  for (const tool of ['crictl', 'ctr']) {
    tools[tool] = `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(
      runtime,
    )} ${tool} "$@"\n`;
  }
  for (const [name, content] of Object.entries(tools)) {
    fs.writeFileSync(path.join(bin, name), content, { mode: 0o755 });
  }
  return bin;
}
