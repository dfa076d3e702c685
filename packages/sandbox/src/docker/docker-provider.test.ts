import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { describeEscapeSuite } from '../testing/escape-suite.js';
import { clientFor, describeProviderContract, run } from '../testing/provider-contract.js';
import { DockerSandboxProvider } from './docker-provider.js';

const DOCKER_HOST = process.env.DEFT_TEST_DOCKER_HOST ?? '';
const IMAGE = process.env.DEFT_TEST_DOCKER_IMAGE ?? '';
const SKIP =
  !DOCKER_HOST || !IMAGE
    ? 'DEFT_TEST_DOCKER_HOST / DEFT_TEST_DOCKER_IMAGE not set (npm test starts Podman and builds the image as root)'
    : '';

if (SKIP && process.env.CI === 'true') {
  it('docker sandbox: a Docker API and the runtime image are required when CI=true', () => {
    throw new Error(SKIP);
  });
}

const factory = {
  make: (dataDir: string) => new DockerSandboxProvider({ dataDir, image: IMAGE, dockerHost: DOCKER_HOST }),
};

describe.skipIf(Boolean(SKIP))(
  `docker sandbox on ${DOCKER_HOST || 'no engine'}${SKIP ? ` (skipped: ${SKIP})` : ''}`,
  () => {
    describeProviderContract('docker', factory);
    describeEscapeSuite('docker', factory);

    it('labels its containers, runs them without capabilities, and removes a crashed server’s leftovers at start', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'deft-docker-gc-'));
      const docker = new Docker({ socketPath: DOCKER_HOST.replace('unix://', '') });
      try {
        const first = new DockerSandboxProvider({ dataDir, image: IMAGE, dockerHost: DOCKER_HOST });
        const info = await first.create({ id: 'leftover' });
        const client = clientFor(info);
        expect((await run(client, 'grep CapEff /proc/self/status')).content).toMatch(/CapEff:\s+0+$/);
        client.close();
        const [container] = await docker.listContainers({
          all: true,
          filters: { label: ['deft.sandbox=leftover'] },
        });
        expect(container?.Labels['deft.owner']).toMatch(/^[0-9a-f]{16}$/);
        const inspected = await docker.getContainer(container!.Id).inspect();
        // Docker reports ALL; Podman expands it into the names of the default capabilities.
        const dropped = (inspected.HostConfig.CapDrop ?? []).map((cap) =>
          cap.replace(/^CAP_/, '').toUpperCase(),
        );
        expect(
          dropped.includes('ALL') ||
            ['SETUID', 'DAC_OVERRIDE', 'CHOWN', 'NET_RAW'].every((cap) => dropped.includes(cap)),
        ).toBe(true);
        expect(inspected.HostConfig.SecurityOpt).toEqual(expect.arrayContaining(['no-new-privileges']));
        expect(inspected.HostConfig.NetworkMode).toBe('none');
        // The first provider "crashes" (is dropped without close); a new one on the same data dir collects it.
        const second = new DockerSandboxProvider({ dataDir, image: IMAGE, dockerHost: DOCKER_HOST });
        await second.ready();
        const owner = container!.Labels['deft.owner'];
        expect(
          await docker.listContainers({
            all: true,
            filters: { label: ['deft.sandbox=leftover', `deft.owner=${owner}`] },
          }),
        ).toEqual([]);
        await second.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  },
);
