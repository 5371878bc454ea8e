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
  const read = (t: string) => dynamicIndexes(indexAsFields(t).text);
  expect(read('{{ index .Values $k }}')).toEqual([{ path: '', call: 'index .Values $k' }]);
  expect(read('{{ (index .Values "jobs" .Values.job).exec }}')).toEqual([{ path: 'jobs', call: 'index .Values.jobs .Values.job' }]);
  expect(read('{{ index .Values "a.b" }}')).toEqual([{ path: '', call: 'index .Values "a.b"' }]);
  expect(read('{{ index .Values "my-api" $k }}')).toEqual([{ path: 'my-api', call: 'index .Values.my-api $k' }]);
  expect(read('{{ index .Values "a" "b" }}')).toEqual([]);
});
