/**
 * dockerfile-healthcheck beyond what its fixtures compare: the hints (the fixture harness does
 * not compare them), for lines that keep nothing installed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { hintFor } from '../src/blockers.js';
import { repoWith } from './support/repo.js';

const WGET = 'RUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64 && chmod +x /bin/grpc_health_probe\n';

test('a LABEL or MAINTAINER that names the binary keeps nothing: its hint says the install goes and the line is reworded by hand, not to keep the binary', async () => {
  const dockerfile = `FROM alpine:3.20\nLABEL org.opencontainers.image.description="API (ships grpc_health_probe)"\nMAINTAINER grpc_health_probe fans\n${WGET}COPY api /api\n`;
  const dir = repoWith({ Dockerfile: dockerfile });
  const result = await run({ cwd: dir, fix: true });
  const lines = result.findings.filter((f) => f.ruleId === 'dockerfile-healthcheck');
  // info: nothing to hold the migration for, so --strict does not fail on them.
  expect(lines.map((f) => [f.line, f.status, f.blockers])).toEqual([[2, 'info', []], [3, 'info', []]]);
  for (const f of lines) {
    expect(f.hint).not.toBe(hintFor(['not-a-probe']));
    expect(f.hint).not.toMatch(/Keep the binary/);
    expect(f.hint).toMatch(/keeps nothing installed: the install goes with --fix/);
    expect(f.hint).toMatch(/Reword or drop it by hand/);
  }
  // What the hint says: the install went, the metadata stayed.
  expect(result.findings.find((f) => f.ruleId === 'dockerfile-binary-install')!.status).toBe('migrated');
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(dockerfile.replace(WGET, ''));
});

test('an ENV holding the download address that no removal takes keeps nothing: its hint says to drop it by hand', async () => {
  // The loop also fetches another tool: the tool cannot remove the download, so the ENV stays.
  const dockerfile = 'FROM alpine:3.20\nENV GRPC_HEALTH_PROBE_URL=https://github.com/grpc-ecosystem/grpc-health-probe/releases/download\nRUN for i in 1 2; do wget -qO/bin/grpc_health_probe ${GRPC_HEALTH_PROBE_URL}/v0.4.28/grpc_health_probe-linux-amd64 && wget -qO/bin/tini https://example.com/tini && break; done\nHEALTHCHECK CMD ["/bin/grpc_health_probe", "-addr=:5000"]\n';
  const result = await run({ cwd: repoWith({ Dockerfile: dockerfile }), fix: true });
  const env = result.findings.find((f) => f.ruleId === 'dockerfile-healthcheck' && f.line === 2)!;
  expect(env.message).toMatch(/the address grpc_health_probe is downloaded from; it runs nothing and keeps no install/);
  expect(env.status).toBe('info');
  expect(env.hint).not.toMatch(/Keep the binary/);
  expect(env.hint).toMatch(/An address keeps nothing installed.*drop it by hand once nothing downloads from it/);
  // The HEALTHCHECK, which does run it, keeps the code's own hint.
  expect(result.findings.find((f) => f.ruleId === 'dockerfile-healthcheck' && f.line === 4)!.hint).toBe(hintFor(['no-native-check']));
});
