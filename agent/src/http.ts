import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Endpoint } from './packet-events.ts';

export interface HealthSource {
  /** true once every RADIUS listener is bound and until stop begins. */
  healthy(): boolean;
  health(): Record<string, unknown>;
  metricsText(): Promise<string>;
  metricsContentType: string;
}

/** GET /healthz (200 / 503 JSON) and GET /metrics (Prometheus text). Nothing else. */
export class HealthServer {
  readonly #server: Server;
  readonly #host: string;
  readonly #port: number;

  constructor(source: HealthSource, host: string, port: number) {
    this.#host = host;
    this.#port = port;
    this.#server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/healthz') {
        const ok = source.healthy();
        res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json' }).end(JSON.stringify(source.health()));
        return;
      }
      if (path === '/metrics') {
        source.metricsText().then(
          (text) => res.writeHead(200, { 'Content-Type': source.metricsContentType }).end(text),
          () => res.writeHead(500).end(),
        );
        return;
      }
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: try /healthz or /metrics\n');
    });
    // Keep-alive sockets from scrapers must not hold stop() open.
    this.#server.keepAliveTimeout = 1_000;
  }

  listen(): Promise<Endpoint> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#port, this.#host, () => {
        this.#server.off('error', reject);
        const a = this.#server.address() as AddressInfo;
        resolve({ address: a.address, port: a.port });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }
}
