/**
 * script-runs: which image a container run starts, read through the run command's options as the
 * CLI's own parser (pflag) reads them. An option that takes a value, skipped without it, made its
 * value the image (`--tmpfs /tmp IMAGE` read /tmp); an option the table does not know leaves the
 * image unknown, never guessed.
 */
import { describe, expect, test } from '@jest/globals';
import { parseShell, resolveWord } from '../src/analysis/shell.js';
import { commandUses, runsBinary, scriptFunctions, scriptImageNames, scriptVariables, skipFlags, upstreamImageRun, variableCommands, type WordReader } from '../src/analysis/script-runs.js';

const IMG = 'ghcr.io/acme/api:1';
const PROBE = 'grpc_health_probe -addr=:5000';

function read(script: string) {
  const { calls, setsOtherwise } = parseShell(script);
  const reader: WordReader = { resolve: resolveWord, parse: (s) => parseShell(s).calls, env: scriptVariables(calls, resolveWord, setsOtherwise), imageNames: scriptImageNames(calls, resolveWord, setsOtherwise) };
  return { call: calls[calls.length - 1]!, reader, calls };
}

/** The image the last command runs the binary in: undefined when it runs it in no known image, null when it does not run it. */
function imageOf(script: string): string | undefined | null {
  const { call, reader } = read(script);
  const run = runsBinary(call.args, reader, 0);
  return run ? run.image : null;
}

describe('docker run: the image after valued options', () => {
  test.each([
    // Options that take a value, as two words and as one.
    ['--tmpfs /tmp'], ['--tmpfs=/tmp'], ['--log-opt max-size=10m'], ['--log-opt=max-size=10m'], ['--ulimit nofile=1024:1024'],
    ['--add-host db:10.0.0.2'], ['--add-host=db:10.0.0.2'], ['--cap-add NET_ADMIN'], ['--cap-drop ALL'], ['--device /dev/fuse'],
    ['--dns 8.8.8.8'], ['--dns-search example.com'], ['--label team=api'], ['-l team=api'], ['--mount type=tmpfs,target=/x'],
    ['--platform linux/amd64'], ['--pull always'], ['--pull=never'], ['--restart no'], ['--security-opt seccomp=unconfined'],
    ['--shm-size 1g'], ['--stop-signal SIGINT'], ['--stop-timeout 5'], ['--sysctl net.ipv4.ip_forward=1'], ['--health-cmd true'],
    ['--health-interval 5s'], ['--health-retries 3'], ['--cpus 0.5'], ['--memory 512m'], ['-m 512m'], ['-m512m'],
    ['--memory-swap -1'], ['--pids-limit -1'], ['--oom-score-adj -500'], ['--gpus all'], ['--ipc host'], ['--pid host'],
    ['--uts host'], ['--userns host'], ['--cgroupns host'], ['--runtime runc'], ['--isolation default'], ['--annotation a=b'],
    ['--network host'], ['--net=host'], ['--network-alias api'], ['--ip 10.0.0.9'], ['--mac-address 92:d0:c6:0a:29:33'],
    ['--link db:db'], ['--expose 5000'], ['--env-file .env'], ['--label-file labels'], ['--group-add 1000'], ['--cidfile /tmp/id'],
    ['--volumes-from data'], ['--volume-driver local'], ['--log-driver none'], ['--storage-opt size=1G'], ['--detach-keys ctrl-x'],
    ['--domainname example.com'], ['--cpuset-cpus 0-1'], ['--cpu-shares 512'], ['-c 512'], ['--blkio-weight 300'],
    // Shorthands, alone, joined to their value, and grouped with booleans.
    ['-e A=1'], ['-eA=1'], ['-e=A=1'], ['-v /data:/data'], ['-p 8080:8080'], ['-w /app'], ['-u 1000'], ['-h api'], ['--name api'],
    ['-a stdout'], ['-it'], ['-dit'], ['-dp 8080:8080'], ['-itp 8080:8080'], ['-ite A=1'], ['-d -p 5000:5000 -e A=1'],
    // Options that take none.
    ['--rm'], ['-d'], ['--detach'], ['-i -t'], ['--init'], ['--privileged'], ['--read-only'], ['-P'], ['--no-healthcheck'],
    ['--sig-proxy=false'], ['--oom-kill-disable'], ['-q'], ['--disable-content-trust'],
    // Everything at once, and `--` before the image.
    ['--rm -it --tmpfs /run --ulimit nproc=64 --add-host h:1.2.3.4 --cap-add SYS_PTRACE --restart=no --shm-size 64m'],
    ['--rm --'],
  ])('docker run %s IMAGE grpc_health_probe', (options) => {
    expect(imageOf(`docker run ${options} ${IMG} ${PROBE}`)).toBe(IMG);
  });

  test.each([
    ['podman', '--tmpfs /tmp --secret token --pod ci --tz UTC --systemd false --rootfs=false'],
    ['podman', '--arch arm64 --userns keep-id --health-on-failure kill'],
    ['nerdctl', '--tmpfs /tmp --ulimit nofile=1024 --platform linux/arm64'],
    ['docker', '-H unix:///var/run/docker.sock'],
  ])('%s run %s IMAGE grpc_health_probe', (cli, options) => {
    const script = cli === 'docker' ? `docker ${options} run --rm ${IMG} ${PROBE}` : `${cli} run ${options} ${IMG} ${PROBE}`;
    expect(imageOf(script)).toBe(IMG);
  });

  test('--entrypoint after valued options: the binary is the entrypoint of the image', () => {
    expect(imageOf(`docker run --rm --tmpfs /tmp --entrypoint /bin/grpc_health_probe --ulimit nofile=1024 ${IMG} -addr=:5000`)).toBe(IMG);
    expect(imageOf(`docker run --rm --log-opt max-size=1m --entrypoint=/bin/grpc_health_probe ${IMG} -addr=:5000`)).toBe(IMG);
  });

  test('the upstream probe image after valued options is read as that image', () => {
    const { call, reader } = read('docker run --rm --add-host api:10.0.0.2 --tmpfs /tmp ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.24 -addr=api:5000');
    expect(upstreamImageRun(call.args, reader)?.image).toBe('ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.24');
  });

  test.each([
    // Before: --tmpfs was skipped alone, so /tmp was the image and IMAGE the command: no run at all.
    ['an option the table does not know, then a word', `docker run --frobnicate x ${IMG} ${PROBE}`],
    ['an unknown option right before the image', `docker run --frobnicate ${IMG} ${PROBE}`],
    ['an unknown shorthand', `docker run -Z ${IMG} ${PROBE}`],
    ['an unknown shorthand grouped with known ones', `docker run -itZ ${IMG} ${PROBE}`],
  ])('%s: the binary runs, in no image the tool can name', (_what, script) => {
    expect(imageOf(script)).toBeUndefined();
  });

  test('an unknown option before the upstream image does not make it the upstream image', () => {
    const { call, reader } = read('docker run --frobnicate ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.24 -addr=api:5000');
    expect(upstreamImageRun(call.args, reader)).toBeUndefined();
  });

  test('an unknown option with its value in one word takes no other word', () => {
    expect(imageOf(`docker run --frobnicate=x ${IMG} ${PROBE}`)).toBe(IMG);
  });

  test('a valued option whose value names no image is not the image: a binary path as its value runs nothing', () => {
    expect(imageOf(`docker run -v /bin/grpc_health_probe:/bin/grpc_health_probe ${IMG} /bin/true`)).toBeNull();
  });
});

describe('skipFlags', () => {
  const table = { valued: new Set(['-e', '--env']), bool: new Set(['-i', '-t', '--rm']) };
  test.each([
    [['--rm', '-it', 'img'], 2, false],
    [['-e', 'A=1', 'img'], 2, false],
    [['-eA=1', 'img'], 1, false],
    [['-ite', 'A=1', 'img'], 2, false],
    [['--env=A=1', 'img'], 1, false],
    [['--', '-img'], 1, false],
    [['--other', 'img'], 1, true],
    [['--other=1', 'img'], 1, false],
    [['-x', 'img'], 1, true],
    [['-', 'img'], 0, false],
  ])('%j: operand at %d (unknown option: %s)', (words, at, unknown) => {
    expect(skipFlags(words, 0, table)).toEqual({ at, unknown });
  });
});

describe('commandUses', () => {
  test('one use per command, each with its own image', () => {
    const { calls, reader } = read(`docker run --rm --tmpfs /tmp ghcr.io/acme/api:1 ${PROBE}\ndocker run -d --ulimit nofile=64 ghcr.io/acme/worker:1 ${PROBE}\nchmod +x /bin/grpc_health_probe\n`);
    const uses = commandUses(calls, reader);
    expect(uses.map((u) => (u.kind === 'run' ? u.run.image : u.kind))).toEqual(['ghcr.io/acme/api:1', 'ghcr.io/acme/worker:1', 'names']);
  });
});

describe('an image whose tag alone is set at run time', () => {
  test.each([
    ['a tag with a default, in the word', `docker run --rm "gcr.io/acme/api:\${TAG:-dev}" ${PROBE}`, 'gcr.io/acme/api'],
    ['a plain variable as the tag', `docker run --rm gcr.io/acme/api:$VERSION ${PROBE}`, 'gcr.io/acme/api'],
    ['a tag built of a variable and text', `docker run --rm "gcr.io/acme/api:\${VERSION}-alpine" ${PROBE}`, 'gcr.io/acme/api'],
    ['a registry with a port', `docker run --rm "localhost:5000/acme/api:\${TAG}" ${PROBE}`, 'localhost:5000/acme/api'],
    ['a variable set so earlier', `IMAGE=gcr.io/acme/api:\${TAG:-latest}\ndocker run --rm "$IMAGE" ${PROBE}`, 'gcr.io/acme/api'],
    ['a variable set so twice alike', `IMAGE=gcr.io/acme/api:\${TAG}\nIMAGE=gcr.io/acme/api:\${TAG:-dev}\ndocker run --rm $IMAGE ${PROBE}`, 'gcr.io/acme/api'],
  ])('%s: the image is its name', (_what, script, image) => {
    const { call, reader } = read(script);
    expect(runsBinary(call.args, reader, 0)).toMatchObject({ image, tagAtRunTime: true });
  });

  test.each([
    // Unknowns stay unknown: the run's image keeps its variable (any image).
    ['a registry set at run time', `docker run --rm "\${REGISTRY}/api:\${TAG}" ${PROBE}`],
    ['a port set at run time', `docker run --rm "localhost:\${PORT}/api" ${PROBE}`],
    ['the whole image in a variable set at run time', `docker run --rm "\${IMAGE:-gcr.io/acme/api:dev}" ${PROBE}`],
    ['a name set at run time', `docker run --rm "gcr.io/acme/\${SERVICE}:1" ${PROBE}`],
    ['a digest set at run time', `docker run --rm "gcr.io/acme/api@\${DIGEST}" ${PROBE}`],
    ['a variable set to two names', `IMAGE=gcr.io/acme/api:\${TAG}\nIMAGE=gcr.io/acme/worker:\${TAG}\ndocker run --rm "$IMAGE" ${PROBE}`],
    ['a variable appended to', `IMAGE=gcr.io/acme/api:\${TAG}\nIMAGE+=-x\ndocker run --rm "$IMAGE" ${PROBE}`],
    ['a variable that only sets the command', `IMAGE=gcr.io/acme/api:\${TAG} docker run --rm "$IMAGE" ${PROBE}`],
  ])('%s: no name is read', (_what, script) => {
    const { call, reader } = read(script);
    const run = runsBinary(call.args, reader, 0);
    expect(run?.tagAtRunTime).toBeUndefined();
    expect(run?.image).toMatch(/\$/);
  });
});

describe('a variable set other than by an assignment is not the assignment\'s value', () => {
  // `IMAGE=…api…` then `for IMAGE in …worker…`: the worker runs, so api is not the image (which
  // would remove the worker's install while the script runs the binary in it).
  test.each([
    ['a for loop', 'for IMAGE in gcr.io/acme/worker:$TAG; do\n  docker run --rm "$IMAGE" PROBE\ndone'],
    ['a select loop', 'select IMAGE in gcr.io/acme/worker:$TAG; do\n  docker run --rm "$IMAGE" PROBE\ndone'],
    ['export with a value', 'export IMAGE=gcr.io/acme/worker:$TAG\ndocker run --rm "$IMAGE" PROBE'],
    ['local in a function', 'f() {\n  local IMAGE=gcr.io/acme/worker:$TAG\n  docker run --rm "$IMAGE" PROBE\n}\nf'],
    ['declare', 'declare IMAGE=gcr.io/acme/worker:$TAG\ndocker run --rm "$IMAGE" PROBE'],
    ['read', 'read -r IMAGE < images.txt\ndocker run --rm "$IMAGE" PROBE'],
    ['read in a while loop', 'while read -r IMAGE; do\n  docker run --rm "$IMAGE" PROBE\ndone < images.txt'],
    ['printf -v', 'printf -v IMAGE "gcr.io/acme/%s:1" worker\ndocker run --rm "$IMAGE" PROBE'],
    ['${IMAGE:=…}', ': "${IMAGE:=gcr.io/acme/worker:1}"\ndocker run --rm "$IMAGE" PROBE'],
    ['a sourced file', 'source ./env/worker.sh\ndocker run --rm "$IMAGE" PROBE'],
    ['a file read with .', '. ./env/worker.sh\ndocker run --rm "$IMAGE" PROBE'],
    ['eval', 'eval "$(cat env/worker)"\ndocker run --rm "$IMAGE" PROBE'],
  ])('%s', (_what, rest) => {
    for (const first of ['IMAGE=gcr.io/acme/api:${TAG:-dev}', 'IMAGE=gcr.io/acme/api:1']) {
      const { calls, reader } = read(`${first}\n${rest.replace('PROBE', PROBE)}\n`);
      const run = calls.map((c) => runsBinary(c.args, reader, 0)).find((r) => r !== undefined);
      expect(run).toBeDefined();
      expect(run!.image).toMatch(/\$/);
      expect(run!.tagAtRunTime).toBeUndefined();
    }
  });

  test('a bare export keeps the value', () => {
    expect(imageOf(`IMAGE=gcr.io/acme/api:1\nexport IMAGE\ndocker run --rm "$IMAGE" ${PROBE}`)).toBe('gcr.io/acme/api:1');
    expect(imageOf(`IMAGE=gcr.io/acme/api:\${TAG}\nexport IMAGE\ndocker run --rm "$IMAGE" ${PROBE}`)).toBe('gcr.io/acme/api');
  });
});

describe('scriptFunctions: what a call of a function or alias of the script runs (hunt8 H5)', () => {
  const expanded = (script: string) => {
    const parsed = parseShell(script);
    const called = scriptFunctions(parsed.calls, parsed.functions, resolveWord, (s) => parseShell(s).calls);
    const last = parsed.calls[parsed.calls.length - 1]!;
    return called(last)?.map((c) => c.args.map((w) => resolveWord(w, () => undefined).text).join(' '));
  };
  test.each([
    ['"$@" after options', 'kc() { kubectl --context "$CTX" "$@"; }\nkc patch deploy web -p x', ['kubectl --context ${CTX} patch deploy web -p x']],
    ['$1 and $2 in words', 'kp() { kubectl patch "deploy/$1" -p "$2"; }\nkp web x', ['kubectl patch deploy/web -p x']],
    ['a shift before "$@"', 'function k { local c=$1; shift; kubectl --context "$c" "$@"; }\nk prod get pods', ['kubectl --context ${c} get pods']],
    ['a function calling a function', 'kc() { kubectl "$@"; }\nkcp() { kc patch "$@"; }\nkcp deploy web', ['kubectl patch deploy web']],
    ['an alias', "alias kp='kubectl --context prod'\nkp get pods", ['kubectl --context prod get pods']],
    ['"$*" as one word of echo', 'log() { echo "+ $*"; }\nlog kubectl patch x', ['echo + kubectl patch x']],
    // review F4: a log line reading the arguments otherwise hides nothing else of the body.
    ['a log line with "${*:1}" beside kubectl "$@"', 'kc() { echo "running: ${*:1}" >&2; kubectl --context prod "$@"; }\nkc patch deploy web', ['kubectl --context prod patch deploy web']],
    ['kubectl "${@:2}": the call\'s words after its own', 'kn() { kubectl -n "$1" "${@:2}"; }\nkn prod patch deploy web', ['kubectl -n prod prod patch deploy web']],
  ])('%s', (_name, script, want) => {
    expect(expanded(script)).toEqual(want);
  });
  test.each([
    ['no function of the script', 'kubectl get pods'],
    ['a function that reads no argument', 'kc() { kubectl get pods; }\nkc patch x'],
    ['arguments kept in an array', 'run() { local a=("$@"); "${a[@]}"; }\nrun kubectl patch x'],
    ['"${@:2}"', 'after() { sleep "$1"; "${@:2}"; }\nafter 5 kubectl patch x'],
  ])('read as written: %s', (_name, script) => {
    expect(expanded(script)).toBeUndefined();
  });
});

describe('scriptVariables with the parse\'s otherSets: a plain declaration is an assignment (hunt20 C1)', () => {
  const value = (script: string, name: string, outer?: (n: string) => string | undefined) => {
    const p = parseShell(script);
    return scriptVariables(p.calls, resolveWord, p.setsOtherwise, outer, p.otherSets)(name);
  };
  test.each([
    ['export KC=kubectl', 'kubectl'],
    ['readonly KC=kubectl', 'kubectl'],
    ['declare -rx KC=kubectl', 'kubectl'],
    ['f() { local KC=kubectl; $KC get pods; }', 'kubectl'],
    ['f() { local KC; KC=kubectl; }', 'kubectl'],
    ['KC=kubectl; export KC=kubectl', 'kubectl'],
  ])('%s', (script, want) => {
    expect(value(script, 'KC')).toBe(want);
  });
  test.each([
    ['two values', 'KC=kubectl; export KC=oc'],
    ['declare -i', 'declare -i KC=1'],
    ['+=', 'export KC+=x'],
    ['a declaration beside a loop', 'export KC=kubectl; for KC in a b; do :; done'],
    ['a declaration beside read', 'export KC=kubectl; read -r KC'],
    ['an array', 'KC=(kubectl --context x)'],
    ['an element', 'KC[0]=kubectl'],
    ['a default', ': ${KC:=kubectl}'],
    ['a sourced file', 'export KC=kubectl; . ./env.sh'],
  ])('unknown: %s', (_name, script) => {
    expect(value(script, 'KC', () => 'outer')).toBeUndefined();
  });
  test('without otherSets, a declared name is unknown, as before', () => {
    const p = parseShell('export KC=kubectl');
    expect(scriptVariables(p.calls, resolveWord, p.setsOtherwise)('KC')).toBeUndefined();
  });
});

describe('variableCommands: what a command word that is one variable may run (hunt20 C1)', () => {
  const commands = (script: string, outer?: (n: string) => string | undefined) => {
    const p = parseShell(script);
    const last = p.calls[p.calls.length - 1]!;
    const r = variableCommands(p, resolveWord, outer)(last.args[0]!);
    return r && { values: r.values.map((v) => v.map((w) => resolveWord(w, () => undefined).text).join(' ')), unknown: r.unknown };
  };
  const rows: [string, string, string[], boolean, ((n: string) => string | undefined) | undefined][] = [
    ['a value split at its blanks', 'KC="kubectl --context $CTX"\n$KC patch', ['kubectl --context ${CTX}'], false, undefined],
    ['a default in the assignment: the default and the value before', 'KC=${KC:-kubectl}\n$KC patch', ['kubectl'], true, undefined],
    ['the value before, from outer', 'KC=${KC:-kubectl}\n$KC patch', ['microk8s kubectl', 'kubectl'], false, (n: string) => (n === 'KC' ? 'microk8s kubectl' : undefined)],
    ['a default assigned', ': "${KC:=kubectl}"\n$KC patch', ['kubectl'], true, undefined],
    ['a default as the word', '${KC:-kubectl} patch', ['kubectl'], true, undefined],
    ['an array, all of it', 'KC=(kubectl -n prod)\n"${KC[@]}" patch', ['kubectl -n prod'], false, undefined],
    ['an array, its first', 'declare -a KC=(kubectl -n prod)\n$KC patch', ['kubectl'], false, undefined],
    ['another variable', 'export K=kubectl\nKC=$K\n$KC patch', ['kubectl'], false, undefined],
    ['two branches', 'if x; then KC=echo; else KC="microk8s kubectl"; fi\n$KC patch', ['echo', 'microk8s kubectl'], false, undefined],
    ['a loop', 'for KC in kubectl oc; do $KC patch; done', [], true, undefined],
    ['read', 'read -r KC\n$KC patch', [], true, undefined],
    ['not set', '$KC patch', [], true, undefined],
    ['not set, outer', '$KC patch', ['kubectl'], false, () => 'kubectl'],
    ['a cycle', 'A=$B\nB=$A\n$A patch', [], true, undefined],
    ['a sourced file', '. ./env.sh\nKC=kubectl\n$KC patch', ['kubectl'], true, undefined],
    ['another expansion', 'KC=${K/x/y}\n$KC patch', [], true, undefined],
  ];
  test.each(rows)('%s', (_name, script, values, unknown, outer) => {
    expect(commands(script, outer)).toEqual({ values, unknown });
  });
  test('a word that is not one variable: undefined', () => {
    expect(commands('"$DIR/kubectl" patch')).toBeUndefined();
    expect(commands('kubectl patch')).toBeUndefined();
  });
  test('a thousand names each set from the next, and twice: the values are found 4 deep, at most 64 of them (not a speed target: a guard against a blow-up)', () => {
    const script = Array.from({ length: 1000 }, (_, i) => `V${i}=$V${i + 1}\nV${i}=$W${i + 1}\nW${i}=$V${i + 1}\nV${i}=kubectl${i}`).join('\n') + '\n$V0 patch';
    const p = parseShell(script);
    const started = Date.now();
    const r = variableCommands(p, resolveWord)(p.calls[p.calls.length - 1]!.args[0]!)!;
    expect(Date.now() - started).toBeLessThan(5_000);
    const values = r.values.map((v) => resolveWord(v[0]!, () => undefined).text);
    expect([values.includes('kubectl0'), values.includes('kubectl4'), values.includes('kubectl5'), values.length <= 64, r.unknown]).toEqual([true, true, false, true, true]);
  });
});
