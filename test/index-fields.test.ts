import { expect, test } from '@jest/globals';
import { dynamicIndexes, indexAsFields } from '../src/helm/index-fields.js';

const fields = (t: string) => indexAsFields(t).text;

test('index calls on string keys read as fields, the same length', () => {
  const cases: [string, string][] = [
    ['{{ index .Values "a" "b" }}', '{{ .Values.a.b           }}'],
    ['{{- toYaml (index .Values "livenessProbe") | nindent 12 }}', '{{- toYaml .Values.livenessProbe           | nindent 12 }}'],
    ['{{ (index .Values.server "readinessProbe").exec }}', '{{ .Values.server.readinessProbe.exec           }}'],
    ['{{- with index .Values "livenessProbe" }}', '{{- with .Values.livenessProbe         }}'],
    ['{{ index $.Values `grpc` "port" }}', '{{ $.Values.grpc.port           }}'],
    ['{{ index . "port" }}', '{{ .port          }}'],
    ['{{index .Values "a"}}', '{{.Values.a        }}'],
    ['{{- index .Values "a" -}}', '{{- .Values.a         -}}'],
    // Folding stops at a key the tool cannot read; the call stays a call.
    ['{{ index .Values "probes" $k }}', '{{ index .Values.probes   $k }}'],
  ];
  for (const [written, read] of cases) {
    expect(fields(written)).toBe(read);
    expect(read.length).toBe(written.length);
  }
});

test('a key with a dash reads as the values path it is (a subchart\'s key), though no field could name it', () => {
  expect(fields('{{ toYaml (index .Values "my-api" "livenessProbe") }}')).toBe('{{ toYaml .Values.my-api.livenessProbe             }}');
});

test('what is not a field stays: keys no values path can hold, list indexes, strings, comments', () => {
  for (const t of [
    '{{ index .Values "a.b" }}',
    '{{ index .Values 0 }}',
    '{{ index .Values $k }}',
    '{{ printf "index .Values \\"a\\"" }}',
    '{{/* index .Values "a" */}}',
    'index .Values "a" outside an action',
    '{{ reindex .Values "a" }}',
  ]) {
    expect(fields(t)).toBe(t);
  }
});

test('restore puts the calls back into what is built from the read text', () => {
  const written = 'port: {{- index .Values "grpc" "port" -}} and {{ toYaml (index .Values "p") }}';
  const reading = indexAsFields(written);
  const built = reading.text.replace(/\{\{-\s/g, '{{ ').replace(/\s-\}\}/g, ' }}');
  expect(reading.restore(built)).toBe('port: {{ index .Values "grpc" "port" }} and {{ toYaml (index .Values "p") }}');
  expect(reading.restore('nothing read')).toBe('nothing read');
});

test('dynamicIndexes: the values maps indexed by a key the tool cannot read', () => {
  const read = (t: string) => dynamicIndexes(indexAsFields(t).text).map(({ path, call }) => ({ path, call }));
  expect(read('{{ index .Values $k }}')).toEqual([{ path: '', call: 'index .Values $k' }]);
  expect(read('{{ (index .Values "jobs" .Values.job).exec }}')).toEqual([{ path: 'jobs', call: 'index .Values.jobs .Values.job' }]);
  expect(read('{{ index .Values "a.b" }}')).toEqual([{ path: '', call: 'index .Values "a.b"' }]);
  expect(read('{{ index .Values "my-api" $k }}')).toEqual([{ path: 'my-api', call: 'index .Values.my-api $k' }]);
  expect(read('{{ index .Values "a" "b" }}')).toEqual([]);
});

test("Sprig's get on a string key reads as the field, alone, nested, or inside parentheses", () => {
  const cases: [string, string][] = [
    ['{{ get .Values.server "port" }}', '{{ .Values.server.port       }}'],
    ['{{ (get .Values "server").port }}', '{{ .Values.server.port         }}'],
    ['{{ get (get .Values "a") "b" }}', '{{ .Values.a.b               }}'],
    ['{{ get $.Values.AsMap "a" }}', '{{ $.Values.a             }}'],
    // get takes one key: more is no Sprig get.
    ['{{ get .Values "a" "b" }}', '{{ get .Values "a" "b" }}'],
  ];
  for (const [written, read] of cases) {
    expect(fields(written)).toBe(read);
    expect(read.length).toBe(written.length);
  }
});

test('nested index reads from the inside out', () => {
  expect(fields('{{ index (index .Values "a") "b" }}')).toBe('{{ .Values.a.b                   }}');
  expect(fields('{{ toYaml (index (get .Values "a") "b" "c") | nindent 4 }}')).toBe('{{ toYaml .Values.a.b.c                     | nindent 4 }}');
});

test("Sprig's dig reads as its path with its default: default D path, or Go's or where that does not fit", () => {
  const cases: [string, string][] = [
    ['{{ dig "server" "port" 5000 .Values.AsMap }}', '{{ default 5000 .Values.server.port       }}'],
    ['{{ dig "a" "b" "fallback" $.Values.AsMap | int }}', '{{ default "fallback" $.Values.a.b       | int }}'],
    ['{{ toYaml (dig "probes" "liveness" dict .Values.AsMap) }}', '{{ toYaml (default dict .Values.probes.liveness      ) }}'],
    // One key on a map below the root: `default 5000 .Values.grpc.port` is longer than the call.
    ['{{ dig "port" 5000 .Values.grpc }}', '{{ or .Values.grpc.port 5000    }}'],
    // No padding left: `default 5 .Values.x.a.b` could be text the chart writes itself.
    ['{{ dig "a" "b" 5 .Values.x }}', '{{ or .Values.x.a.b 5      }}'],
    ['{{ dig "port" 5000 $grpc }}', '{{ or $grpc.port 5000    }}'],
  ];
  for (const [written, read] of cases) {
    expect(fields(written)).toBe(read);
    expect(read.length).toBe(written.length);
  }
});

test('what dig cannot be read as: the root .Values (it fails to render), a piped map, keys or defaults not words', () => {
  for (const t of [
    '{{ dig "server" "port" 5000 .Values }}',
    '{{ dig "server" "port" 5000 $.Values }}',
    '{{ $m | dig "a" "b" .Values.x }}',
    '{{ dig "probes" $k dict .Values.AsMap }}',
    '{{ dig "probes" "x" (dict "a" 1) .Values.AsMap }}',
    '{{ dig "a.b" 1 .Values.AsMap }}',
  ]) {
    expect(fields(t)).toBe(t);
  }
});

test('restore puts get, dig and nested calls back as written', () => {
  const written = 'port: {{ get (get .Values "a") "b" }} {{ dig "port" 5000 .Values.grpc }} {{ dig "x" "y" 1 .Values.AsMap }}';
  const reading = indexAsFields(written);
  expect(reading.text).not.toContain('get');
  expect(reading.restore(reading.text)).toBe(written);
});

test('dynamicIndexes: get and dig with a key the tool cannot read', () => {
  const read = (t: string) => dynamicIndexes(indexAsFields(t).text).map(({ path, call }) => ({ path, call }));
  expect(read('{{ get .Values $k }}')).toEqual([{ path: '', call: 'get .Values $k' }]);
  expect(read('{{ get .Values.AsMap $k }}')).toEqual([{ path: '', call: 'get .Values.AsMap $k' }]);
  expect(read('{{ (get (get .Values "probes") .Values.which).exec }}')).toEqual([{ path: 'probes', call: 'get .Values.probes .Values.which' }]);
  expect(read('{{ dig "probes" $k dict .Values.AsMap }}')).toEqual([{ path: 'probes', call: 'dig "probes" $k dict .Values.AsMap' }]);
  expect(read('{{ toYaml (dig $k "livenessProbe" dict .Values.agents) }}')).toEqual([{ path: 'agents', call: 'dig $k "livenessProbe" dict .Values.agents' }]);
  expect(read('{{ dig "p" "x" (dict "a" 1) .Values.AsMap }}')).toEqual([{ path: 'p.x', call: 'dig "p" "x" (dict "a" 1) .Values.AsMap' }]);
  // Read (folded), or reading nothing: the root .Values fails to render in dig.
  expect(read('{{ dig "a" "b" 1 .Values.AsMap }}')).toEqual([]);
  expect(read('{{ dig "a" $k 1 .Values }}')).toEqual([]);
});

test('dynamicIndexes shows each call as the chart writes it, through the reading', () => {
  const shown = (t: string) => {
    const reading = indexAsFields(t);
    return dynamicIndexes(reading.text, reading.restore).map((d) => d.shown);
  };
  expect(shown('{{ (get (get .Values "probes") $k).exec }}')).toEqual(['get (get .Values "probes") $k']);
  expect(shown('{{ index (index .Values "a") "b" $k }}')).toEqual(['index (index .Values "a") "b" $k']);
  expect(shown('{{ dig "probes" $k (get .Values "fallback") .Values.AsMap }}')).toEqual(['dig "probes" $k (get .Values "fallback") .Values.AsMap']);
});
