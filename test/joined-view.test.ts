/** A RUN body as Docker passes it to the shell (src/docker/parse.ts, joinedView), and its offsets back into the file. */
import { expect, test } from '@jest/globals';
import { joinedView, parseDockerfile, parseRunBody, runBodyStart, shellView } from '../src/docker/parse.js';

test('a continuation in the middle of a word joins the word; every character maps back to its place in the file', () => {
  const text = 'FROM alpine\nRUN wget -qO /bin/p https://x/v0.4.2\\\n8/p-linux && \\\n  # a comment inside the continuation\n  chmod +x /bin/p\n';
  const ins = parseDockerfile(text).instructions[1]!;
  const view = joinedView(text, ins.argsStart, ins.end, '\\');
  expect(view.text).toBe('wget -qO /bin/p https://x/v0.4.28/p-linux &&   chmod +x /bin/p');
  for (let i = 0; i < view.text.length; i++) expect(text[view.at(i)]).toBe(view.text[i]);
  expect(view.at(view.text.length)).toBe(ins.end);
});

test('a RUN body\'s segments are file spans that leave the continuations around them out, and read as the shell reads them', () => {
  const text = 'FROM alpine\nRUN wget -qO /bin/p https://x/v0.4.2\\\n8/p-linux&&\\\nchmod +x /bin/gr\\\npc\n';
  const parsed = parseDockerfile(text);
  const ins = parsed.instructions[1]!;
  const { segments } = parseRunBody(text, ins, runBodyStart(text, ins, parsed.lines), '\\');
  expect(segments.map((s) => text.slice(s.start, s.end))).toEqual(['wget -qO /bin/p https://x/v0.4.2\\\n8/p-linux', 'chmod +x /bin/gr\\\npc']);
  expect(segments.map((s) => s.shellText)).toEqual(['wget -qO /bin/p https://x/v0.4.28/p-linux', 'chmod +x /bin/grpc']);
  expect(segments[0]!.stmt.calls[0]!.args.length).toBe(4);
});

test('shellView keeps the body\'s length, and joins a word cut by a continuation as Docker does', () => {
  const text = 'FROM alpine\nHEALTHCHECK \\\n  CMD grpc_health\\\n_pro\\\nbe -addr=:5000 \\\n  # a comment\n  -tls\n';
  const ins = parseDockerfile(text).instructions[1]!;
  const view = shellView(text, ins.argsStart, ins.end, '\\');
  expect(view.length).toBe(ins.end - ins.argsStart);
  expect(view.replace(/\s+/g, ' ').trim()).toBe('CMD grpc_health_probe -addr=:5000 -tls');
  // Up to the cut word, offsets are the file's.
  expect(view.indexOf('CMD')).toBe(text.indexOf('CMD') - ins.argsStart);
});
