// Part of `npm run bench -- sandbox`: cold start of the docker provider (create → first ok /alive).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerSandboxProvider } from '@deft/sandbox';
import { percentile } from './report.js';

export async function measureDockerColdStart(runs = 20): Promise<{ p50: number; p95: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'deft-bench-docker-'));
  const provider = new DockerSandboxProvider({
    dataDir,
    image: process.env.DEFT_TEST_DOCKER_IMAGE ?? 'localhost/deft-runtime:test',
    dockerHost: process.env.DEFT_TEST_DOCKER_HOST,
  });
  const samples: number[] = [];
  try {
    await provider.ready();
    for (let n = 0; n < runs; n++) {
      const started = performance.now();
      const info = await provider.create({});
      samples.push(performance.now() - started);
      await provider.destroy(info.id, { removeWorkspace: true });
    }
  } finally {
    await provider.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}
