import { statfs } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';

/** reference §1.3 Health: GET /alive, /health, /server_info (exempt from the session API key). */
export async function healthRoutes(
  app: FastifyInstance,
  options: { dataDir: string; startedAt: number },
): Promise<void> {
  let lastRequestAt = Date.now();
  app.addHook('onRequest', async () => {
    lastRequestAt = Date.now();
  });

  app.get('/alive', async () => ({ status: 'ok' }));
  app.get('/health', async (_request, reply) => reply.type('application/json').send(JSON.stringify('OK')));
  app.get('/server_info', async () => {
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    const uptime = (Date.now() - options.startedAt) / 1000;
    const disk = await statfs(options.dataDir).catch(() => null);
    const total = disk ? disk.blocks * disk.bsize : 0;
    const free = disk ? disk.bavail * disk.bsize : 0;
    return {
      uptime,
      idle_time: (Date.now() - lastRequestAt) / 1000,
      resources: {
        cpu_percent: uptime > 0 ? Number((((cpu.user + cpu.system) / 1e6 / uptime) * 100).toFixed(2)) : 0,
        memory: { rss: memory.rss, vms: memory.heapTotal + memory.external, percent: 0 },
        disk: {
          total,
          used: total - free,
          free,
          percent: total ? Number((((total - free) / total) * 100).toFixed(2)) : 0,
        },
        io: { read_bytes: 0, write_bytes: 0 },
      },
    };
  });
}
