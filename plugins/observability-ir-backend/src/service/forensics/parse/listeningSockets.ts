import type {
  ListeningSocket,
  SocketOwner,
} from '@observability-ir/plugin-observability-ir-common';

function splitHostPort(
  local: string,
): { address: string; port: number } | undefined {
  const match = /^(.*)[:.](\d+|\*)$/.exec(local);
  if (!match || match[2] === '*') return undefined;
  const address = match[1].replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  return { address, port: Number(match[2]) };
}

function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || address === 'localhost';
}

function socket(
  local: string,
  owners: SocketOwner[],
): ListeningSocket | undefined {
  const hostPort = splitHostPort(local);
  if (!hostPort) return undefined;
  return { ...hostPort, loopbackOnly: isLoopback(hostPort.address), owners };
}

/**
 * Parses `ss -ltn` / `ss -ltnp` (iproute2): `State Recv-Q Send-Q Local
 * Address:Port Peer Address:Port Process`, the process column as
 * `users:(("httpd",pid=23470,fd=3))`.
 */
export function parseSsListening(text: string): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const line of text.split('\n')) {
    const columns = line.trim().split(/\s+/);
    if (columns[0] !== 'LISTEN' || columns.length < 5) continue;
    const owners = [...line.matchAll(/\("([^"]*)",pid=(\d+)/g)].map(m => ({
      name: m[1],
      pid: Number(m[2]),
    }));
    const listening = socket(columns[3], owners);
    if (listening) sockets.push(listening);
  }
  return sockets;
}

/**
 * Parses `netstat -plnt` (net-tools) and `netstat -lnt` (busybox, no
 * owner column): `Proto Recv-Q Send-Q Local Address Foreign Address State
 * [PID/Program name]`.
 */
export function parseNetstatListening(text: string): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const line of text.split('\n')) {
    const columns = line.trim().split(/\s+/);
    if (!/^tcp6?$/.test(columns[0]) || columns[5] !== 'LISTEN') continue;
    const owner = /^(\d+)\/(.+)$/.exec(columns[6] ?? '');
    const listening = socket(
      columns[3],
      owner ? [{ pid: Number(owner[1]), name: owner[2] }] : [],
    );
    if (listening) sockets.push(listening);
  }
  return sockets;
}

// The types live in -common, where the Incident tab reads them too.
export type { ListeningSocket, SocketOwner };
