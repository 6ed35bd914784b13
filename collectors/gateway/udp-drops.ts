/**
 * Datagrams the kernel dropped for our UDP port because the socket's receive buffer was full:
 * the `drops` column of /proc/net/udp and /proc/net/udp6 (Linux), summed over the sockets bound
 * to the port. Syslog over UDP has no other trace of what it lost. Undefined where there is no
 * /proc, or no socket on the port (the gauge then stays at 0).
 */
import { readFileSync } from 'node:fs';

export function udpKernelDrops(port: number, files: readonly string[] = ['/proc/net/udp', '/proc/net/udp6']): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let found = false;
  let drops = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 13 || cols[1]!.split(':')[1] !== hexPort) continue;
      found = true;
      drops += Number(cols[cols.length - 1]) || 0;
    }
  }
  return found ? drops : undefined;
}
