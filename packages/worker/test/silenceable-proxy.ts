import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on loopback whose open connections can be made silent: bytes are swallowed in both
 * directions while the sockets stay open, as when a NAT or firewall forgets a flow. Connections
 * made after `silence()` pass again, unless `silence({ newConnections: true })` (until `heal()`).
 */
export interface SilenceableProxy {
  port: number;
  silence(options?: { newConnections?: boolean }): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startSilenceableProxy(targetPort: number): Promise<SilenceableProxy> {
  const links = new Set<{ client: Socket; upstream: Socket; silent: boolean }>();
  let newConnectionsSilent = false;
  const server = createServer((client) => {
    const upstream = createConnection(targetPort, '127.0.0.1');
    const link = { client, upstream, silent: newConnectionsSilent };
    links.add(link);
    client.on('data', (chunk) => {
      if (!link.silent) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!link.silent) client.write(chunk);
    });
    const cut = (): void => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('close', cut);
      socket.on('error', cut);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The proxy has no TCP port');
  return {
    port: address.port,
    silence(options = {}) {
      for (const link of links) link.silent = true;
      newConnectionsSilent = options.newConnections ?? false;
    },
    heal() {
      newConnectionsSilent = false;
    },
    async close() {
      for (const link of links) {
        link.client.destroy();
        link.upstream.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
