import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on loopback that can cut the database off: `cut()` drops every open connection and,
 * until `restore()`, resets each new one at once (what a client sees of a server that is down or
 * a network that refuses).
 */
export interface CuttableProxy {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startCuttableProxy(targetPort: number): Promise<CuttableProxy> {
  const links = new Set<Socket>();
  let isCut = false;
  const server = createServer((client) => {
    if (isCut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection(targetPort, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    for (const socket of [client, upstream]) {
      links.add(socket);
      const drop = (): void => {
        links.delete(socket);
        client.destroy();
        upstream.destroy();
      };
      socket.on('close', drop);
      socket.on('error', drop);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The proxy has no TCP port');
  return {
    port: address.port,
    cut() {
      isCut = true;
      for (const socket of links) socket.resetAndDestroy();
    },
    restore() {
      isCut = false;
    },
    async close() {
      for (const socket of links) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
