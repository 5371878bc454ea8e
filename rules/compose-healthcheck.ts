import path from 'node:path';
import { isPair, isScalar, visit, type Pair, type Scalar } from 'yaml';
import { mentionsBinary } from '../src/analysis/binary.js';
import { keyOf, parseYaml, yamlErrorReport } from '../src/parse/yaml.js';
import type { Rule } from '../src/types.js';

/**
 * docker-compose files: a `healthcheck.test` that runs grpc_health_probe (CMD, CMD-SHELL or a
 * plain string) has no native equivalent in Compose, and any other mention (command, entrypoint)
 * runs the binary outside a probe. Both keep the binary in the service's image.
 */
const rule: Rule = {
  meta: {
    id: 'compose-healthcheck',
    description: 'Reports docker-compose health checks and commands that run grpc_health_probe',
    fixable: false,
    fileKinds: ['compose'],
    docs: 'Compose has no native gRPC health check: healthcheck.test that runs grpc_health_probe is reported as no-native-check, other uses as not-a-probe. Each keeps the binary in the image of its service (its image:, or the Dockerfile its build: context uses).',
  },
  create() {
    return {
      async file(ctx) {
        const { composeServices, dockerfileKey } = await import('../src/docker/images.js');
        const { text, path: abs } = ctx.file;
        const parsed = parseYaml(text);
        if (parsed.error) {
          ctx.report(yamlErrorReport(parsed.error));
          return;
        }
        parsed.docs.forEach((doc) => {
          const services = composeServices(doc.contents, path.dirname(abs));
          visit(doc, {
            Scalar(_, node, nodePath) {
              if (typeof node.value !== 'string' || !mentionsBinary(node.value)) return;
              const parent = nodePath[nodePath.length - 1];
              if (isPair(parent) && parent.key === node) return;
              const keys = nodePath.filter(isPair).map((p) => keyOf(p as Pair)).filter((k): k is string => k !== undefined);
              const service = services.find((s) => nodePath.includes(s.node));
              const image = service?.image ?? (service?.dockerfile ? dockerfileKey(service.dockerfile) : undefined);
              const where = service ? `service "${service.name}"` : 'the compose file';
              // `test` under healthcheck, or under an `x-` extension that healthchecks reuse by anchor.
              const isCheck = keys[keys.length - 1] === 'test' && (keys.includes('healthcheck') || keys.some((k) => k.startsWith('x-')));
              const r = node as Scalar;
              ctx.report({
                start: r.range![0],
                end: r.range![1],
                subject: 'consumer',
                blockers: [isCheck ? 'no-native-check' : 'not-a-probe'],
                keepsBinary: true,
                ...(image ? { image } : {}),
                message: isCheck
                  ? `${service ? `healthcheck.test of ${where}` : `${keys.join('.')} (a health check shared by anchor)`} runs grpc_health_probe; Compose has no native gRPC check, so the image keeps the binary`
                  : `${where} runs grpc_health_probe outside a health check (at ${keys.join('.')})`,
              });
            },
          });
        });
      },
    };
  },
};

export default rule;
