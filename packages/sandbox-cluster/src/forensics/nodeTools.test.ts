import { Listener, netstat, ss } from './nodeTools';

const httpd: Listener = {
  address: '*',
  port: 8080,
  backlog: 9,
  process: { name: 'httpd', pid: 23470, fd: 3 },
};

// Expected texts are the real tools' output (iproute2 6.1.0, net-tools
// 2.10), piped, as in the backend's forensics fixtures.
describe('the renderers of the stand-in tools', () => {
  it('prints ss -ltnp as iproute2 does when piped', () => {
    expect(ss([httpd], true)).toBe(
      'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n' +
        'LISTEN 0      9                  *:8080            *:*    users:(("httpd",pid=23470,fd=3))\n',
    );
    expect(ss([], true)).toBe(
      'State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n',
    );
  });

  it('sizes every ss column to its widest cell, padding the process column', () => {
    const listeners: Listener[] = [
      { ...httpd, address: '0.0.0.0', port: 2024, backlog: 128 },
      { ...httpd, address: '127.0.0.1', port: 18081, backlog: 511 },
      { ...httpd, port: 18080, backlog: 511 },
    ];
    expect(ss(listeners, false)).toBe(
      [
        'State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess',
        'LISTEN 0      128          0.0.0.0:2024       0.0.0.0:*          ',
        'LISTEN 0      511        127.0.0.1:18081      0.0.0.0:*          ',
        'LISTEN 0      511                *:18080            *:*          ',
        '',
      ].join('\n'),
    );
  });

  it('pads the process column to the widest owner but the last line', () => {
    // ss -ltnp of a namespace with two listeners (iproute2 6.1.0).
    expect(
      ss(
        [
          { ...httpd, process: { name: 'postgres', pid: 13983, fd: 5 } },
          { ...httpd, port: 18080, backlog: 511 },
        ],
        true,
      ),
    ).toBe(
      [
        'State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess                             ',
        'LISTEN 0      9                  *:8080             *:*    users:(("postgres",pid=13983,fd=5))',
        'LISTEN 0      511                *:18080            *:*    users:(("httpd",pid=23470,fd=3))   ',
        '',
      ].join('\n'),
    );
  });

  it('prints netstat -plnt and -lnt as net-tools does', () => {
    expect(netstat([httpd], true)).toBe(
      [
        'Active Internet connections (only servers)',
        'Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    ',
        'tcp6       0      0 :::8080                 :::*                    LISTEN      23470/httpd         ',
        '',
      ].join('\n'),
    );
    expect(netstat([{ ...httpd, address: '0.0.0.0', port: 2024 }], false)).toBe(
      [
        'Active Internet connections (only servers)',
        'Proto Recv-Q Send-Q Local Address           Foreign Address         State      ',
        'tcp        0      0 0.0.0.0:2024            0.0.0.0:*               LISTEN     ',
        '',
      ].join('\n'),
    );
  });
});
