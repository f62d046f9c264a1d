import type {
  InterfaceAddress,
  NetworkInterface,
} from '@observability-ir/plugin-observability-ir-common';

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

// The types live in -common, where the Incident tab reads them too.
export type { InterfaceAddress, NetworkInterface };
