/** One address of an interface, as `ip addr` prints it. */
export interface InterfaceAddress {
  family: 'inet' | 'inet6';
  address: string;
  prefixLength: number;
  scope?: string;
}

/** One network interface of `ip addr` (iproute2 or busybox). */
export interface NetworkInterface {
  index: number;
  name: string;
  flags: string[];
  /** `operstate` when printed (iproute2): `UP`, `DOWN`, `UNKNOWN`, ... */
  state?: string;
  mtu?: number;
  loopback: boolean;
  /** Administratively up with a carrier (`UP` and `LOWER_UP`). */
  up: boolean;
  addresses: InterfaceAddress[];
}

const LINK = /^(\d+):\s+([^:@\s]+)(?:@[^:\s]+)?:\s+<([^>]*)>(.*)$/;
const ADDRESS = /^\s+(inet6?)\s+([0-9a-fA-F.:]+)\/(\d+)(.*)$/;

/** Parses `ip addr` (`ip address show`) output. */
export function parseIpAddr(text: string): NetworkInterface[] {
  const interfaces: NetworkInterface[] = [];
  for (const line of text.split('\n')) {
    const link = LINK.exec(line);
    if (link) {
      const flags = link[3] ? link[3].split(',') : [];
      const rest = link[4];
      const state = /\sstate\s+(\S+)/.exec(rest)?.[1];
      const mtu = /\smtu\s+(\d+)/.exec(rest)?.[1];
      interfaces.push({
        index: Number(link[1]),
        name: link[2],
        flags,
        ...(state && { state }),
        ...(mtu && { mtu: Number(mtu) }),
        loopback: flags.includes('LOOPBACK'),
        // busybox adds M-DOWN when the veth peer is not in this namespace:
        // not a fact about this interface.
        up:
          flags.includes('UP') &&
          flags.includes('LOWER_UP') &&
          state !== 'DOWN',
        addresses: [],
      });
      continue;
    }
    const address = ADDRESS.exec(line);
    const current = interfaces[interfaces.length - 1];
    if (address && current) {
      const scope = /\sscope\s+(\S+)/.exec(address[4])?.[1];
      current.addresses.push({
        family: address[1] as 'inet' | 'inet6',
        address: address[2],
        prefixLength: Number(address[3]),
        ...(scope && { scope }),
      });
    }
  }
  return interfaces;
}
