// A TCP proxy in front of a real server that a test can switch off: an outage of the server as
// its clients see it (connections cut, new ones refused) without stopping the server itself,
// which other test files share. node:net in a few lines: the proxy libraries on npm forward, but
// none can drop every live connection and refuse new ones for a while and then come back.
import net from 'node:net';

export interface TcpProxy {
  /** host:port clients connect to. */
  address: string;
  port: number;
  /** Connections forwarded so far (to check that clients really went through the proxy). */
  accepted(): number;
  /** The outage: every live connection is reset and the port refuses new ones until restore(). */
  cut(): Promise<void>;
  /**
   * A silent outage (a firewall dropping packets, a hung server): live connections are reset,
   * new ones are accepted and then hear nothing until restore().
   */
  blackhole(): void;
  /** Forwards again (listening again on the same port after cut()). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const live = new Set<net.Socket>();
  let accepted = 0;
  let server: net.Server | undefined;
  let port = 0;
  let silent = false;
  const resetAll = () => {
    for (const socket of live) socket.resetAndDestroy();
    live.clear();
  };

  const listen = async () => {
    const s = net.createServer((client) => {
      if (silent) {
        live.add(client);
        client.on('error', () => {});
        client.on('close', () => live.delete(client));
        return;
      }
      accepted++;
      const upstream = net.connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        live.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          live.delete(socket);
          // One side gone: the other goes too, as a broken path between them would do.
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as net.AddressInfo).port;
    server = s;
  };

  const cut = async () => {
    const s = server;
    server = undefined;
    const closed = s ? new Promise<void>((resolve) => s.close(() => resolve())) : Promise.resolve();
    resetAll();
    await closed;
  };

  await listen();
  return {
    get address() {
      return `127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    accepted: () => accepted,
    cut,
    blackhole: () => {
      silent = true;
      resetAll();
    },
    restore: async () => {
      if (silent) {
        silent = false;
        resetAll();
      }
      if (!server) await listen();
    },
    close: cut,
  };
}
