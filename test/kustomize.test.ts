/**
 * Kustomize overlays must still build after --fix: every fixture overlay is built with
 * `kubectl kustomize` before and after the run. kubectl is required (CI has it at /usr/bin/kubectl).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { run } from '../src/engine.js';
import { listCases, materialize, runOptions } from './harness.js';

function kustomize(dir: string): string {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (r.error) throw new Error(`kubectl is needed for this test and could not run (${r.error.message}); install kubectl`);
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.stderr}`);
  return r.stdout;
}

type Probe = Record<string, unknown>;
/**
 * A built probe as the kubelet reads it: grpc `service: ""` is the same check as no service (the
 * server's overall health). A migrated strategic-merge patch writes it so that the base's
 * service does not merge in, so it shows up in the built probe.
 */
function meaning(p: Probe): Probe {
  const grpc = (p as { grpc?: { service?: unknown } }).grpc;
  if (grpc?.service !== '') return p;
  const { service: _s, ...rest } = grpc;
  return { ...p, grpc: rest } as Probe;
}

function probes(built: string, env?: Record<string, Record<string, string>>): Record<string, Probe> {
  const out: Record<string, Probe> = {};
  for (const doc of parseAllDocuments(built)) {
    const d = doc.toJS() as { spec?: { template?: { spec: { containers: Record<string, unknown>[] } } } };
    for (const c of d.spec?.template?.spec.containers ?? []) {
      for (const k of ['readinessProbe', 'livenessProbe', 'startupProbe']) if (c[k]) out[`${String(c.name)}.${k}`] = meaning(c[k] as Probe);
      // The kubelet's view of the env: the last entry of a name wins.
      if (env) env[String(c.name)] = Object.fromEntries(((c.env ?? []) as { name: string; value?: string }[]).map((e) => [e.name, e.value ?? '']));
    }
  }
  return out;
}

const cases = listCases('kustomize-patch-probe');
// null: the case has no overlay kubectl can build here (helmCharts needs helm and --enable-helm;
// a patch that does not parse fails every build).
const OVERLAYS: Record<string, string | null> = {
  'overlays-all-forms': 'overlays/prod',
  'legacy-fields-and-parts': 'overlay',
  'partial-op-file': 'overlay',
  'merge-patch-handlers': 'overlay',
  'merge-patch-alone': 'overlay',
  'merge-patch-folded': 'overlay',
  'merge-patch-flow-exec': 'overlay',
  'component-patches': 'overlays/prod',
  'json6902-field-op': 'overlay',
  'overlay-chain': 'overlays/prod',
  'patch-anchored-timeout': 'overlay',
  'overlay-sets-env': 'overlay',
  'overlay-env-op': 'overlay',
  'overlay-replacements': 'overlay',
  'json6902-from-and-test': 'overlay',
  'json-patches': 'overlay',
  'patch-transformers': 'overlay',
  'overlay-host-network': 'overlay',
  'overlay-host-network-ops': 'removed',
  // Overlays that take a hostNetwork pod off the host's network; 'all' builds every one but probe-on (its object is probe-off's).
  'overlay-host-network-off': 'all',
  'host-network-diamond': 'all',
  'json6902-test-container': 'y',
  'patch-probe-host-network-order': 'off-last',
  'overlay-chain-held-patch': 'prod',
  'patch-without-service': 'overlay',
  'inline-patch-without-service': 'overlay',
  'controller-patches': 'apps/free',
  'overlay-timeout': 'overlays/prod',
  'patch-directives': 'overlay',
  'inline-patch-block-end': 'overlay',
  // Patches that give a container of the pod a loopback listen address: the probes they reach stay on exec.
  'overlay-loopback-listen': 'overlay',
  'overlay-loopback-merged': 'overlay',
  // Host and port through $(VAR) given apart, in the base, in other patches, by JSON 6902 ops, in a kustomization under it.
  'overlay-loopback-built': 'overlay',
  'helm-charts-values': null,
  'helm-charts-template': null,
  // helmCharts need kustomize --enable-helm and a chart repository: nothing to build here.
  'helm-charts-values-inline-host': null,
  'helm-inflation-generator': null,
  'overlay-broken-patch': null,
  'patch-probe-host-network': 'overlays/off',
  'patch-probe-base-env': 'overlays/smp',
  // A remote base (no network here), a patch naming no resource (kustomize fails), a selector selecting none.
  'patch-probe-unresolved': null,
  // A remote base again: the probe's other blockers and the unreadable base's, said at once.
  'patch-probe-unresolved-every-blocker': null,
  // Flux Kustomizations: Flux builds them, not kubectl.
  'patch-probe-flux': null,
  'flux-patches': null,
  'argocd-patches': null,
  'helmrelease-post-renderer-patches': null,
  'patch-probe-flux-json6902-list': null,
};
const BUILT = Object.keys(OVERLAYS).filter((name) => OVERLAYS[name] !== null);
const HANDLERS = ['exec', 'grpc', 'httpGet', 'tcpSocket'];

describe('kubectl kustomize', () => {
  test('every fixture case names its overlay', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(OVERLAYS).sort());
  });

  test('all patch forms: the overlay builds after --fix, and every built probe is native', async () => {
    const c = cases.find((x) => x.name === 'overlays-all-forms')!;
    const dir = materialize(c);
    const overlay = path.join(dir, OVERLAYS[c.name]!);
    const before = probes(kustomize(overlay));
    expect(Object.values(before).every((p) => 'exec' in p)).toBe(true);

    await run(runOptions(c, dir, true));
    const built = kustomize(overlay);
    expect(built).not.toContain('grpc_health_probe');
    // Each built probe is the one built before, with exec → grpc on the same port (and service),
    // timeoutSeconds raised where the binary had longer timeouts, and every other field kept.
    const after = probes(built);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const [name, was] of Object.entries(before)) {
      const argv = (was.exec as { command: string[] }).command;
      const port = Number(/-addr=:(\d+)/.exec(argv.join(' '))![1]);
      const service = /-service=(\S+)/.exec(argv.join(' '))?.[1];
      const { exec: _e, ...rest } = was;
      const { timeoutSeconds, ...afterRest } = after[name]!;
      expect({ name, probe: afterRest }).toEqual({ name, probe: { ...rest, grpc: service ? { port, service } : { port } } });
      const wanted = argv.some((a) => a.includes('timeout')) ? expect.any(Number) : undefined;
      expect({ name, timeoutSeconds }).toEqual({ name, timeoutSeconds: wanted });
    }
  });

  test.each([
    ['legacy-fields-and-parts', ['api.readinessProbe', 'api.livenessProbe', 'api.startupProbe']],
    ['partial-op-file', ['api.readinessProbe']],
  ])('%s: an overlay that patches inside a probe still builds, and that probe is kept', async (name, kept) => {
    const c = cases.find((x) => x.name === name)!;
    const dir = materialize(c);
    const overlay = path.join(dir, OVERLAYS[c.name]!);
    const before = probes(kustomize(overlay));
    await run(runOptions(c, dir, true));
    const after = probes(kustomize(overlay));
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const [key, probe] of Object.entries(after)) {
      if (kept.includes(key)) expect({ key, probe }).toEqual({ key, probe: before[key] });
      else expect({ key, native: 'grpc' in probe && !('exec' in probe) }).toEqual({ key, native: true });
    }
  });

  // The API server rejects a probe with more than one handler ("may not specify more than 1
  // handler type"): kustomize builds it without complaint, so the test counts them itself.
  test.each(BUILT)('%s: after --fix every probe the overlay builds has exactly one handler', async (name) => {
    const c = cases.find((x) => x.name === name)!;
    const dir = materialize(c);
    const overlay = path.join(dir, OVERLAYS[c.name]!);
    const handlers = () => Object.entries(probes(kustomize(overlay))).map(([key, p]) => ({ key, handlers: HANDLERS.filter((h) => h in p && p[h] !== null) }));
    expect(handlers().filter((h) => h.handlers.length !== 1)).toEqual([]);
    await run(runOptions(c, dir, true));
    expect(handlers().filter((h) => h.handlers.length !== 1)).toEqual([]);
  });

  // The meaning of each built probe, read from what kustomize built: the port and service of the
  // exec command (with the container's variables as the kubelet expands them), and every other
  // field. A probe still on exec is exactly the one built before.
  test.each(BUILT)('%s: after --fix every probe the overlay builds checks the same port and service', async (name) => {
    const c = cases.find((x) => x.name === name)!;
    const dir = materialize(c);
    const overlay = path.join(dir, OVERLAYS[c.name]!);
    const env: Record<string, Record<string, string>> = {};
    const before = probes(kustomize(overlay), env);
    await run(runOptions(c, dir, true));
    const after = probes(kustomize(overlay));
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const [key, was] of Object.entries(before)) {
      const now = after[key]!;
      if (!('grpc' in now) || !('exec' in was)) {
        expect({ key, probe: now }).toEqual({ key, probe: was });
        continue;
      }
      const vars = env[key.slice(0, key.indexOf('.'))] ?? {};
      const argv = (was.exec as { command: string[] }).command.map((a) => a.replace(/\$\((\w+)\)/g, (m, v: string) => vars[v] ?? m));
      const port = Number(/-addr=[^:]*:(\d+)/.exec(argv.join(' '))?.[1]);
      const service = /-service=(\S+)/.exec(argv.join(' '))?.[1];
      const { exec: _e, timeoutSeconds: t0, ...rest } = was;
      const { timeoutSeconds: t1, ...nowRest } = now;
      expect({ key, probe: nowRest }).toEqual({ key, probe: { ...rest, grpc: service ? { port, service } : { port } } });
      expect({ key, timeoutNotLowered: ((t1 as number | undefined) ?? 1) >= ((t0 as number | undefined) ?? 1) }).toEqual({ key, timeoutNotLowered: true });
    }
  });

  test('merge-patch-handlers: the probes a strategic-merge patch keeps on exec (or on httpGet) stay as the overlay built them', async () => {
    const c = cases.find((x) => x.name === 'merge-patch-handlers')!;
    const dir = materialize(c);
    const overlay = path.join(dir, OVERLAYS[c.name]!);
    const before = probes(kustomize(overlay));
    await run(runOptions(c, dir, true));
    const after = probes(kustomize(overlay));
    for (const key of ['server.livenessProbe', 'sidecar.readinessProbe']) expect({ key, probe: after[key] }).toEqual({ key, probe: before[key] });
    // Each migrated one keeps its fields, on grpc. The readiness patch's own `exec: null` deleted
    // the base's TLS exec, which the patch's command had replaced before.
    expect(before['server.readinessProbe']).toEqual({ exec: { command: ['/bin/grpc_health_probe', '-addr=:5000'] }, periodSeconds: 3 });
    expect(after['server.readinessProbe']).toEqual({ grpc: { port: 5000 }, periodSeconds: 3 });
    expect(after['server.startupProbe']).toEqual({ grpc: { port: 5000 }, failureThreshold: 30, periodSeconds: 7 });
    expect(after['sidecar.livenessProbe']).toEqual({ grpc: { port: 6000 }, timeoutSeconds: 2, periodSeconds: 20 });
  });
});

describe('probes added by patches', () => {
  /** The probes of each pod the overlay builds, with whether the pod is on the host's network. */
  function pods(built: string): { hostNetwork: boolean; probes: Probe[] }[] {
    return parseAllDocuments(built).map((doc) => {
      const spec = (doc.toJS() as { spec?: { template?: { spec?: Record<string, unknown> } } }).spec?.template?.spec ?? {};
      const containers = [...((spec.containers ?? []) as Record<string, unknown>[]), ...((spec.initContainers ?? []) as Record<string, unknown>[])];
      return { hostNetwork: spec.hostNetwork === true, probes: containers.flatMap((c) => ['readinessProbe', 'livenessProbe', 'startupProbe'].filter((k) => c[k]).map((k) => c[k] as Probe)) };
    });
  }

  // The aws-node case: a probe a patch adds to a DaemonSet on the host's network dials the node's
  // IP once native, where ipamd (bound to 127.0.0.1) does not answer.
  test('patch-probe-host-network: after --fix no overlay builds a grpc probe in a pod on the host network', async () => {
    const c = cases.find((x) => x.name === 'patch-probe-host-network')!;
    const dir = materialize(c);
    const overlays = ['smp', 'json6902', 'inline', 'legacy', 'off', 'agent', 'with-component'].map((o) => path.join(dir, 'overlays', o));
    await run(runOptions(c, dir, true));
    const built = overlays.flatMap((o) => pods(kustomize(o)).map((p) => ({ overlay: path.basename(o), ...p })));
    expect(built.filter((p) => p.hostNetwork && p.probes.some((q) => 'grpc' in q)).map((p) => p.overlay)).toEqual([]);
    // The overlay that takes the pod off the host's network migrates.
    expect(built.filter((p) => !p.hostNetwork && p.probes.some((q) => 'grpc' in q)).map((p) => p.overlay)).toEqual(['off']);
  });

  test('patch-probe-base-env: the port a migrated patch probe gets is the one the kubelet expands from the built container', async () => {
    const c = cases.find((x) => x.name === 'patch-probe-base-env')!;
    const dir = materialize(c);
    const overlays = ['smp', 'json6902', 'other-patch', 'ops-host'].map((o) => path.join(dir, 'overlays', o));
    const envs = overlays.map(() => ({}) as Record<string, Record<string, string>>);
    const before = overlays.map((o, i) => probes(kustomize(o), envs[i]));
    await run(runOptions(c, dir, true));
    overlays.forEach((o, i) => {
      const after = probes(kustomize(o));
      for (const [key, was] of Object.entries(before[i]!)) {
        const now = after[key]!;
        if (!('grpc' in now)) continue;
        const vars = envs[i]![key.slice(0, key.indexOf('.'))] ?? {};
        const argv = (was.exec as { command: string[] }).command.map((a) => a.replace(/\$\((\w+)\)/g, (m, v: string) => vars[v] ?? m));
        expect({ overlay: path.basename(o), key, port: (now.grpc as { port: number }).port }).toEqual({ overlay: path.basename(o), key, port: Number(/-addr=:(\d+)/.exec(argv.join(' '))![1]) });
      }
    });
  });

  test('patch-probe-unresolved: a probe whose patched object cannot be read says what to do', async () => {
    const c = cases.find((x) => x.name === 'patch-probe-unresolved')!;
    const result = await run(runOptions(c, materialize(c), false));
    const remote = result.findings.find((f) => f.file === 'remote/probes.yaml' && f.blockers?.includes('host'))!;
    expect(remote.hint).toBe(
      'Make the patched object readable to the tool (a local copy of the base), and run again; or, if its pods are not on the host\'s network (or the server listens on all addresses), replace exec with grpc: {port: 50051} in this patch by hand, with exec: null in a strategic-merge patch.',
    );
  });
});

describe('overlay holds', () => {
  // Findings files carry no hints: the one for hostNetwork says what to check and what to do,
  // not the overlay-patch hint about handlers and variables, which a hostNetwork patch has none of.
  test('overlay-host-network-ops: a JSON 6902 op that sets hostNetwork: true holds the probe, with a hint about where the server listens', async () => {
    const c = cases.find((x) => x.name === 'overlay-host-network-ops')!;
    const result = await run(runOptions(c, materialize(c), false));
    const held = result.findings.filter((f) => f.status === 'blocked');
    expect(held.map((f) => f.file)).toEqual(['node-agent/deployment.yaml']);
    expect(held[0]!.hint).toBe(
      "If the server listens on all addresses (0.0.0.0 or ::), the kubelet reaches it on the node's IP as on the pod IP: replace exec with grpc: {port: 9809} here by hand, and every overlay gets it. If it listens only on loopback, keep the probe on exec (the binary stays in the image), or make the server listen on all addresses first.",
    );
  });
});
