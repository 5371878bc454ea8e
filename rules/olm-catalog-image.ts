import type { Rule } from '../src/types.js';

const HINT =
  'OLM writes the probes of a catalog\'s registry pod itself (exec grpc_health_probe -addr=:50051, into the pod it runs from this image), so no file of this repository can make them native. Keep the binary in this image while the clusters\' OLM probes catalogs that way.';

/**
 * An OLM catalog image keeps the binary: the registry pods OLM creates from it run
 * grpc_health_probe in exec probes that live in OLM's code, which no rewrite here can reach.
 */
const rule: Rule = {
  meta: {
    id: 'olm-catalog-image',
    description: 'Keeps grpc_health_probe in OLM catalog images, whose pods OLM probes with it',
    fixable: false,
    fileKinds: ['dockerfile'],
    docs: 'A Dockerfile that builds an OLM catalog (index) image, or the opm image catalogs build on (the operators.operatorframework.io.index.* LABEL, an ENTRYPOINT/CMD or COPY of opm or operator-registry\'s servers, a FROM an opm image), is reported as not-a-probe: OLM creates the catalog pod with exec probes that run grpc_health_probe from the image, so the image keeps the binary.',
  },
  create() {
    return {
      async file(ctx) {
        const [{ analyzeDockerfile }, { dockerfileKey }] = await Promise.all([import('../src/docker/installs.js'), import('../src/docker/images.js')]);
        const { olmRegistrySignal } = await import('../src/docker/olm.js');
        const { parsed, installs } = ctx.cached('dockerfile', () => analyzeDockerfile(ctx.file.text));
        // The stages the binary is put in (a RUN, ADD or COPY of it): a catalog stage among them ships it.
        const stageAt = (offset: number) => parsed.instructions.find((i) => i.start <= offset && offset < i.end)?.stage;
        const stages = new Set(installs.map((i) => stageAt(i.start)).filter((s): s is number => s !== undefined));
        const signal = olmRegistrySignal(parsed, stages);
        if (!signal) return;
        ctx.report({
          start: signal.start,
          end: signal.end,
          subject: 'consumer',
          blockers: ['not-a-probe'],
          keepsBinary: true,
          image: dockerfileKey(ctx.file.path),
          message: `${signal.what}: an OLM catalog image, whose registry pods OLM probes with exec grpc_health_probe; those probes are OLM's, not this repository's, so the image keeps the binary`,
          hint: HINT,
        });
      },
    };
  },
};

export default rule;
